package dev.gracekeeper.lifecycle;

import java.time.Instant;

/** Time, injectable: monotonic nanos for deadlines, wall time for what is recorded and shown. */
public interface Clock {
    long nanoTime();

    Instant now();

    /** Whole milliseconds since {@code startNanos}, a reading of {@link #nanoTime()}. */
    default long millisSince(long startNanos) { return (nanoTime() - startNanos) / 1_000_000; }

    Clock SYSTEM = new Clock() {
        @Override public long nanoTime() { return System.nanoTime(); }

        @Override public Instant now() { return Instant.now(); }
    };
}
