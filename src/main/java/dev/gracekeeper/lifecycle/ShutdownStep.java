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
}
