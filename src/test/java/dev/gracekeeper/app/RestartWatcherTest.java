package dev.gracekeeper.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gracekeeper.config.AppConfig;
import dev.gracekeeper.lifecycle.Clock;
import dev.gracekeeper.lifecycle.Lifecycle;
import dev.gracekeeper.lifecycle.MarkerStore;
import dev.gracekeeper.lifecycle.Phase;
import dev.gracekeeper.lifecycle.Trigger;
import dev.gracekeeper.os.ProcNetTcp;
import dev.gracekeeper.os.TcpTables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new app instance after a drain brings readiness back, seen through connection tables and
 * counters written by the test, on a clock it moves.
 */
class RestartWatcherTest {
    static final int PORT = 8080;
    @TempDir Path dir;
    Lifecycle lifecycle;
    RestartWatcher watcher;
    long inuse = 1;
    /** Moved on by each change of the tables: the watch walks the tables at most every 2 s. */
    final java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
    final Clock clock = new Clock() {
        @Override public long nanoTime() { return nanos.get(); }

        @Override public java.time.Instant now() { return java.time.Instant.EPOCH.plusNanos(nanos.get()); }
    };

    /** The app's listening socket (or none), and counters that moved, as a real change moves them. */
    void table(long... listenerInodes) throws Exception {
        StringBuilder sb = new StringBuilder(TcpTables.TCP_HEADER);
        for (int i = 0; i < listenerInodes.length; i++) sb.append(TcpTables.line(i, PORT, 0, 0x0A, listenerInodes[i]));
        Files.writeString(dir.resolve("tcp"), sb.toString());
        TcpTables.stats(dir, 0, ++inuse);
        nanos.addAndGet(RestartWatcher.WALK_AT_MOST_EVERY.plusSeconds(1).toNanos());
    }

    @BeforeEach
    void drainedApp() throws Exception {
        table(4242);
        AppConnections c = new AppConnections(List.of(PORT), new ProcNetTcp(dir.resolve("tcp")),
                TcpTables.stats(dir, 0, inuse), clock, () -> 0L);    // walks cost nothing: no budget wait
        AppConfig app = new AppConfig(Optional.empty(), "POST", Optional.empty(), Optional.empty(), List.of(PORT),
                Optional.empty(), Duration.ofSeconds(1), false, 0);
        AppProbe probe = new AppProbe(app, Optional.empty(), c, null);
        MarkerStore store = new MarkerStore(Files.createDirectories(dir.resolve("state")));
        lifecycle = new Lifecycle(store, store.load(""), List.of(), Clock.SYSTEM, "", Duration.ofSeconds(20));
        watcher = new RestartWatcher(lifecycle, probe);
        lifecycle.onStarted(watcher::shutdownStarted);
        lifecycle.shutdown(Trigger.PRESTOP_HOOK, "").result().get(5, TimeUnit.SECONDS);
        assertEquals(Phase.DRAINED, lifecycle.snapshot().phase());
    }

    @Test
    void drainedInstanceStillListeningStaysDrained() throws Exception {
        table(4242);
        watcher.tick();
        assertEquals(Phase.DRAINED, lifecycle.snapshot().phase());
        assertEquals(1, lifecycle.snapshot().generation());
    }

    @Test
    void appGoneThenListeningAgainStartsTheNextGeneration() throws Exception {
        table();
        watcher.tick();
        assertEquals(Phase.DRAINED, lifecycle.snapshot().phase(), "gone is not yet back");
        table(4242);
        watcher.tick();
        assertEquals(Phase.SERVING, lifecycle.snapshot().phase());
        assertEquals(2, lifecycle.snapshot().generation());
    }

    @Test
    void listenerReplacedBetweenTwoLooksIsANewInstance() throws Exception {
        table(4343);
        watcher.tick();
        assertEquals(Phase.SERVING, lifecycle.snapshot().phase());
        assertEquals(2, lifecycle.snapshot().generation());
    }

    @Test
    void drainedAppClosingOneOfItsListenersIsNotANewInstance() throws Exception {
        table(4242, 4243);
        lifecycle.poststart("").get(5, TimeUnit.SECONDS);
        lifecycle.shutdown(Trigger.PRESTOP_HOOK, "").result().get(5, TimeUnit.SECONDS);
        table(4242);
        watcher.tick();
        assertEquals(Phase.DRAINED, lifecycle.snapshot().phase());
    }

