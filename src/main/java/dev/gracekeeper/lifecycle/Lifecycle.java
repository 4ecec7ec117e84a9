package dev.gracekeeper.lifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one coordinator of the sidecar's state. Every trigger (the preStop hook, SIGTERM, SIGINT, a
 * re-delivered hook) reaches {@link #shutdown}: the first starts the shutdown of the current
 * generation, later ones join it and get the same result. Transitions happen under one lock and
 * publish an immutable {@link Snapshot}; marker I/O and the steps run outside it.
 */
public final class Lifecycle {
    private static final Logger log = LoggerFactory.getLogger("lifecycle");

    private final Object lock = new Object();
    private final MarkerStore store;
    private final StepRunner runner;
    private final Clock clock;
    private final String podUid;
    private final Duration shutdownBound;
    private final List<Consumer<ShutdownResult>> listeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> startListeners = new CopyOnWriteArrayList<>();
    private volatile Snapshot snapshot;
    private CompletableFuture<ShutdownResult> running;      // guarded by lock; set while DRAINING

    /** The name of the whole shutdown's deadline, as logs and results show it. */
    public static final String BUDGET = "the budget: T0 + grace period - stop reserve";
    /** A postStart waits for a running shutdown at most its bound plus this, in case of a bug there. */
    static final Duration POSTSTART_JOIN_SLACK = Duration.ofSeconds(5);

    /** How a call to {@link #shutdown} met the shutdown: started or resumed it, joined it, or found it done. */
    public enum Join {
        STARTED, RESUMED, JOINED, ALREADY_DONE;

        /** For /status and hook answers: {@code already_done}. */
        public String label() { return name().toLowerCase(Locale.ROOT); }

        /** For the log: {@code already done}. */
        public String words() { return label().replace('_', ' '); }
    }

    public record Attempt(Join join, long generation, CompletableFuture<ShutdownResult> result) {}

    /**
     * @param shutdownBound how long after the first trigger (T0) the shutdown must be over
     */
    public Lifecycle(MarkerStore store, MarkerStore.Load loaded, List<ShutdownStep> steps, Clock clock,
                     String podUid, Duration shutdownBound) {
        this.shutdownBound = shutdownBound;
        this.store = store;
        this.runner = new StepRunner(steps, clock);
        this.clock = clock;
        this.podUid = podUid;
        this.snapshot = initial(loaded, clock.now());
        logTransition(snapshot);
        persist(snapshot);
    }

    private static Snapshot initial(MarkerStore.Load loaded, Instant now) {
        if (!(loaded instanceof MarkerStore.Found)) {
            String why = loaded instanceof MarkerStore.Discarded d ? "marker discarded: " + d.why()
                    : ((MarkerStore.Absent) loaded).why();
            return fresh(1, now, "sidecar started (" + why + ")");
        }
        Marker m = ((MarkerStore.Found) loaded).marker();
        switch (m.phase()) {
            case SERVING:
                return fresh(m.generation(), now, "sidecar restarted; marker shows this generation serving");
            case DRAINING: {
                Snapshot s = new Snapshot(0, Phase.INTERRUPTED, m.generation(), m.firstTrigger(), m.firstTriggerAt(),
                        m.stepsDone(), Optional.empty(), Optional.empty(), List.of(new Transition(Phase.INTERRUPTED, m.generation(), now,
                        "sidecar restarted during a shutdown begun at " + m.firstTriggerAt().orElseThrow()
                                + " (steps done: " + (m.stepsDone().isEmpty() ? "none" : String.join(",", m.stepsDone()))
                                + "); the next trigger resumes it on its original deadline")));
                return s;
            }
            case DRAINED: {
                ShutdownResult r = new ShutdownResult(m.generation(), m.outcome().orElseThrow(),
                        m.firstTrigger().orElseThrow(), m.firstTriggerAt().orElseThrow(), m.finishedAt().orElseThrow(),
                        m.stepsDone(), m.detail(), Map.of());
                return new Snapshot(0, Phase.DRAINED, m.generation(), m.firstTrigger(), m.firstTriggerAt(),
                        m.stepsDone(), Optional.empty(), Optional.of(r), List.of(new Transition(Phase.DRAINED, m.generation(), now,
                        "sidecar restarted; marker shows this generation's shutdown finished at "
                                + r.finishedAt())));
            }
            default:
                throw new IllegalStateException("marker phase " + m.phase());
        }
    }

    private static Snapshot fresh(long generation, Instant now, String cause) {
        return new Snapshot(0, Phase.SERVING, generation, Optional.empty(), Optional.empty(), List.of(),
                Optional.empty(), Optional.empty(), List.of(new Transition(Phase.SERVING, generation, now, cause)));
    }

    /** The current state, without taking the lock. */
    public Snapshot snapshot() { return snapshot; }

    /**
     * Starts, resumes, joins or returns the shutdown of the current generation. Never blocks:
     * the returned future completes when the shutdown has finished.
     */
    public Attempt shutdown(Trigger trigger, String detail) {
        Snapshot started;
        Attempt attempt;
        synchronized (lock) {
            Snapshot s = snapshot;
            switch (s.phase()) {
                case DRAINING:
                    return new Attempt(Join.JOINED, s.generation(), running);
                case DRAINED:
                    return new Attempt(Join.ALREADY_DONE, s.generation(),
                            CompletableFuture.completedFuture(s.lastResult().orElseThrow()));
                case SERVING:
                case INTERRUPTED:
                    boolean resume = s.phase() == Phase.INTERRUPTED;
                    Instant now = clock.now();
                    Snapshot base = resume ? s
                            : s.withShutdown(Optional.of(trigger), Optional.of(now), List.of());
                    started = transition(base, Phase.DRAINING, s.generation(), resume
                            ? "resumed by " + trigger.label() + detail + ", first triggered at "
                              + s.firstTriggerAt().orElseThrow()
                            : "shutdown triggered by " + trigger.label() + detail);
                    running = new CompletableFuture<>();
                    attempt = new Attempt(resume ? Join.RESUMED : Join.STARTED, s.generation(), running);
                    break;
                default:
                    throw new IllegalStateException("phase " + s.phase());
            }
        }
        logTransition(started);
        Snapshot first = started;
        Thread t = new Thread(() -> runShutdown(first, attempt.result()), "shutdown-" + first.generation());
        t.setDaemon(true);
        t.start();
        return attempt;
    }

    /**
     * A new app instance started. While a shutdown runs, the new generation begins once it has
     * finished (the old instance's shutdown is bounded by its own deadline). Never blocks the
     * caller (the hook server's I/O thread): the marker is written on another thread, and the
     * future completes once the marker holds the new generation.
     */
    public CompletableFuture<Snapshot> poststart(String detail) {
        CompletableFuture<ShutdownResult> wait;
        Snapshot next;
        synchronized (lock) {
            Snapshot s = snapshot;
            if (s.phase() == Phase.DRAINING) {
                wait = running;
                next = null;
            } else {
                wait = null;
                Snapshot cleared = s.withShutdown(Optional.empty(), Optional.empty(), List.of());
                next = transition(cleared, Phase.SERVING, s.generation() + 1, "poststart hook" + detail
                        + (s.phase() == Phase.SERVING ? "" : " after " + s.phase().label()));
            }
        }
        if (wait != null) {
            log.info("poststart{} arrived while generation {} drains; it waits for that shutdown to finish",
                    detail, snapshot.generation());
            // The shutdown is bounded by its own deadline; this bound only guards against a bug there.
            return wait.copy().orTimeout(shutdownBound.plus(POSTSTART_JOIN_SLACK).toMillis(), TimeUnit.MILLISECONDS)
                    .handle((r, e) -> null).thenCompose(x -> poststart(detail));
        }
        logTransition(next);
        return CompletableFuture.supplyAsync(() -> {
            persist(next);
            return next;
        });
    }

    /**
     * Called on the shutdown's thread when a shutdown starts or resumes, before its first step and while
     * the marker is written: a listener looks and notes, it does not act.
     */
    public void onStarted(Runnable listener) { startListeners.add(listener); }

    /** Called with every finished shutdown, after the marker is written and before callers are answered. */
    public void onFinished(Consumer<ShutdownResult> listener) { listeners.add(listener); }

    private void runShutdown(Snapshot first, CompletableFuture<ShutdownResult> result) {
        try {
            result.complete(drain(first));
        } catch (Throwable e) {
            // Whatever broke, callers parked on this shutdown must be answered.
            log.error("generation {}: shutdown could not finish normally", first.generation(), e);
            result.completeExceptionally(e);
            throw e;
        }
    }

    private ShutdownResult drain(Snapshot first) {
        // The start listeners only look (the restart watch notes the app's listeners, one walk of the
        // connection tables), so they run while the marker takes T0; no step runs before it has.
        CompletableFuture<Void> written = CompletableFuture.runAsync(() -> persist(first));
        for (Runnable l : startListeners) {
            try {
                l.run();
            } catch (RuntimeException e) {
                log.error("shutdown start listener failed", e);
            }
        }
        written.join();
        Instant t0 = first.firstTriggerAt().orElseThrow();
        StepContext ctx = new StepContext(t0, Deadline.at(clock, t0.plus(shutdownBound), BUDGET));
        StepRunner.Run run = runner.run(first.generation(), ctx, first.stepsDone(), new StepRunner.Progress() {
            @Override public void started(Snapshot.Step step) {
                synchronized (lock) {
                    snapshot = snapshot.withStep(Optional.of(step));
                }
            }

            @Override public void finished(ShutdownStep step, List<String> stepsDone) {
                Snapshot s;
                synchronized (lock) {
                    s = snapshot.withShutdown(snapshot.firstTrigger(), snapshot.firstTriggerAt(), stepsDone)
                            .withStep(Optional.empty());
                    snapshot = s;
                }
                if (!step.repeatable()) persist(s);
            }
        });
        ShutdownResult r = new ShutdownResult(first.generation(), run.outcome(), first.firstTrigger().orElseThrow(),
                t0, clock.now(), run.done(), run.detail(), ctx.figures());
        Snapshot finished;
        synchronized (lock) {
            finished = transition(snapshot.withResult(r).withStep(Optional.empty()), Phase.DRAINED,
                    first.generation(), "shutdown " + run.outcome().label() + " in " + r.duration().toMillis()
                            + " ms since the first trigger");
        }
        logTransition(finished);
        persist(finished);
        for (Consumer<ShutdownResult> l : listeners) {
            try {
                l.accept(r);
            } catch (RuntimeException e) {
                log.error("shutdown listener failed", e);
            }
        }
        return r;
    }

    /** The one guarded transition: checks legality and publishes the snapshot. Caller holds the lock. */
    private Snapshot transition(Snapshot from, Phase to, long generation, String cause) {
        Phase current = snapshot.phase();
        if (!current.next().contains(to)) {
            throw new IllegalStateException("illegal transition " + current + " -> " + to
                    + "; from " + current + " only " + current.next() + " are legal");
        }
        Snapshot next = from.to(to, generation, clock.now(), cause);
        snapshot = next;
        return next;
    }

    private static void logTransition(Snapshot s) {
        Transition t = s.current();
        log.info("generation {} {}: {}", t.generation(), t.phase().label(), t.cause());
    }

    private void persist(Snapshot s) {
        store.write(Marker.of(s, podUid, clock.now()), s.version());
    }
}
