package dev.gracekeeper.lifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one generation's shutdown, the same for every caller that started or joined it.
 *
 * @param outcome {@code drained}; {@code timed-out} when the budget ran out first (what was left
 *                is in {@code detail}); {@code failed} when a step broke
 * @param figures numbers recorded by the steps, e.g. {@code connections_at_drain_start}
 */
public record ShutdownResult(long generation, String outcome, Trigger firstTrigger, Instant startedAt,
                             Instant finishedAt, List<String> stepsDone, String detail, Map<String, Long> figures) {
    public static final String DRAINED = "drained";
    public static final String TIMED_OUT = "timed-out";
    public static final String FAILED = "failed";

    public ShutdownResult {
        stepsDone = List.copyOf(stepsDone);
        figures = Map.copyOf(figures);
    }

    public Duration duration() { return Duration.between(startedAt, finishedAt); }

    /** One line for the termination message and the exit log. */
    public String summary() {
        return "gracekeeper: generation " + generation + " " + outcome + " in " + duration().toMillis()
                + " ms (first trigger " + firstTrigger.label() + ")" + (detail.isEmpty() ? "" : ": " + detail);
    }
}
