package dev.gracekeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gracekeeper.app.AppProbe.Presence;
import dev.gracekeeper.config.Budget;
import dev.gracekeeper.lifecycle.Clock;
import dev.gracekeeper.lifecycle.Lifecycle;
import dev.gracekeeper.lifecycle.MarkerStore;
import dev.gracekeeper.lifecycle.Phase;
import dev.gracekeeper.lifecycle.ShutdownStep;
import dev.gracekeeper.lifecycle.StepContext;
import dev.gracekeeper.lifecycle.Trigger;
import dev.gracekeeper.os.StopSignal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exit after a stop signal, on a clock the test moves: each exit code for the case it names. */
class ExitSequenceTest {
    @TempDir Path dir;
    final FakeClock clock = new FakeClock();
    final Budget budget = new Budget(Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ZERO, Optional.empty());
    final CountDownLatch never = new CountDownLatch(1);
    final AtomicInteger flushes = new AtomicInteger();
    boolean flushed = true;

    static final class FakeClock implements Clock {
        final AtomicLong nanos = new AtomicLong();
        final Instant start = Instant.parse("2026-11-30T10:00:00Z");

        @Override public long nanoTime() { return nanos.get(); }

        @Override public Instant now() { return start.plusNanos(nanos.get()); }

        void advance(Duration d) { nanos.addAndGet(d.toNanos()); }
    }

    final List<Lifecycle> made = new java.util.ArrayList<>();

    /** Lets a held shutdown finish before the temp dir goes: it still writes its marker. */
    @AfterEach
    void finishShutdowns() throws Exception {
        never.countDown();
        for (Lifecycle lc : made) {
            if (lc.snapshot().phase() == Phase.DRAINING) {
                lc.shutdown(Trigger.PRESTOP_HOOK, "").result().get(10, TimeUnit.SECONDS);
            }
        }
    }

    Lifecycle lifecycle(ShutdownStep... steps) {
        MarkerStore store = new MarkerStore(dir);
        Lifecycle lc = new Lifecycle(store, store.load(""), List.of(steps), clock, "", budget.shutdownBound());
        made.add(lc);
        return lc;
    }

    ExitSequence exit(Lifecycle lc, boolean canSeeApp, Supplier<Presence> app) {
        return new ExitSequence(lc, budget, clock, new ExitSequence.Responses() {
            @Override public boolean awaitFlushed(Duration bound) {
                flushes.incrementAndGet();
                return flushed;
            }

            @Override public int inFlight() { return flushed ? 0 : 1; }
        }, canSeeApp, app);
    }

    static ShutdownStep step(String name, StepBody body) {
        return new ShutdownStep() {
            @Override public String name() { return name; }

            @Override public String run(StepContext ctx) throws InterruptedException { return body.run(ctx); }
        };
    }

    interface StepBody { String run(StepContext ctx) throws InterruptedException; }

    @Test
    void appAlreadyGoneWhenSignalledExitsZeroWithoutAShutdown() throws Exception {
        Lifecycle lc = lifecycle();
        assertEquals(ExitCode.OK, exit(lc, true, () -> Presence.GONE).onSignal(StopSignal.SIGTERM));
        assertEquals(Phase.SERVING, lc.snapshot().phase(), "no shutdown was started");
    }

    @Test
    void drainedShutdownThenAppGoneExitsZeroAfterTheAnswersAreOut() throws Exception {
        AtomicInteger looks = new AtomicInteger();
        Lifecycle lc = lifecycle(step("work", ctx -> "done"));
        ExitCode code = exit(lc, true, () -> looks.incrementAndGet() < 3 ? Presence.PRESENT : Presence.GONE)
                .onSignal(StopSignal.SIGINT);
        assertEquals(ExitCode.OK, code);
        assertEquals(Phase.DRAINED, lc.snapshot().phase());
        assertEquals(1, flushes.get());
        assertTrue(looks.get() >= 3, "waited for the app to go: " + looks.get() + " looks");
    }

    @Test
    void timedOutDrainExitsSixOnceTheAppIsGone() throws Exception {
        Lifecycle lc = lifecycle(step("idle", ctx -> {
            ctx.unfinished("2 connections still open");
            return "timed out";
        }));
        AtomicInteger looks = new AtomicInteger();
        ExitSequence e = exit(lc, true, () -> looks.incrementAndGet() == 1 ? Presence.PRESENT : Presence.GONE);
        assertEquals(ExitCode.DRAIN_TIMED_OUT, e.onSignal(StopSignal.SIGTERM));
    }

