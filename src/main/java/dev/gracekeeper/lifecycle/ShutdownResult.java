package dev.gracekeeper.lifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one generation's shutdown, the same for every caller that started or joined it.
 *
 * @param outcome how it ended; for {@link Outcome#TIMED_OUT} what was left is in {@code detail}
 * @param figures numbers recorded by the steps
 */
public record ShutdownResult(long generation, Outcome outcome, Trigger firstTrigger, Instant startedAt,
                             Instant finishedAt, List<String> stepsDone, String detail, Map<Figure, Long> figures) {
    public ShutdownResult {
        stepsDone = List.copyOf(stepsDone);
        figures = Map.copyOf(figures);
    }

    public Duration duration() { return Duration.between(startedAt, finishedAt); }

    /** One line for the termination message and the exit log. */
    public String summary() {
        return "gracekeeper: generation " + generation + " " + outcome.label() + " in " + duration().toMillis()
                + " ms (first trigger " + firstTrigger.label() + ")" + (detail.isEmpty() ? "" : ": " + detail);
    }
}
