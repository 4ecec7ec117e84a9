package dev.gracekeeper.lifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The outcome of one generation's shutdown, the same for every caller that started or joined it.
 *
 * @param outcome {@code drained}, or {@code failed} with the reason in {@code detail}
 */
public record ShutdownResult(long generation, String outcome, Trigger firstTrigger, Instant startedAt,
                             Instant finishedAt, List<String> stepsDone, String detail) {
    public ShutdownResult {
        stepsDone = List.copyOf(stepsDone);
    }

    public Duration duration() { return Duration.between(startedAt, finishedAt); }
}