    @Test
    void appStillThereAtTheExitDeadlineExitsFiveBeforeTheKubeletsKill() throws Exception {
        Lifecycle lc = lifecycle(step("work", ctx -> "done"));
        Supplier<Presence> stays = () -> {
            clock.advance(Duration.ofSeconds(1));       // each look: a second of the grace period gone
            return Presence.PRESENT;
        };
        ExitSequence e = exit(lc, true, stays);
        assertEquals(ExitCode.APP_STILL_RUNNING, e.onSignal(StopSignal.SIGTERM));
        Duration sinceT0 = Duration.between(lc.snapshot().firstTriggerAt().orElseThrow(), clock.now());
        assertTrue(sinceT0.compareTo(budget.exitBound()) >= 0 && sinceT0.compareTo(budget.gracePeriod()) < 0,
                "gave up at T0 + " + sinceT0 + ", after the exit bound and before the grace period's end");
    }

    @Test
    void appOfUnknownPresenceIsNotTakenForGone() throws Exception {
        Lifecycle lc = lifecycle(step("work", ctx -> "done"));
        AtomicInteger looks = new AtomicInteger();
        Supplier<Presence> unreadable = () -> {
            looks.incrementAndGet();
            clock.advance(Duration.ofSeconds(1));
            return Presence.UNKNOWN;
        };
        assertEquals(ExitCode.APP_STILL_RUNNING, exit(lc, true, unreadable).onSignal(StopSignal.SIGTERM));
        assertTrue(looks.get() > 2, "kept looking while unknown: " + looks.get() + " looks");
        Duration sinceT0 = Duration.between(lc.snapshot().firstTriggerAt().orElseThrow(), clock.now());
        assertTrue(sinceT0.compareTo(budget.exitBound()) >= 0, "stayed to the exit bound: T0 + " + sinceT0);
    }

    @Test
    void appUnknownForAWhileThenGoneExitsZero() throws Exception {
        Lifecycle lc = lifecycle(step("work", ctx -> "done"));
        AtomicInteger looks = new AtomicInteger();
        Supplier<Presence> app = () -> switch (looks.incrementAndGet()) {
            case 1 -> Presence.PRESENT;
            case 2, 3, 4 -> Presence.UNKNOWN;
            default -> Presence.GONE;
        };
        assertEquals(ExitCode.OK, exit(lc, true, app).onSignal(StopSignal.SIGTERM));
        assertEquals(5, looks.get(), "looked on through the unknown ones until gone");
    }

    @Test
    void shutdownStillRunningAtTheExitDeadlineExitsFour() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        Lifecycle lc = lifecycle(step("hang", ctx -> {
            clock.advance(Duration.ofSeconds(40));      // past the whole grace period
            started.countDown();
            never.await(10, TimeUnit.SECONDS);
            return "late";
        }));
        lc.shutdown(Trigger.PRESTOP_HOOK, "");
        assertTrue(started.await(5, TimeUnit.SECONDS));
        long before = System.nanoTime();
        assertEquals(ExitCode.SHUTDOWN_TIMEOUT, exit(lc, true, () -> Presence.PRESENT).onSignal(StopSignal.SIGTERM));
        long ms = (System.nanoTime() - before) / 1_000_000;
        assertTrue(ms < 2000, "gave up at once, the deadline being past: " + ms + " ms");
    }

    @Test
    void unsentHookAnswersAreWaitedForThenTheExitGoesOn() throws Exception {
        flushed = false;
        Lifecycle lc = lifecycle(step("work", ctx -> "done"));
        assertEquals(ExitCode.OK, exit(lc, false, () -> Presence.UNKNOWN).onSignal(StopSignal.SIGTERM));
        assertEquals(1, flushes.get());
    }

    @Test
    void exitDeadlineIsMeasuredFromTheFirstTriggerNotFromTheSignal() throws Exception {
        Lifecycle lc = lifecycle(step("hang", ctx -> {
            never.await(10, TimeUnit.SECONDS);
            return "late";
        }));
        lc.shutdown(Trigger.PRESTOP_HOOK, "");
        clock.advance(Duration.ofSeconds(20));          // the signal comes 20 s after the preStop
        Duration left = exit(lc, true, () -> Presence.PRESENT).exitDeadline().remaining();
        assertEquals(budget.exitBound().minusSeconds(20), left);
    }
}
