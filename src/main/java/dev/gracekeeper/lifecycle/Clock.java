package dev.gracekeeper.lifecycle;

import java.time.Instant;

/** Time, injectable: monotonic nanos for deadlines, wall time for what is recorded and shown. */
public interface Clock {
    long nanoTime();

    Instant now();

    Clock SYSTEM = new Clock() {
        @Override public long nanoTime() { return System.nanoTime(); }

        @Override public Instant now() { return Instant.now(); }
    };
}
