package dev.gracekeeper.lifecycle;

/** One step of a shutdown. Steps run in order, once per generation; done steps survive a restart. */
public interface ShutdownStep {
    /** Stable name, recorded in the marker's {@code steps_done}. */
    String name();

    /**
     * Does the step's work, never past {@code ctx.budget()}.
     *
     * @return a one-line account of what happened, with its figures, for the log and the result
     */
    String run(StepContext ctx) throws InterruptedException;

    /**
     * True for a step that, run again after a sidecar restart, acts on nothing and ends the same: a
     * wait within the budget measured from T0, or a look at the app. Its being done is written to the marker with the next
     * write, not with a write of its own, so a shutdown with nothing to drain writes the marker twice
     * (at its start and its end) rather than once more per step. A step that acts on the app (a drain
     * call, a signal) is written at once, so a restart never repeats it.
     */
    default boolean repeatable() { return false; }
}
