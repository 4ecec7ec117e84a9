package dev.gracekeeper.e2e;

import dev.gracekeeper.e2e.PodSpec.ContainerSpec;
import dev.gracekeeper.e2e.PodSpec.HttpGet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Drives one pod the way the kubelet does (see shared docs, kubelet-hooks.md): containers start
 * one by one in spec order, each waiting for the previous one's postStart (no timeout of its own)
 * and, for a native sidecar, its startupProbe; hooks are GETs to the pod IP with the kubelet's
 * headers, from the host side; the status code is ignored and only a transport error fails a hook.
 * On deletion every container stops in parallel: preStop (waited for at most the grace period
 * G), then SIGTERM with what is left of G in whole seconds, at least 2 s, then SIGKILL. A native
 * sidecar gets SIGTERM only after every regular container has exited. Faults can be injected.
 */
final class Kubelet implements AutoCloseable {
    static final String USER_AGENT = "kube-lifecycle/1.34";
    /** A test-suite bound on waits the real kubelet leaves open (postStart): never hang the build. */
    static final Duration SUITE_BOUND = Duration.ofSeconds(120);

    /** Injected faults. */
    static final class Faults {
        boolean duplicatePreStop;               // the hook request is sent twice at once
        long kubeletRestartAfterMs = -1;        // a new kubelet re-sends preStop with a fresh full grace period
        boolean losePostStart;                  // postStart never sent (kubelet restart mid-start)
    }

    final PodSpec spec;
    final Pod pod;
    final Timeline timeline;
    final Faults faults = new Faults();
    private final Map<String, Pod.Container> running = new LinkedHashMap<>();
    private final List<Consumer<Boolean>> readinessListeners = new ArrayList<>();
    private volatile boolean ready;
    private volatile String lastProbe = "no probe yet";
    private volatile boolean terminating;
    private volatile boolean closed;
    private Thread prober;
    private final Duration probePeriod;

    Kubelet(PodSpec spec, Pod pod, Timeline timeline, Duration probePeriod) {
        this.spec = spec;
        this.pod = pod;
        this.timeline = timeline;
        this.probePeriod = probePeriod;
    }

    /** Hears the pod's readiness as the endpoints controller does: at once, on every change. */
    void onReadiness(Consumer<Boolean> listener) { readinessListeners.add(listener); }

    boolean ready() { return ready; }

    /** The readiness as last probed, with the answer, for a failure message. */
    String readiness() { return (ready ? "ready" : "not ready") + "; last probe " + lastProbe; }

    Pod.Container container(String name) {
        synchronized (running) {
            return running.get(name);
        }
    }

    /** Starts the containers in order; returns once the last one's postStart returned. */
    void start() {
        for (ContainerSpec c : spec.startOrder()) startContainer(c);
        prober = new Thread(this::probeLoop, "kubelet-probe-" + pod.name);
        prober.setDaemon(true);
        prober.start();
    }

    private void startContainer(ContainerSpec c) {
        Pod.Container pc = pod.start(c);
        synchronized (running) {
            running.put(c.name(), pc);
        }
        event(c.name(), "started pid " + pc.pid);
        if (c.startupProbe().isPresent()) {
            long end = System.nanoTime() + SUITE_BOUND.toNanos();
            while (!probe(c.startupProbe().get())) {
                if (System.nanoTime() - end > 0 || !pc.alive()) {
                    throw new AssertionError("startupProbe of " + c.name() + " never passed:\n" + pc.log());
                }
                Bed.sleep(50);
            }
            event(c.name(), "startupProbe passed");
        }
        if (c.postStart().isPresent()) {
            if (faults.losePostStart) {
                event(c.name(), "postStart lost (fault)");
            } else {
                HookResult r = hook(c.postStart().get(), SUITE_BOUND);
                event(c.name(), "postStart " + r);
                if (!r.ok()) {
                    // FailedPostStartHook: the container is killed (its preStop runs first) and restarted.
                    event(c.name(), "FailedPostStartHook");
                    stop(c, pc, System.nanoTime());
                    Pod.Container again = pod.start(c);
                    synchronized (running) {
                        running.put(c.name(), again);
                    }
                    event(c.name(), "restarted pid " + again.pid);
                }
            }
        }
    }

