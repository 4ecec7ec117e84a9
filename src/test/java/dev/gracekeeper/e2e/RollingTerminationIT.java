package dev.gracekeeper.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The promise: no request fails while a pod terminates under load, and the pod is gone soon after
 * the propagation delay. Two replicas behind the load balancer with a lagging endpoint update;
 * one is deleted while wrk runs.
 */
class RollingTerminationIT {
    static final Duration LAG_MIN = Duration.ofMillis(300);
    static final Duration LAG_MAX = Duration.ofMillis(1200);
    @TempDir Path dir;

    @BeforeAll
    static void bed() {
        Bed.assumeAvailable();
    }

    /**
     * nginx behind a kube-proxy-like L4 balancer is left out on purpose: on SIGQUIT nginx closes its
     * idle keep-alive connections at once, racing the client's next request on each of them (see
     * {@link #nginxClosesIdleKeepAliveConnectionsWithARace}).
     */
    @ParameterizedTest(name = "{0} sidecar, {1}, token {2}, {3}, image {4}")
    @CsvSource({
        "CLASSIC, TESTAPP_HTTP_DRAIN, true,  KUBE_PROXY, false",
        "NATIVE,  TESTAPP_HTTP_DRAIN, true,  KUBE_PROXY, false",
        "CLASSIC, TESTAPP_HTTP_DRAIN, false, INGRESS,    false",
        "CLASSIC, NGINX_SIGNAL_DRAIN, true,  INGRESS,    true",
        "NATIVE,  NGINX_SIGNAL_DRAIN, false, INGRESS,    true",
    })
    void noRequestFailsWhileAPodTerminatesUnderLoad(Specs.Sidecar sidecar, Specs.App app, boolean token,
                                                    Lb.Mode mode, boolean image) {
        Specs.Options o = new Specs.Options();
        o.sidecar = sidecar;
        o.app = app;
        o.token = token;
        o.image = image;                // the sidecar from the built image, when podman is here
        o.drainDelay = LAG_MAX.plusMillis(300);
        try (Replicas r = new Replicas(dir, 2, o, mode, LAG_MIN, LAG_MAX).startAll()) {
            String path = app == Specs.App.TESTAPP_HTTP_DRAIN ? "/slow?ms=100" : "/";
            Wrk wrk = Wrk.start(dir, r.url(path), 16, 8);
            Bed.sleep(2000);
            long start = System.nanoTime();
            r.kubelets.get(0).delete();
            long ms = (System.nanoTime() - start) / 1_000_000;
            Wrk.Result load = wrk.await();
            System.out.printf("rolling termination, %s sidecar, %s, token %s, %s, sidecar from %s: pod gone in %d ms"
                    + " (drain delay %d ms); load: %s%n", sidecar, app, token, mode, r.sidecarRuntime(0), ms,
                    o.drainDelay.toMillis(), load);
            String logs = r.logs(0);
            assertTrue(load.requests() > 100, "load ran: " + load + "\n" + load.raw());
            assertEquals(0, load.failed(), "no request failed: " + load + "\n" + load.raw() + "\n" + logs);
            Timeline t = r.timeline;
            Timeline.Event out = t.first("lb", "pod0 out of rotation");
            Timeline.Event hook = t.first("app", "preStop returned 200");
            assertTrue(hook != null, "the hook was served, not refused\n" + logs);
            assertTrue(out != null && out.ms() < hook.ms(),
                    "the pod left the load balancer before the drain ended the preStop hook\n" + logs);
            // nginx exits on the drain signal already; a JVM ends with 143 after SIGTERM even when its
            // shutdown hooks drained cleanly.
            assertTrue(t.first("app", "exited") != null && t.first("app", "SIGKILL") == null,
                    "the app exited by itself, before any SIGKILL\n" + logs);
            assertTrue(t.first("gracekeeper", "exited 0") != null, "the sidecar exited 0\n" + logs);
            // podman reports a container's exit 0.2-0.6 s after its process ended, on a busy machine more.
            long runtimeMs = r.sidecarRuntime(0).startsWith("image") ? 1000 : 0;
            assertTrue(ms < o.drainDelay.toMillis() + 3000 + runtimeMs,
                    "gone within drain delay + 3 s (+ " + runtimeMs + " ms for podman) (" + ms + " ms)\n" + logs);
            assertTrue(r.pods.get(0).sharedPid || app != Specs.App.NGINX_SIGNAL_DRAIN);
        }
    }

    /**
     * Noticed in this bed and left to nginx: behind an L4 balancer, clients keep their connections to
     * the terminating pod, so only the app can move them off. On SIGQUIT nginx closes idle keep-alive
     * connections at once instead of answering their next request with {@code Connection: close},
     * so each connection can lose the one request that races the close. New connections never fail,
     * and at most one request per keep-alive connection to the pod does.
     */
    @org.junit.jupiter.api.Test
    void nginxClosesIdleKeepAliveConnectionsWithARace() {
        Specs.Options o = new Specs.Options();
        o.app = Specs.App.NGINX_SIGNAL_DRAIN;
        o.drainDelay = LAG_MAX.plusMillis(300);
        int connections = 16;
        try (Replicas r = new Replicas(dir, 2, o, Lb.Mode.KUBE_PROXY, LAG_MIN, LAG_MAX).startAll()) {
            Wrk wrk = Wrk.start(dir, r.url("/"), connections, 6);
            Bed.sleep(2000);
            r.kubelets.get(0).delete();
            Wrk.Result load = wrk.await();
            System.out.println("nginx behind an L4 balancer, SIGQUIT drain: " + load);
            assertEquals(0, load.connectErrors() + load.non2xx() + load.timeouts(), load.raw() + r.logs(0));
            assertTrue(load.readErrors() <= connections, "at most one lost request per connection: " + load.raw());
        }
    }
}
