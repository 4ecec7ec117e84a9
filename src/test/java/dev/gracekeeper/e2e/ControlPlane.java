package dev.gracekeeper.e2e;

import dev.gracekeeper.it.ApiServer;
import dev.gracekeeper.it.SliceStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The control plane's part in taking a pod out of a Service, in two lags: the endpoints controller
 * updates the pod's EndpointSlice in an API server stand-in a random control-plane lag after the
 * kubelet's readiness changes (at once on deletion), and the load balancer acts on the slice a
 * random data-plane lag after that. The stand-in listens on the host side of a veth of its own,
 * so every pod reaches it over its default route, over TLS with a token.
 */
final class ControlPlane implements AutoCloseable {
    static final String SERVICE = "web";
    static final String SLICE = "web-x7k2p";
    /** What makes the Lb's own readiness path inert: the control plane drives the balancer instead. */
    static final Duration LB_OWN_LAG = Duration.ofDays(1);

    final ApiServer api;
    private final Pod host;
    private final Duration controlMin;
    private final Duration controlMax;
    private final Duration dataMax;
    private final ScheduledExecutorService lag = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "control-plane-lag");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, AtomicLong> latest = new ConcurrentHashMap<>();
    /** The control-plane lag of each pod's last change, once applied. */
    final Map<String, Long> appliedLagMs = new ConcurrentHashMap<>();

    private ControlPlane(ApiServer api, Pod host, Duration controlMin, Duration controlMax, Duration dataMax) {
        this.api = api;
        this.host = host;
        this.controlMin = controlMin;
        this.controlMax = controlMax;
        this.dataMax = dataMax;
    }

    static ControlPlane start(Path dir, Duration controlMin, Duration controlMax, Duration dataMax) throws IOException {
        Path d = Files.createDirectories(dir.resolve("apiserver"));
        Pod host = Pod.create("apiserver", Replicas.nextSubnet(), false, d);
        try {
            return new ControlPlane(ApiServer.start(host.hostAddress, d), host, controlMin, controlMax, dataMax);
        } catch (RuntimeException e) {
            host.close();
            throw e;
        }
    }

    /** The sidecar's env for endpoints mode (POD_UID comes from each pod's spec). */
    Map<String, String> sidecarEnv() {
        Map<String, String> env = new java.util.HashMap<>(api.sidecarEnv("-"));
        env.remove("POD_UID");
        return env;
    }

    /** {@code spec} with the sidecar pointed at this control plane's API server. */
    PodSpec inCluster(PodSpec spec) {
        List<PodSpec.ContainerSpec> containers = new ArrayList<>();
        for (PodSpec.ContainerSpec c : spec.containers()) {
            if (!c.name().equals(Specs.SIDECAR)) {
                containers.add(c);
                continue;
            }
            Map<String, String> env = new java.util.HashMap<>(c.env());
            env.putAll(sidecarEnv());
            containers.add(c.env(env));
        }
        return new PodSpec(spec.name(), spec.terminationGracePeriodSeconds(), spec.shareProcessNamespace(), containers);
    }

    /** Lists every pod of {@code r} in the Service's slice, not ready yet, and follows their readiness. */
    void attach(Replicas r) {
        List<SliceStore.Endpoint> eps = new ArrayList<>();
        for (Pod p : r.pods) eps.add(new SliceStore.Endpoint(p.name, "uid-" + p.name, p.ip, false));
        api.slices().put(SERVICE, SLICE, eps);
        for (int i = 0; i < r.pods.size(); i++) {
            String pod = r.pods.get(i).name;
            r.kubelets.get(i).onReadiness(ready -> changed(r, pod, ready));
        }
    }

    private void changed(Replicas r, String pod, boolean ready) {
        long seq = latest.computeIfAbsent(pod, k -> new AtomicLong()).incrementAndGet();
        long controlMs = random(controlMin.toMillis(), controlMax.toMillis());
        long dataMs = random(0, dataMax.toMillis());
        lag.schedule(() -> {
            if (latest.get(pod).get() != seq) return;           // a later change supersedes this one
            api.slices().setReady(SLICE, "uid-" + pod, ready);
            appliedLagMs.put(pod, controlMs);
            r.timeline.add("control-plane", "slice " + SLICE + ": " + pod + " ready=" + ready + " (control-plane lag "
                    + controlMs + " ms)");
            lag.schedule(() -> {
                try {
                    r.lb.command("set server be/" + pod + " state " + (ready ? "ready" : "maint"));
                    r.timeline.add("lb", pod + (ready ? " in rotation" : " out of rotation") + " (data-plane lag "
                            + dataMs + " ms)");
                } catch (IOException e) {
                    r.timeline.add("lb", "runtime API failed: " + e);
                }
            }, dataMs, TimeUnit.MILLISECONDS);
        }, controlMs, TimeUnit.MILLISECONDS);
    }

    private static long random(long min, long max) {
        return max > min ? min + ThreadLocalRandom.current().nextLong(max - min + 1) : min;
    }

    @Override
    public void close() {
        lag.shutdownNow();
        api.close();
        host.close();
    }
}