    @Test
    void servingAppIsLeftAlone() throws Exception {
        lifecycle.poststart("").get(5, TimeUnit.SECONDS);
        table(9999);
        watcher.tick();
        assertEquals(2, lifecycle.snapshot().generation(), "no generation started while serving");
    }

    /**
     * A shutdown resumed after a sidecar restart, just as the watch starts a new generation: the
     * postStart waits for that shutdown, and the shutdown's start notes the drained instance in the
     * watcher. Neither may wait for the other.
     */
    @Test
    void aShutdownResumedWhileTheWatchStartsAGenerationIsNotHeldUp() throws Exception {
        Path resumed = Files.createDirectories(dir.resolve("resumed"));
        java.util.concurrent.CountDownLatch cut = new java.util.concurrent.CountDownLatch(1);
        dev.gracekeeper.lifecycle.ShutdownStep stuck = new dev.gracekeeper.lifecycle.ShutdownStep() {
            @Override public String name() { return "stuck"; }

            @Override public String run(dev.gracekeeper.lifecycle.StepContext ctx) throws InterruptedException {
                cut.await(20, TimeUnit.SECONDS);
                return "cut";
            }
        };
        MarkerStore before = new MarkerStore(resumed);
        var cutShort = new Lifecycle(before, before.load(""), List.of(stuck), Clock.SYSTEM, "", Duration.ofSeconds(20))
                .shutdown(Trigger.PRESTOP_HOOK, "").result();
        dev.gracekeeper.Poll.until(Duration.ofSeconds(5), "the first process's shutdown is under way",
                () -> readMarker(resumed).contains("phase=draining"));

        // The sidecar restarted: the marker shows a shutdown cut short.
        MarkerStore store = new MarkerStore(resumed);
        java.util.concurrent.CountDownLatch stepRuns = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch finish = new java.util.concurrent.CountDownLatch(1);
        dev.gracekeeper.lifecycle.ShutdownStep step = new dev.gracekeeper.lifecycle.ShutdownStep() {
            @Override public String name() { return "stuck"; }

            @Override public String run(dev.gracekeeper.lifecycle.StepContext ctx) throws InterruptedException {
                stepRuns.countDown();
                finish.await(20, TimeUnit.SECONDS);
                return "ran";
            }
        };
        Lifecycle restarted = new Lifecycle(store, store.load(""), List.of(step), Clock.SYSTEM, "", Duration.ofSeconds(20));
        assertEquals(Phase.INTERRUPTED, restarted.snapshot().phase());
        AppConnections c = new AppConnections(List.of(PORT), new ProcNetTcp(dir.resolve("tcp")),
                TcpTables.stats(dir, 0, inuse), clock, () -> 0L);
        AppConfig app = new AppConfig(Optional.empty(), "POST", Optional.empty(), Optional.empty(), List.of(PORT),
                Optional.empty(), Duration.ofSeconds(1), false, 0);
        RestartWatcher w = new RestartWatcher(restarted, new AppProbe(app, Optional.empty(), c, null));
        java.util.concurrent.CountDownLatch other = new java.util.concurrent.CountDownLatch(1);
        restarted.onStarted(() -> {
            try {
                other.await(20, TimeUnit.SECONDS);         // another start listener, slower than the watch
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        restarted.onStarted(w::shutdownStarted);

        table();
        assertEquals(Optional.empty(), w.newInstance(), "gone");
        table(4242);
        String why = w.newInstance().orElseThrow();
        restarted.shutdown(Trigger.SIGTERM, "");            // resumes the shutdown cut short
        Thread generation = new Thread(() -> w.startGeneration(why));
        generation.start();
        dev.gracekeeper.Poll.until(Duration.ofSeconds(5), "the postStart waits for the shutdown",
                () -> generation.getState() == Thread.State.WAITING || generation.getState() == Thread.State.TIMED_WAITING);
        other.countDown();
        assertTrue(stepRuns.await(5, TimeUnit.SECONDS), "the resumed shutdown got past its start");
        finish.countDown();
        generation.join(10_000);
        assertEquals(Phase.SERVING, restarted.snapshot().phase(), "then the new generation began");
        cut.countDown();
        cutShort.get(10, TimeUnit.SECONDS);               // the earlier process's last write, before the dir goes
    }

    static String readMarker(Path dir) {
        try {
            return Files.readString(dir.resolve(MarkerStore.FILE));
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
