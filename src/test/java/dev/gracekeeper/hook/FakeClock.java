package dev.gracekeeper.hook;

import dev.gracekeeper.lifecycle.Clock;
import java.time.Duration;
import java.time.Instant;

/** A clock the test moves by hand. */
final class FakeClock implements Clock {
    private long nanos = 1_000_000_000L;

    @Override public long nanoTime() { return nanos; }

    @Override public Instant now() { return Instant.EPOCH.plusNanos(nanos); }

    void advance(Duration d) { nanos += d.toNanos(); }
}
