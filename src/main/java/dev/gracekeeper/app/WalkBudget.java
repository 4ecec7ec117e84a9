package dev.gracekeeper.app;

import java.time.Duration;

/**
 * What walks of the connection tables may cost: {@link #DUTY} of one core, in the walking thread's
 * CPU time (which holds the kernel's share), with a burst of {@link #BURST}. A token bucket on the
 * monotonic clock; not thread-safe, its owner guards it.
 */
final class WalkBudget {
    static final double DUTY = 0.10;
    static final Duration BURST = Duration.ofMillis(500);

    private long tokens = BURST.toNanos();
    private long refilledAt;

    WalkBudget(long now) {
        this.refilledAt = now;
    }

    /** Refills for the time since the last call. */
    void refill(long now) {
        tokens = Math.min(BURST.toNanos(), tokens + (long) ((now - refilledAt) * DUTY));
        refilledAt = now;
    }

    boolean spent() { return tokens <= 0; }

    /** Charges a walk's CPU time. */
    void charge(long cpuNanos) { tokens -= cpuNanos; }
}
