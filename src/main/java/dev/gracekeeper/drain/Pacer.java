package dev.gracekeeper.drain;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Paces a polling loop so that its own CPU time stays within a duty cycle of one core: the interval
 * is what the last cycles cost divided by the duty, between a shortest and a longest interval. On a
 * quiet node a look costs tens of microseconds and the loop runs at the shortest interval; when the
 * node is so busy that each wake-up costs more, the loop looks less often instead of costing more.
 * Cycles the caller marks as exceptional (a walk of the connection tables, budgeted on its own) do not
 * count.
 */
final class Pacer {
    private static final double WEIGHT = 0.2;                 // of the newest cycle in the running mean

    private final long min;
    private final long max;
    private final double duty;
    private final LongSupplier cpuNanos;
    private long lastCpu;
    private double meanCycle;
    private long interval;

    Pacer(Duration min, Duration max, double duty, LongSupplier cpuNanos) {
        this.min = min.toNanos();
        this.max = max.toNanos();
        this.duty = duty;
        this.cpuNanos = cpuNanos;
        this.lastCpu = cpuNanos.getAsLong();
        this.interval = this.min;
    }

    /** Call once per cycle, after its look: how long to park before the next one. */
    long next(boolean exceptional) {
        long cpu = cpuNanos.getAsLong();
        long cycle = cpu - lastCpu;
        lastCpu = cpu;
        if (!exceptional) {
            meanCycle = meanCycle == 0 ? cycle : meanCycle + WEIGHT * (cycle - meanCycle);
            interval = Math.max(min, Math.min(max, (long) (meanCycle / duty)));
        }
        return interval;
    }
}
