package dev.gracekeeper.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gracekeeper.Poll;
import dev.gracekeeper.drain.PropagationDelay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LifecycleTest {
    @TempDir Path dir;

    /** A step that counts its runs and, when gated, waits for the test to open the gate. */
    static class GatedStep implements ShutdownStep {
        final String name;
        final AtomicInteger runs = new AtomicInteger();
        final CountDownLatch gate;

        GatedStep(String name, boolean gated) {
            this.name = name;
            this.gate = new CountDownLatch(gated ? 1 : 0);
        }

        @Override public String name() { return name; }

        @Override public String run(StepContext ctx) throws InterruptedException {
            runs.incrementAndGet();
            assertTrue(gate.await(10, TimeUnit.SECONDS), "gate opened within 10s");
            return "ran";
        }
    }

    Lifecycle lifecycle(ShutdownStep... steps) {
        return lifecycle(Duration.ofSeconds(25), steps);
    }

    Lifecycle lifecycle(Duration bound, ShutdownStep... steps) {
        MarkerStore store = new MarkerStore(dir);
        return new Lifecycle(store, store.load(""), List.of(steps), Clock.SYSTEM, "", bound);
    }

    @Test
    void hundredConcurrentTriggersRunExactlyOneShutdown() throws Exception {
        GatedStep step = new GatedStep("work", true);
        Lifecycle lc = lifecycle(step);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<Lifecycle.Attempt>> calls = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Trigger t = i % 3 == 0 ? Trigger.SIGTERM : Trigger.PRESTOP_HOOK;
            calls.add(pool.submit(() -> lc.shutdown(t, "")));
        }
        List<Lifecycle.Attempt> attempts = new ArrayList<>();
        for (Future<Lifecycle.Attempt> f : calls) attempts.add(f.get(5, TimeUnit.SECONDS));
        pool.shutdown();
        assertEquals(1, attempts.stream().filter(a -> a.join() == Lifecycle.Join.STARTED).count());
        assertEquals(99, attempts.stream().filter(a -> a.join() == Lifecycle.Join.JOINED).count());
        assertFalse(attempts.get(0).result().isDone(), "callers wait while the shutdown runs");
        assertEquals(Phase.DRAINING, lc.snapshot().phase());
        step.gate.countDown();
        ShutdownResult first = attempts.get(0).result().get(5, TimeUnit.SECONDS);
        for (Lifecycle.Attempt a : attempts) assertEquals(first, a.result().get(5, TimeUnit.SECONDS));
        assertEquals(1, step.runs.get());
        assertEquals(Phase.DRAINED, lc.snapshot().phase());
    }

    @Test
    void triggerAfterCompletionReturnsTheStoredResultWithoutRunningAgain() throws Exception {
        GatedStep step = new GatedStep("work", false);
        Lifecycle lc = lifecycle(step);
        ShutdownResult r = lc.shutdown(Trigger.PRESTOP_HOOK, "").result().get(5, TimeUnit.SECONDS);
        Lifecycle.Attempt again = lc.shutdown(Trigger.SIGTERM, "");
        assertEquals(Lifecycle.Join.ALREADY_DONE, again.join());
        assertTrue(again.result().isDone());
        assertEquals(r, again.result().join());
        assertEquals(1, step.runs.get());
    }

    @Test
    void completedShutdownIsRememberedAcrossARestart() throws Exception {
        GatedStep step = new GatedStep("work", false);
        ShutdownResult r = lifecycle(step).shutdown(Trigger.PRESTOP_HOOK, "").result().get(5, TimeUnit.SECONDS);
        Lifecycle restarted = lifecycle(step);
        assertEquals(Phase.DRAINED, restarted.snapshot().phase());
        Lifecycle.Attempt again = restarted.shutdown(Trigger.PRESTOP_HOOK, "");
        assertEquals(Lifecycle.Join.ALREADY_DONE, again.join());
        assertEquals(r.startedAt(), again.result().join().startedAt());
        assertEquals(1, step.runs.get());
    }

    @Test
    void interruptedShutdownResumesOnItsOriginalDeadlineSkippingDoneSteps() throws Exception {
        Instant t0 = Instant.now().minusMillis(1000);
        new MarkerStore(dir).write(new Marker("", 4, Phase.DRAINING, Optional.of(Trigger.PRESTOP_HOOK), Optional.of(t0),
                List.of("work"), Optional.empty(), Optional.empty(), "", t0), 1);
        GatedStep step = new GatedStep("work", false);
        Lifecycle lc = lifecycle(step, new PropagationDelay(Duration.ofMillis(1600), Clock.SYSTEM));
        assertEquals(Phase.INTERRUPTED, lc.snapshot().phase());
        assertFalse(lc.snapshot().phase().ready());

        long start = System.nanoTime();
        long left = 1600 - Duration.between(t0, Instant.now()).toMillis();   // the set-up itself takes time
        Lifecycle.Attempt a = lc.shutdown(Trigger.PRESTOP_HOOK, "");
        ShutdownResult r = a.result().get(5, TimeUnit.SECONDS);
        long waitedMs = (System.nanoTime() - start) / 1_000_000;

        assertEquals(Lifecycle.Join.RESUMED, a.join());
        assertEquals(0, step.runs.get(), "a step done before the restart is not repeated");
        assertEquals(t0, r.startedAt(), "the deadline is measured from the first trigger");
        assertEquals(4, r.generation());
        System.out.println("resumed shutdown waited " + waitedMs + " ms of a 1600 ms delay, " + left + " ms left");
        assertTrue(waitedMs >= left - 100 && waitedMs < left + 400, "waited " + waitedMs + " ms, expected " + left);
    }

    @Test
    void poststartAfterADrainedShutdownStartsANewGenerationThatShutsDownAgain() throws Exception {
        GatedStep step = new GatedStep("work", false);
        Lifecycle lc = lifecycle(step);
        lc.shutdown(Trigger.PRESTOP_HOOK, "").result().get(5, TimeUnit.SECONDS);
        Snapshot s = lc.poststart("").get(5, TimeUnit.SECONDS);
        assertEquals(Phase.SERVING, s.phase());
        assertEquals(2, s.generation());
        assertTrue(s.firstTrigger().isEmpty());
        Lifecycle.Attempt a = lc.shutdown(Trigger.PRESTOP_HOOK, "");
        assertEquals(Lifecycle.Join.STARTED, a.join());
        assertEquals(2, a.result().get(5, TimeUnit.SECONDS).generation());
        assertEquals(2, step.runs.get());
    }

    @Test
    void poststartDuringADrainWaitsForThatShutdownThenStartsTheNextGeneration() throws Exception {
        GatedStep step = new GatedStep("work", true);
        Lifecycle lc = lifecycle(step);
        lc.shutdown(Trigger.PRESTOP_HOOK, "");
        CompletableFuture<Snapshot> post = lc.poststart("");
        assertFalse(post.isDone());
        step.gate.countDown();
        Snapshot s = post.get(5, TimeUnit.SECONDS);
        assertEquals(Phase.SERVING, s.phase());
        assertEquals(2, s.generation());
    }

    static ShutdownStep throwing(String name, Throwable t) {
        return new ShutdownStep() {
            @Override public String name() { return name; }

            @Override public String run(StepContext ctx) {
                if (t instanceof Error e) throw e;
                throw (RuntimeException) t;
            }
        };
    }

    @Test
    void failingStepEndsTheShutdownAsFailedButTheNextStepsStillRun() throws Exception {
        GatedStep after = new GatedStep("idle-wait", false);
        Lifecycle lc = lifecycle(throwing("broken", new IllegalStateException("boom")), after);
        ShutdownResult r = lc.shutdown(Trigger.SIGTERM, "").result().get(5, TimeUnit.SECONDS);
        assertEquals(Outcome.FAILED, r.outcome());
        assertEquals("broken failed: java.lang.IllegalStateException: boom; idle-wait: ran", r.detail());
        assertEquals(1, after.runs.get(), "the step after the broken one ran");
        assertEquals(List.of("idle-wait"), r.stepsDone(), "the broken step is not done, so a resume retries it");
        assertEquals(Phase.DRAINED, lc.snapshot().phase());
    }

    @Test
    void anErrorInAStepStillAnswersEveryCaller() throws Exception {
        Lifecycle lc = lifecycle(throwing("broken", new StackOverflowError("deep")));
        Lifecycle.Attempt first = lc.shutdown(Trigger.SIGTERM, "");
        ShutdownResult r = first.result().get(5, TimeUnit.SECONDS);
        assertEquals(Outcome.FAILED, r.outcome());
        assertTrue(r.detail().contains("StackOverflowError"), r.detail());
        assertEquals(Lifecycle.Join.ALREADY_DONE, lc.shutdown(Trigger.PRESTOP_HOOK, "").join());
    }

    @Test
    void budgetDeadlineIsMeasuredFromTheFirstTriggerEvenAfterARestart() throws Exception {
        Instant t0 = Instant.now().minusMillis(700);
        new MarkerStore(dir).write(new Marker("", 2, Phase.DRAINING, Optional.of(Trigger.SIGTERM), Optional.of(t0),
                List.of(), Optional.empty(), Optional.empty(), "", t0), 1);
        ShutdownStep waitsForBudget = new ShutdownStep() {
            @Override public String name() { return "waits"; }

            @Override public String run(StepContext ctx) throws InterruptedException {
                ctx.budget().await(new CountDownLatch(1));
                ctx.unfinished("still busy");
                return "budget spent";
            }
        };
        Lifecycle lc = lifecycle(Duration.ofMillis(1500), waitsForBudget);
        ShutdownResult r = lc.shutdown(Trigger.PRESTOP_HOOK, "").result().get(5, TimeUnit.SECONDS);
        long total = r.duration().toMillis();
        System.out.println("budget of 1500 ms from T0 ended the shutdown " + total + " ms after T0");
        assertTrue(total >= 1480 && total < 2000, "ended at T0 + 1500 ms: " + total);
        assertEquals(Outcome.TIMED_OUT, r.outcome());
    }

    @Test
    void stepFiguresReachTheResultAndListenersHearOfItBeforeCallers() throws Exception {
        GatedStep gate = new GatedStep("gate", true);
        ShutdownStep counts = new ShutdownStep() {
            @Override public String name() { return "counts"; }

            @Override public String run(StepContext ctx) {
                ctx.figure(Figure.CONNECTIONS_AT_DRAIN_START, 3);
                return "3 open";
            }
        };
        Lifecycle lc = lifecycle(gate, counts);
        List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<ShutdownResult> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        lc.onFinished(r -> {
            order.add("listener");
            heard.add(r);
        });
        var result = lc.shutdown(Trigger.SIGTERM, "").result();
        var caller = result.thenRun(() -> order.add("caller"));   // attached while the gate holds the shutdown
        gate.gate.countDown();
        ShutdownResult r = result.get(5, TimeUnit.SECONDS);
        caller.get(5, TimeUnit.SECONDS);
        assertEquals(java.util.Map.of(Figure.CONNECTIONS_AT_DRAIN_START, 3L), r.figures());
        assertEquals(List.of(r), heard);
        assertEquals(List.of("listener", "caller"), order);
        assertEquals("gracekeeper: generation 1 drained in " + r.duration().toMillis()
                + " ms (first trigger SIGTERM): gate: ran; counts: 3 open", r.summary());
    }

    @Test
    void everyTransitionIsInTheMarkerBeforeCallersAreAnswered() throws Exception {
        GatedStep work = new GatedStep("work", true);
        Lifecycle lc = lifecycle(work);
        var result = lc.shutdown(Trigger.PRESTOP_HOOK, "").result();
        var atAnswer = result.thenApply(r -> {
            try {
                return Marker.parse(Files.readString(dir.resolve(MarkerStore.FILE)));   // as the caller is answered
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        work.gate.countDown();
        Marker m = atAnswer.get(5, TimeUnit.SECONDS);
        assertEquals(Phase.DRAINED, m.phase());
        assertEquals(List.of("work"), m.stepsDone());
        assertEquals(Optional.of(Outcome.DRAINED), m.outcome());
    }

    @Test
    void aRepeatableStepIsWrittenWithTheNextWriteAndAnActionAtOnce() throws Exception {
        GatedStep wait = new GatedStep("wait", false) {
            @Override public boolean repeatable() { return true; }
        };
        GatedStep act = new GatedStep("act", true);
        GatedStep last = new GatedStep("last-wait", true) {
            @Override public boolean repeatable() { return true; }
        };
        Lifecycle lc = lifecycle(wait, act, last);
        var result = lc.shutdown(Trigger.PRESTOP_HOOK, "").result();
        Poll.until(Duration.ofSeconds(5), "act runs", () -> act.runs.get() == 1);
        assertEquals(List.of(), marker().stepsDone(), "the wait's end alone wrote nothing");
        act.gate.countDown();
        Poll.until(Duration.ofSeconds(5), "the last wait runs", () -> last.runs.get() == 1);
        Poll.until(Duration.ofSeconds(5), "the action is written", () -> marker().stepsDone().equals(List.of("wait", "act")));
        last.gate.countDown();
        result.get(5, TimeUnit.SECONDS);
        assertEquals(List.of("wait", "act", "last-wait"), marker().stepsDone());
        assertEquals(Phase.DRAINED, marker().phase());
    }

    Marker marker() {
        try {
            return Marker.parse(Files.readString(dir.resolve(MarkerStore.FILE)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
