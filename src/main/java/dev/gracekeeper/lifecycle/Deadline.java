package dev.gracekeeper.lifecycle;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A named point in monotonic time; every wait in the sidecar is bounded by one. */
public final class Deadline {
    private final Clock clock;
    private final long atNanos;
    private final String name;

    private Deadline(Clock clock, long atNanos, String name) {
        this.clock = clock;
        this.atNanos = atNanos;
        this.name = name;
    }

    public static Deadline after(Clock clock, Duration d, String name) {
        return new Deadline(clock, clock.nanoTime() + d.toNanos(), name);
    }

    /**
     * A deadline at a wall-clock instant, converted to monotonic time once: how every deadline
     * measured from T0 is made, since T0 may come from an earlier process through the marker.
     * An instant already past gives an expired deadline.
     */
    public static Deadline at(Clock clock, java.time.Instant when, String name) {
        Duration left = Duration.between(clock.now(), when);
        return after(clock, left.isNegative() ? Duration.ZERO : left, name);
    }

    /**
     * The earlier of this deadline and one {@code d} from now, named after the one that binds:
     * {@code this} itself when it binds, so a caller can tell which one did by identity.
     */
    public Deadline capped(Duration d, String capName) {
        long other = clock.nanoTime() + d.toNanos();
        return other - atNanos < 0 ? new Deadline(clock, other, capName) : this;
    }

    /** The wall-clock instant this deadline corresponds to, for status and logs. */
    public java.time.Instant wallTime() {
        return clock.now().plusNanos(atNanos - clock.nanoTime());
    }

    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, atNanos - clock.nanoTime()));
    }

    public boolean expired() { return atNanos - clock.nanoTime() <= 0; }

    public String name() { return name; }

    /** Waits until the deadline or until {@code wake} opens; true if woken early. */
    public boolean await(CountDownLatch wake) throws InterruptedException {
        return wake.await(remaining().toNanos(), TimeUnit.NANOSECONDS);
    }
}
