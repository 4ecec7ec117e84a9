package dev.gracekeeper.lifecycle;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An immutable view of the lifecycle, replaced whole on every transition and readable without a
 * lock. {@code firstTrigger}, {@code firstTriggerAt} and {@code stepsDone} describe the shutdown of
 * the current generation, if one began.
 */
public record Snapshot(long version, Phase phase, long generation, Optional<Trigger> firstTrigger,
                       Optional<Instant> firstTriggerAt, List<String> stepsDone, Optional<Step> step,
                       Optional<ShutdownResult> lastResult, List<Transition> history) {
    /** The step running now, with the deadline it must end by. */
    public record Step(String name, Instant startedAt, Instant deadline) {}

    static final int HISTORY = 16;

    public Snapshot {
        stepsDone = List.copyOf(stepsDone);
        history = List.copyOf(history);
    }

    public Transition current() { return history.get(history.size() - 1); }

    Snapshot to(Phase next, long gen, Instant at, String cause) {
        List<Transition> h = new ArrayList<>(history);
        h.add(new Transition(next, gen, at, cause));
        if (h.size() > HISTORY) h = h.subList(h.size() - HISTORY, h.size());
        return new Snapshot(version + 1, next, gen, firstTrigger, firstTriggerAt, stepsDone, Optional.empty(),
                lastResult, h);
    }

    Snapshot withShutdown(Optional<Trigger> trigger, Optional<Instant> at, List<String> steps) {
        return new Snapshot(version + 1, phase, generation, trigger, at, steps, step, lastResult, history);
    }

    Snapshot withStep(Optional<Step> running) {
        return new Snapshot(version + 1, phase, generation, firstTrigger, firstTriggerAt, stepsDone, running,
                lastResult, history);
    }

    Snapshot withResult(ShutdownResult result) {
        return new Snapshot(version + 1, phase, generation, firstTrigger, firstTriggerAt, stepsDone, step,
                Optional.of(result), history);
    }
}
