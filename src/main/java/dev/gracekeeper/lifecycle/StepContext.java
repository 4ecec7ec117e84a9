package dev.gracekeeper.lifecycle;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a step knows of the shutdown it belongs to: when it was first triggered (T0, possibly in
 * an earlier sidecar process), the deadline of the whole budget, and where to record figures and
 * unfinished business for the result.
 */
public final class StepContext {
    private final Instant firstTriggerAt;
    private final Deadline budget;
    private final Map<Figure, Long> figures = new ConcurrentHashMap<>();
    private volatile String unfinished;

    StepContext(Instant firstTriggerAt, Deadline budget) {
        this.firstTriggerAt = firstTriggerAt;
        this.budget = budget;
    }

    public Instant firstTriggerAt() { return firstTriggerAt; }

    /** The deadline of the whole shutdown: T0 + grace period - stop reserve. */
    public Deadline budget() { return budget; }

    /** Records a figure of the shutdown, e.g. connections when the idle wait began. */
    public void figure(Figure figure, long value) { figures.put(figure, value); }

    /** Marks the shutdown as timed out, with what was still going on. */
    public void unfinished(String what) { this.unfinished = what; }

    Map<Figure, Long> figures() { return Map.copyOf(figures); }

    String unfinished() { return unfinished; }
}