    /** Kills a container the way a liveness failure does (preStop, SIGTERM, SIGKILL), then restarts it; no postStart if lost. */
    Pod.Container restartContainer(String name, boolean withPostStart) {
        ContainerSpec c = spec.containers().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
        stop(c, container(name), System.nanoTime());
        Pod.Container again = pod.start(c);
        synchronized (running) {
            running.put(c.name(), again);
        }
        event(name, "restarted pid " + again.pid);
        if (withPostStart && c.postStart().isPresent()) event(name, "postStart " + hook(c.postStart().get(), SUITE_BOUND));
        return again;
    }

    private void event(String who, String what) {
        timeline.add(pod.name, who, what);
    }

    /** The kubelet's default readiness failureThreshold: one slow probe does not take a pod out. */
    static final int FAILURE_THRESHOLD = 3;

    private void probeLoop() {
        int failedInARow = 0;
        while (!closed) {
            boolean passed = true;
            for (ContainerSpec c : spec.containers()) {
                if (c.readinessProbe().isPresent() && !probe(c.readinessProbe().get())) passed = false;
            }
            failedInARow = passed ? 0 : failedInARow + 1;
            boolean all = !terminating && (passed || (ready && failedInARow < FAILURE_THRESHOLD));
            if (all != ready) {
                ready = all;
                event("kubelet", "pod " + (all ? "ready" : "not ready"));
                for (Consumer<Boolean> l : readinessListeners) l.accept(all);
            }
            Bed.sleep(probePeriod.toMillis());
        }
    }

    /** Deletes the pod: every container stopped in parallel; returns when all have exited. */
    void delete() {
        long t0 = System.nanoTime();
        terminating = true;
        event("kubelet", "pod deleted (grace " + spec.terminationGracePeriodSeconds() + "s)");
        if (ready) {
            ready = false;
            for (Consumer<Boolean> l : readinessListeners) l.accept(false);   // endpoints: terminating at once
        }
        List<CompletableFuture<Void>> apps = new ArrayList<>();
        Map<String, CompletableFuture<HookResult>> sidecarPreStops = new HashMap<>();
        List<ContainerSpec> sidecars = new ArrayList<>();
        for (ContainerSpec c : spec.startOrder()) {
            Pod.Container pc = container(c.name());
            if (c.kind() == PodSpec.Kind.APP) {
                apps.add(CompletableFuture.runAsync(() -> stop(c, pc, t0)));
            } else {
                sidecars.add(0, c);                                             // reverse order
                sidecarPreStops.put(c.name(), c.preStop().isPresent()
                        ? CompletableFuture.supplyAsync(() -> hook(c.preStop().get(), graceOf(t0)))
                        : CompletableFuture.completedFuture(null));
            }
        }
        CompletableFuture.allOf(apps.toArray(new CompletableFuture<?>[0])).join();
        for (ContainerSpec c : sidecars) {
            sidecarPreStops.get(c.name()).join();            // bounded by the grace period in hook()
            signalThenKill(c.name(), container(c.name()), t0);
        }
        event("kubelet", "pod gone");
    }

    private Duration graceOf(long t0) {
        long left = TimeUnit.SECONDS.toNanos(spec.terminationGracePeriodSeconds()) - (System.nanoTime() - t0);
        return Duration.ofNanos(Math.max(0, left));
    }

    /** preStop (bounded by G), then SIGTERM with the rest of G in whole seconds (at least 2 s), then SIGKILL. */
    private void stop(ContainerSpec c, Pod.Container pc, long t0) {
        if (c.preStop().isPresent()) {
            event(c.name(), "preStop " + (c.preStop().get() instanceof PodSpec.HttpGet h ? "GET " + h.path()
                    : "sleep") + " sent");
            CompletableFuture<HookResult> first = CompletableFuture.supplyAsync(() -> hook(c.preStop().get(), SUITE_BOUND));
            if (faults.duplicatePreStop) {
                CompletableFuture.runAsync(() -> event(c.name(), "preStop (duplicate) " + hook(c.preStop().get(),
                        SUITE_BOUND)));
            }
            long until = faults.kubeletRestartAfterMs >= 0 ? TimeUnit.MILLISECONDS.toNanos(faults.kubeletRestartAfterMs)
                    : TimeUnit.SECONDS.toNanos(spec.terminationGracePeriodSeconds());
            HookResult r = await(first, t0 + until);
            if (faults.kubeletRestartAfterMs >= 0) {
                // The kubelet restarted: the old request stays in flight, nobody waits for it; the new
                // kubelet starts the termination over with a fresh full grace period.
                event("kubelet", "restarted; preStop of " + c.name() + " sent again with a fresh grace period");
                first.thenAccept(old -> event(c.name(), "preStop (before the kubelet restart) " + old));
                t0 = System.nanoTime();
                first = CompletableFuture.supplyAsync(() -> hook(c.preStop().get(), SUITE_BOUND));
                r = await(first, t0 + TimeUnit.SECONDS.toNanos(spec.terminationGracePeriodSeconds()));
            }
            event(c.name(), "preStop " + (r == null ? "still running at the end of the grace period" : r));
        }
        signalThenKill(c.name(), pc, t0);
    }

