package dev.gracekeeper.config;

import java.time.Duration;
import java.util.Optional;

/**
 * One budget for the whole shutdown: it must end by T0 + grace period - stop reserve, so that the
 * kubelet's SIGTERM still leaves the app its stop reserve before SIGKILL. The delay and the
 * idle wait are carved out of it.
 *
 * @param drainTimeout optional cap of the idle wait, below what the budget leaves
 */
public record Budget(Duration gracePeriod, Duration stopReserve, Duration drainDelay,
                     Optional<Duration> drainTimeout) {
    /** The sidecar exits this long before the kubelet's SIGKILL would arrive, whatever happens. */
    public static final Duration EXIT_MARGIN = Duration.ofSeconds(1);
    private static final String GRACE_PERIOD_NAME = Var.GRACE_PERIOD.envName();
    private static final String STOP_RESERVE_NAME = Var.STOP_RESERVE.envName();
    private static final String DRAIN_DELAY_NAME = Var.DRAIN_DELAY.envName();
    private static final String DRAIN_TIMEOUT_NAME = Var.DRAIN_TIMEOUT.envName();

    /** Time from T0 by which the shutdown must be over. */
    public Duration shutdownBound() {
        return gracePeriod.minus(stopReserve);
    }

    /**
     * Time from T0 by which the sidecar exits after SIGTERM even if the app is still there: a
     * margin before the kubelet's SIGKILL. The stop reserve is at least that margin (the parser
     * refuses less), so this is never before the shutdown bound.
     */
    public Duration exitBound() {
        return gracePeriod.minus(EXIT_MARGIN);
    }

    /** The arithmetic as one readable line, for logs and errors. */
    public String explain() {
        return "shutdown ends by T0 + " + Durations.format(shutdownBound()) + " (" + GRACE_PERIOD_NAME + " "
                + Durations.format(gracePeriod) + " - " + STOP_RESERVE_NAME + " " + Durations.format(stopReserve)
                + "): delay " + Durations.format(drainDelay) + ", then up to "
                + Durations.format(shutdownBound().minus(drainDelay)) + " for the app to drain"
                + drainTimeout.map(t -> " (capped at " + Durations.format(t) + " by " + DRAIN_TIMEOUT_NAME + ")")
                        .orElse("");
    }

    /** Problems that make the budget impossible, each naming the variables and the arithmetic. */
    static Optional<String> check(Duration grace, Duration reserve, Duration delay, Optional<Duration> timeout) {
        if (reserve.compareTo(grace) >= 0) {
            return Optional.of(STOP_RESERVE_NAME + " " + Durations.format(reserve)
                    + " leaves nothing of " + GRACE_PERIOD_NAME + " " + Durations.format(grace)
                    + "; valid: a stop reserve below the grace period");
        }
        Duration bound = grace.minus(reserve);
        if (delay.compareTo(bound) >= 0) {
            return Optional.of(DRAIN_DELAY_NAME + " " + Durations.format(delay) + " does not fit: the shutdown must"
                    + " end by " + GRACE_PERIOD_NAME + " " + Durations.format(grace) + " - " + STOP_RESERVE_NAME + " "
                    + Durations.format(reserve) + " = " + Durations.format(bound) + " after the first trigger;"
                    + " valid: a delay below " + Durations.format(bound)
                    + ", or a longer grace period (terminationGracePeriodSeconds too)");
        }
        Duration left = bound.minus(delay);
        if (timeout.isPresent() && timeout.get().compareTo(left) > 0) {
            return Optional.of(DRAIN_TIMEOUT_NAME + " " + Durations.format(timeout.get())
                    + " can never apply: the budget leaves at most " + Durations.format(left)
                    + " for the app to drain (" + GRACE_PERIOD_NAME + " " + Durations.format(grace)
                    + " - " + STOP_RESERVE_NAME + " " + Durations.format(reserve) + " - " + DRAIN_DELAY_NAME + " "
                    + Durations.format(delay) + "); valid: at most " + Durations.format(left) + ", or unset");
        }
        return Optional.empty();
    }
}
