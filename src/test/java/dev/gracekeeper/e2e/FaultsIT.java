package dev.gracekeeper.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gracekeeper.e2e.PodSpec.HttpGet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fault matrix, each on a real pod in the bed driven by the kubelet emulator. */
class FaultsIT {
    @TempDir Path dir;

    @BeforeAll
    static void bed() {
        Bed.assumeAvailable();
    }

    static Specs.Options options() {
        Specs.Options o = new Specs.Options();
        o.drainDelay = Duration.ofMillis(1500);
        return o;
    }

    Replicas one(Specs.Options o) {
        return new Replicas(dir, 1, o, Lb.Mode.INGRESS, Duration.ofMillis(100), Duration.ofMillis(300)).startAll();
    }

    /** A pod without a load balancer in front, for the faults at startup. */
    static Pod lonePod(Path podDir) {
        try {
            return Pod.create("pod0", Replicas.nextSubnet(), false, java.nio.file.Files.createDirectories(podDir));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static HttpGet shutdownHook() {
        return HttpGet.of("/shutdown", Specs.SIDECAR_PORT).withHeader("X-Gracekeeper-Token", Specs.TOKEN);
    }

    static String sidecarLog(Replicas r) { return r.kubelets.get(0).container("gracekeeper").log(); }

    static int count(String log, String needle) {
        int n = 0;
        for (int i = log.indexOf(needle); i >= 0; i = log.indexOf(needle, i + 1)) n++;
        return n;
    }

    @Test
    void aHundredConcurrentShutdownsAndADuplicateDeliveryRunOneShutdown() {
        try (Replicas r = one(options())) {
            Kubelet k = r.kubelets.get(0);
            List<CompletableFuture<Kubelet.HookResult>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> k.hook(shutdownHook(), Duration.ofSeconds(30))));
            }
            k.faults.duplicatePreStop = true;
            k.delete();
            for (CompletableFuture<Kubelet.HookResult> c : calls) {
                Kubelet.HookResult h = c.join();
                assertTrue(h.ok() && h.status() == 200, h + "\n" + r.logs(0));
            }
            String log = sidecarLog(r);
            assertEquals(1, count(log, "shutdown triggered by"), log);
            assertEquals(1, count(log, "step app-drain-http"), "the app was told to drain once\n" + log);
            assertNotNull(r.timeline.first("app", "preStop (duplicate) returned 200"), r.logs(0));
        }
    }

    @Test
    void sidecarKilledMidShutdownAndRestartedResumesOnTheOriginalDeadlineWhenTheHookComesAgain() {
        Specs.Options o = options();
        o.drainDelay = Duration.ofSeconds(3);
        try (Replicas r = one(o)) {
            Kubelet k = r.kubelets.get(0);
            long t0 = System.nanoTime();
            CompletableFuture<Kubelet.HookResult> first = CompletableFuture.supplyAsync(
                    () -> k.hook(shutdownHook(), Duration.ofSeconds(30)));
            Path marker = r.pods.get(0).dir.resolve("state/gracekeeper.marker");
            Bed.await(Duration.ofSeconds(10), "the marker records the shutdown's T0", () -> {
                try {
                    return Files.readString(marker).contains("phase=draining");
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            k.container("gracekeeper").signal("KILL");
            assertFalse(first.join().ok(), "the kubelet's first delivery failed with the sidecar");
            Pod.Container again = r.pods.get(0).start("gracekeeper", k.spec.containers().get(0).command(),
                    k.spec.containers().get(0).env());
            Bed.await(Duration.ofSeconds(20), "sidecar back", () -> k.probe(HttpGet.of("/healthz", Specs.SIDECAR_PORT)));
            Kubelet.HookResult second = k.hook(shutdownHook(), Duration.ofSeconds(30));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(second.ok() && second.body().contains("\"join\":\"resumed\""), second + "\n" + again.log());
            assertTrue(ms >= 2900 && ms < 5000, "answered on the original T0 + 3 s, not a fresh delay: " + ms);
            System.out.println("SIGKILL mid-shutdown, restart, re-delivery: answered " + ms + " ms after the first T0");
        }
    }

    @ParameterizedTest(name = "SIGTERM {0} the preStop call")
    @ValueSource(strings = {"before", "after"})
    void sigtermReachingTheSidecarBeforeOrAfterThePreStopStillDrainsOnce(String order) {
        try (Replicas r = one(options())) {
            Kubelet k = r.kubelets.get(0);
            Pod.Container sidecar = k.container("gracekeeper");
            CompletableFuture<Kubelet.HookResult> hook;
            if (order.equals("before")) {
                sidecar.signal("TERM");
                awaitLog(sidecar, "SIGTERM received");
                hook = CompletableFuture.supplyAsync(() -> k.hook(shutdownHook(), Duration.ofSeconds(30)));
            } else {
                hook = CompletableFuture.supplyAsync(() -> k.hook(shutdownHook(), Duration.ofSeconds(30)));
                awaitLog(sidecar, "generation 1 draining");
                sidecar.signal("TERM");
            }
            Kubelet.HookResult h = hook.join();
            assertTrue(h.ok() && h.body().contains("\"outcome\":\"drained\""), h + "\n" + sidecar.log());
            k.container("app").signal("TERM");
            assertTrue(sidecar.awaitExit(Duration.ofSeconds(10)), sidecar.log());
            assertEquals(0, sidecar.exitCode(), sidecar.log());
            assertEquals(1, count(sidecar.log(), "step app-drain-http"), sidecar.log());
        }
    }

    @Test
    void appThatHangsOnDrainIsCutAtTheBudgetAndTheKubeletStillHasTheStopReserve() {
        Specs.Options o = options();
        o.graceSeconds = 6;
        o.stopReserve = Duration.ofSeconds(2);
        o.drainDelay = Duration.ofMillis(500);
        try (Replicas r = one(o)) {
            Wrk hung = Wrk.start(dir, r.url("/slow?ms=60000"), 2, 8);   // two requests that never finish in time
            Bed.await(Duration.ofSeconds(10), "both hung requests reached the app",
                    () -> appConnections(r.pods.get(0)) >= 2);
            long start = System.nanoTime();
            r.kubelets.get(0).delete();
            long ms = (System.nanoTime() - start) / 1_000_000;
            hung.await();
            String log = sidecarLog(r);
            Timeline.Event hook = r.timeline.first("app", "preStop returned 200");
            assertNotNull(hook, r.logs(0));
            Matcher took = Pattern.compile("preStop returned 200 after (\\d+) ms").matcher(hook.what());
            assertTrue(took.find() && Long.parseLong(took.group(1)) <= 4300,
                    "the hook returned by grace - reserve = 4 s: " + hook + "\n" + r.logs(0));
            assertNotNull(r.timeline.first("app", "SIGTERM (2s before SIGKILL)"),
                    "the hung app still got its whole stop reserve\n" + r.logs(0));
            assertTrue(log.contains("timed-out"), log);
            assertNotNull(r.timeline.first("gracekeeper", "exited 6"), "exit 6: drain timed out\n" + r.logs(0));
            assertTrue(ms < 6500, "gone within the grace period: " + ms + "\n" + r.logs(0));
            System.out.println("app hung on drain: pod gone in " + ms + " ms (grace 6 s, reserve 2 s)");
        }
    }

    @ParameterizedTest(name = "postStart on timeout: {0}")
    @ValueSource(strings = {"proceed", "fail"})
    void appThatNeverBecomesReady(String policy) {
        Specs.Options o = options();
        // A native sidecar: with a classic one the app's postStart can reach the sidecar before it
        // listens, and the kubelet kills the app (the bed shows it; see the README's Install).
        o.sidecar = Specs.Sidecar.NATIVE;
        o.appPostStart = true;
        o.appReadyAfterMs = -1;
        o.sidecarEnv.put("GRACEKEEPER_POSTSTART_TIMEOUT", "1s");
        o.sidecarEnv.put("GRACEKEEPER_POSTSTART_ON_TIMEOUT", policy);
        Path podDir = dir.resolve("pod0");
        try (Pod pod = lonePod(podDir);
             Kubelet k = new Kubelet(Specs.pod("pod0", podDir, o), pod, new Timeline(), Duration.ofMillis(300))) {
            k.start();
            // Decided once the sidecar's postStart timeout (1 s) has passed, either way.
            Bed.await(Duration.ofSeconds(15), "the app's postStart decided", () -> k.timeline.first("app",
                    "postStart returned") != null || k.timeline.first("app", "FailedPostStartHook") != null);
            assertFalse(k.ready(), "never ready: " + k.timeline);
            if (policy.equals("proceed")) {
                assertNotNull(k.timeline.first("app", "postStart returned 200"), k.timeline.toString());
                assertTrue(k.timeline.first("app", "FailedPostStartHook") == null, k.timeline.toString());
            } else {
                assertNotNull(k.timeline.first("app", "FailedPostStartHook"), k.timeline.toString());
                assertNotNull(k.timeline.first("app", "restarted"), "the kubelet restarted the app\n" + k.timeline);
            }
        }
    }

    @Test
    void appRestartedAfterALivenessFailureWithoutPostStartComesBackIntoRotation() {
        try (Replicas r = one(options())) {
            Kubelet k = r.kubelets.get(0);
            k.restartContainer("app", false);               // preStop, SIGTERM, then a new instance, no postStart
            Bed.await(Duration.ofSeconds(15), "pod ready and in rotation again",
                    () -> k.ready() && r.inRotation() == 1);
            assertTrue(sidecarLog(r).contains("new app instance detected while drained"), sidecarLog(r));
        }
    }

    private static void awaitLog(Pod.Container c, String line) {
        Bed.await(Duration.ofSeconds(10), c.name + " logged '" + line + "'", () -> c.log().contains(line));
    }

    /** Established connections to the app's port inside the pod, as the kernel has them. */
    private static int appConnections(Pod pod) {
        String ss = Bed.run("ip", "netns", "exec", pod.netns, "ss", "-Htn", "state", "established",
                "( sport = :" + Specs.APP_PORT + " )");
        return (int) ss.lines().filter(l -> !l.isBlank()).count();
    }
}
