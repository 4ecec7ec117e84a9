package dev.gracekeeper;

import dev.gracekeeper.app.AppProbe;
import dev.gracekeeper.config.Budget;
import dev.gracekeeper.lifecycle.Clock;
import dev.gracekeeper.lifecycle.Deadline;
import dev.gracekeeper.lifecycle.Lifecycle;
import dev.gracekeeper.lifecycle.Outcome;
import dev.gracekeeper.lifecycle.Phase;
import dev.gracekeeper.lifecycle.ShutdownResult;
import dev.gracekeeper.lifecycle.Trigger;
import dev.gracekeeper.os.StopSignal;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the sidecar does once it is signalled: keep serving hooks, finish the shutdown, let the
 * hook answers go out, wait until the app is gone, and say how to exit. Every wait ends by one
 * exit deadline, T0 + grace period - {@link Budget#EXIT_MARGIN}, before the kubelet's SIGKILL.
 * T0 may come from an earlier sidecar process (the marker), so it is taken as wall time once and
 * turned into a deadline on the monotonic clock.
 */
final class ExitSequence {
    private static final Logger log = LoggerFactory.getLogger("main");
    static final Duration RESPONSE_FLUSH = Duration.ofSeconds(2);
    static final Duration APP_GONE_POLL = Duration.ofMillis(10);

    /** The hook answers still being written; the exit waits (bounded) until they are out. */
    interface Responses {
        boolean awaitFlushed(Duration bound);

        int inFlight();
    }

    private final Lifecycle lifecycle;
    private final Budget budget;
    private final Clock clock;
    private final Responses responses;
    private final boolean canSeeApp;
    private final Supplier<AppProbe.Presence> app;

    ExitSequence(Lifecycle lifecycle, Budget budget, Clock clock, Responses responses, boolean canSeeApp,
                 Supplier<AppProbe.Presence> app) {
        this.lifecycle = lifecycle;
        this.budget = budget;
        this.clock = clock;
        this.responses = responses;
        this.canSeeApp = canSeeApp;
        this.app = app;
    }

    ExitCode onSignal(StopSignal signal) throws InterruptedException {
        Trigger trigger = signal == StopSignal.SIGINT ? Trigger.SIGINT : Trigger.SIGTERM;
        if (lifecycle.snapshot().phase() == Phase.SERVING && canSeeApp && app.get() == AppProbe.Presence.GONE) {
            // Native sidecar: the kubelet signals it only after the app exited. Nothing left to drain.
            log.info("{} received and the app is already gone: exiting (exit {}) without a shutdown", signal,
                    ExitCode.OK.code());
            return ExitCode.OK;
        }
        Lifecycle.Attempt attempt = lifecycle.shutdown(trigger, "");
        log.info("{} received: {} the shutdown of generation {}{}", signal, attempt.join().words(),
                attempt.generation(), attempt.result().isDone() ? "" : "; hooks are still served until it is done");
        Deadline exit = exitDeadline();
        ShutdownResult result;
        try {
            result = attempt.result().get(exit.remaining().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            log.error("the shutdown of generation {} had not finished at T0 + {} ms, just before the kubelet's SIGKILL;"
                    + " exiting (exit {})", attempt.generation(), budget.exitBound().toMillis(),
                    ExitCode.SHUTDOWN_TIMEOUT.code());
            return ExitCode.SHUTDOWN_TIMEOUT;
        } catch (ExecutionException e) {
            log.error("the shutdown of generation {} failed", attempt.generation(), e.getCause());
            return ExitCode.FAILURE;
        }
        if (!responses.awaitFlushed(RESPONSE_FLUSH)) {
            log.warn("{} hook response(s) still unsent after {} ms; exiting anyway", responses.inFlight(),
                    RESPONSE_FLUSH.toMillis());
        }
        ExitCode code = awaitAppGone(exit);
        if (code == ExitCode.OK && result.outcome() == Outcome.TIMED_OUT) code = ExitCode.DRAIN_TIMED_OUT;
        log.info("exiting (exit {}): {}", code.code(), result.summary());
        return code;
    }

    /** T0 + the exit bound, on the monotonic clock; T0 is set once the shutdown has started. */
    Deadline exitDeadline() {
        Instant t0 = lifecycle.snapshot().firstTriggerAt().orElse(clock.now());
        return Deadline.at(clock, t0.plus(budget.exitBound()), "the exit: T0 + grace period - 1s");
    }

    /**
     * The sidecar outlives the app, so a late preStop or the app's last requests still find it. An app
     * whose presence cannot be read (the connection tables unreadable) is not taken for gone: the
     * sidecar stays, as for an app still there, and says why.
     */
    private ExitCode awaitAppGone(Deadline exit) {
        if (!canSeeApp) return ExitCode.OK;
        long start = clock.nanoTime();
        AppProbe.Presence seen;
        boolean saidUnknown = false;
        while ((seen = app.get()) != AppProbe.Presence.GONE) {
            if (seen == AppProbe.Presence.UNKNOWN && !saidUnknown) {
                saidUnknown = true;
                log.warn("cannot tell whether the app is still there (its connection tables cannot be read): staying"
                        + " until it is seen gone, or until T0 + {} ms", budget.exitBound().toMillis());
            }
            if (exit.expired()) {
                log.warn("the app is {} at T0 + {} ms (grace period - {} ms margin): exiting before the kubelet's"
                        + " SIGKILL (exit {})", seen == AppProbe.Presence.UNKNOWN ? "still not known to be gone"
                        : "still there", budget.exitBound().toMillis(), Budget.EXIT_MARGIN.toMillis(),
                        ExitCode.APP_STILL_RUNNING.code());
                return ExitCode.APP_STILL_RUNNING;
            }
            LockSupport.parkNanos(Math.min(APP_GONE_POLL.toNanos(), exit.remaining().toNanos()));
        }
        log.info("the app is gone, {} ms after the shutdown finished", clock.millisSince(start));
        return ExitCode.OK;
    }
}
