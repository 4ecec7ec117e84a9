package dev.gracekeeper.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gracekeeper.examples.Example;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bed runs each example's manifest as it is (see {@link Manifests}): two replicas behind the
 * load balancer, one deleted under load. No request may fail, and the pod must be gone soon after
 * the example's drain delay. Each run's timeline and sidecar log go to
 * {@code target/examples/NAME/run.log}; with {@code -Dexamples.capture=true} also to the
 * example's committed {@code run.log}.
 */
class ExamplesIT {
    static final Duration LAG_MIN = Duration.ofMillis(500);
    static final Duration LAG_MAX = Duration.ofMillis(3000);
    @TempDir Path dir;

    @BeforeAll
    static void bed() {
        Bed.assumeAvailable();
    }

    static Stream<String> examples() {
        return Example.names().stream();
    }

    @ParameterizedTest(name = "examples/{0}")
    @MethodSource("examples")
    void theExampleDrainsWithoutAFailedRequest(String name) throws IOException {
        Example e = Example.load(name);
        boolean nginx = e.apps().get(0).getImage().startsWith(Manifests.NGINX_IMAGE);
        // nginx closes idle keep-alive connections at once on SIGQUIT, which only an HTTP balancer
        // absorbs (see RollingTerminationIT); the HTTP-drain app runs behind an L4 one, like kube-proxy.
        Lb.Mode mode = nginx ? Lb.Mode.INGRESS : Lb.Mode.KUBE_PROXY;
        java.util.Map<String, String> env = e.sidecarEnv(java.util.Map.of("metadata.name", "x", "metadata.namespace",
                "x", "metadata.uid", "x"));
        long delayMs = Duration.parse("PT" + env.get("GRACEKEEPER_DRAIN_DELAY").toUpperCase()).toMillis();
        if ("endpoints".equals(env.get("GRACEKEEPER_PROPAGATION"))) {
            endpointsMode(e, mode, Duration.parse("PT" + env.get("GRACEKEEPER_PROPAGATION_MARGIN").toUpperCase()));
            return;
        }
        try (Replicas r = new Replicas(dir, 2, (pod, podDir) -> Manifests.pod(e, pod, podDir), Manifests.appPort(e), mode,
                LAG_MIN, LAG_MAX).startAll()) {
            Wrk wrk = Wrk.start(dir, r.url(nginx ? "/" : "/slow?ms=100"), 16, (int) (delayMs / 1000) + 8);
            Bed.sleep(2000);
            long start = System.nanoTime();
            r.kubelets.get(0).delete();
            long ms = (System.nanoTime() - start) / 1_000_000;
            Wrk.Result load = wrk.await();
            String summary = String.format("examples/%s: 2 replicas behind %s, endpoint lag %d-%d ms, wrk 16"
                    + " keep-alive connections; sidecar from %s; pod0 deleted: pod gone in %d ms (drain delay %d ms);"
                    + " load: %s", name,
                    mode == Lb.Mode.INGRESS ? "an HTTP balancer (like an ingress)" : "an L4 balancer (like kube-proxy)",
                    LAG_MIN.toMillis(), LAG_MAX.toMillis(), r.sidecarRuntime(0), ms, delayMs, load);
            System.out.println(summary);
            capture(e, r, summary);
            assertEquals(0, load.failed(), "no request may fail: " + load + "\n" + r.logs(0));
            assertTrue(load.requests() > 100, "the load ran: " + load);
            assertTrue(ms >= delayMs, "the pod stayed for the propagation delay: " + ms + " ms\n" + r.timeline);
            assertTrue(ms < delayMs + 4000, "the pod went soon after the delay: " + ms + " ms\n" + r.timeline);
            assertNotNull(r.timeline.first("gracekeeper", "exited 0"), "the sidecar exits 0\n" + r.logs(0));
        }
    }

    /**
     * An example in endpoints mode runs against the API server stand-in: the endpoints controller
     * updates the slice after the endpoint lag, the balancer follows within 1 s, below the margin.
     * The pod must stay until the slice changed plus the margin, and go soon after.
     */
    private void endpointsMode(Example e, Lb.Mode mode, Duration margin) throws IOException {
        try (ControlPlane cp = ControlPlane.start(dir, LAG_MIN, LAG_MAX, Duration.ofSeconds(1));
             Replicas r = new Replicas(dir, 2, (pod, podDir) -> cp.inCluster(Manifests.pod(e, pod, podDir)),
                     Manifests.appPort(e), mode, ControlPlane.LB_OWN_LAG, ControlPlane.LB_OWN_LAG)) {
            cp.attach(r);
            r.startAll();
            Wrk wrk = Wrk.start(dir, r.url("/slow?ms=100"), 16, (int) ((LAG_MAX.plus(margin).toMillis()) / 1000) + 8);
            Bed.sleep(2000);
            long start = System.nanoTime();
            r.kubelets.get(0).delete();
            long ms = (System.nanoTime() - start) / 1_000_000;
            Wrk.Result load = wrk.await();
            long lag = cp.appliedLagMs.get("pod0");
            String summary = String.format("examples/%s: 2 replicas behind an L4 balancer (like kube-proxy), the"
                    + " EndpointSlice updated %d-%d ms after the readiness change and the balancer up to 1000 ms after"
                    + " that, wrk 16 keep-alive connections; pod0 deleted: slice changed after %d ms, pod gone in %d ms"
                    + " (margin %d ms); load: %s", e.name, LAG_MIN.toMillis(), LAG_MAX.toMillis(), lag, ms,
                    margin.toMillis(), load);
            System.out.println(summary);
            capture(e, r, summary);
            assertEquals(0, load.failed(), "no request may fail: " + load + "\n" + r.logs(0));
            assertTrue(load.requests() > 100, "the load ran: " + load);
            assertTrue(ms >= lag + margin.toMillis(), "the pod stayed for the slice change and the margin: " + ms
                    + " ms\n" + r.timeline);
            assertTrue(ms < lag + margin.toMillis() + 4000, "the pod went soon after: " + ms + " ms\n" + r.timeline
                    + "\n" + r.logs(0));
            assertNotNull(r.timeline.first("gracekeeper", "exited 0"), "the sidecar exits 0\n" + r.logs(0));
        }
    }

    /** The run's timeline and the sidecar's log, with the bed's paths shown as the manifest's. */
    private void capture(Example e, Replicas r, String summary) throws IOException {
        Path podDir = r.pods.get(0).dir;
        String log = Files.readString(podDir.resolve(r.pods.get(0).name + "-" + Example.SIDECAR + ".log"))
                .lines().filter(l -> !l.startsWith(PodmanRuntime.COMMAND_LINE)).map(l -> l + "\n")
                .collect(java.util.stream.Collectors.joining());
        for (var m : e.sidecar().getVolumeMounts()) {
            log = log.replace(podDir.resolve("volumes").resolve(m.getName()).toString(), m.getMountPath());
        }
        String text = "# " + summary + "\n# Recorded by src/test/java/dev/gracekeeper/e2e/ExamplesIT.java"
                + " (mvn verify -Dit.test=ExamplesIT -Dexamples.capture=true).\n\n"
                + "## the bed's timeline (ms since the bed started)\n" + r.timeline + "\n"
                + "## the sidecar's log of pod0 (kubectl logs POD -c " + Example.SIDECAR + ")\n" + log;
        Path out = Files.createDirectories(Path.of("target", "examples", e.name)).resolve("run.log");
        Files.writeString(out, text);
        if (Boolean.getBoolean("examples.capture")) Files.writeString(e.dir.resolve("run.log"), text);
    }
}