    private void signalThenKill(String name, Pod.Container pc, long t0) {
        long elapsedWholeSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        long remaining = Math.max(2, spec.terminationGracePeriodSeconds() - elapsedWholeSeconds);
        if (pc.alive()) {
            event(name, "SIGTERM (" + remaining + "s before SIGKILL)");
            pc.signal("TERM");
        }
        if (pc.awaitExit(Duration.ofSeconds(remaining))) {
            event(name, "exited " + pc.exitCode());
        } else {
            event(name, "SIGKILL");
            pc.signal("KILL");
            pc.awaitExit(Duration.ofSeconds(5));
            event(name, "killed, exit " + (pc.alive() ? "?" : pc.exitCode()));
        }
    }

    private static HookResult await(CompletableFuture<HookResult> f, long deadlineNanos) {
        try {
            return f.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return new HookResult(false, 0, "", 0, e.getCause().toString());
        }
    }

    /** A hook's outcome: ok unless a transport error; the status code is recorded, never judged. */
    record HookResult(boolean ok, int status, String body, long ms, String error) {
        @Override public String toString() {
            return !ok ? "FAILED after " + ms + " ms: " + error
                    : status == 0 ? "slept " + ms + " ms" : "returned " + status + " after " + ms + " ms";
        }
    }

    /** A kubelet hook: no request timeout of its own ({@code bound} only keeps the suite from hanging). */
    HookResult hook(PodSpec.Handler h, Duration bound) {
        if (h instanceof PodSpec.Sleep sleep) {
            long start = System.nanoTime();
            Bed.sleep(Math.min(sleep.duration().toMillis(), bound.toMillis()));
            return new HookResult(true, 0, "", (System.nanoTime() - start) / 1_000_000, null);
        }
        return get((HttpGet) h, bound, true);
    }

    /** A probe: 1 s timeout, 200-399 is success. */
    boolean probe(HttpGet h) {
        HookResult r = get(h, Duration.ofSeconds(1), false);
        lastProbe = "GET :" + h.port() + h.path() + " " + r + (r.ok() ? ": " + r.body().strip() : "");
        return r.ok() && r.status() >= 200 && r.status() < 400;
    }

    private HookResult get(HttpGet h, Duration bound, boolean hook) {
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(pod.ip, h.port()), (int) Math.max(1, bound.toMillis()));
            s.setSoTimeout((int) Math.max(1, bound.toMillis()));
            StringBuilder req = new StringBuilder("GET " + h.path() + " HTTP/1.1\r\nHost: " + pod.ip + ":" + h.port()
                    + "\r\nUser-Agent: " + (hook ? USER_AGENT : "kube-probe/1.34") + "\r\nAccept: */*\r\n"
                    + "Accept-Encoding: gzip\r\nConnection: close\r\n");
            h.headers().forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
            OutputStream out = s.getOutputStream();
            out.write(req.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) > 0 && all.size() < 16 * 1024) all.write(buf, 0, n);
            String text = all.toString(StandardCharsets.ISO_8859_1);
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (!text.startsWith("HTTP/1.")) {
                return new HookResult(false, 0, "", ms, "EOF before a status line");
            }
            int status = Integer.parseInt(text.substring(9, 12));
            int body = text.indexOf("\r\n\r\n");
            return new HookResult(true, status, body < 0 ? "" : text.substring(body + 4), ms, null);
        } catch (IOException | RuntimeException e) {
            return new HookResult(false, 0, "", (System.nanoTime() - start) / 1_000_000, e.toString());
        }
    }

    @Override
    public void close() {
        closed = true;
        if (prober != null) {
            try {
                prober.join(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
