package dev.gracekeeper.lifecycle;

import java.time.Instant;

/** One step of a shutdown. Steps run in order, once per generation; done steps survive a restart. */
public interface ShutdownStep {
    /** Stable name, recorded in the marker's {@code steps_done}. */
    String name();

    /**
     * Does the step's work within its bound.
     *
     * @param firstTriggerAt when the first trigger of this shutdown arrived (T0), possibly in an
     *                       earlier sidecar process: deadlines are measured from it
     * @return a one-line account of what happened, for the log and the result
     */
    String run(Instant firstTriggerAt) throws InterruptedException;
}
