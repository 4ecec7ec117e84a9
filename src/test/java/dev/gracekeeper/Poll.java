package dev.gracekeeper;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition the test can observe, on a deadline: never a fixed sleep to let things settle. */
public final class Poll {
    private Poll() {}

    /** Checks every 10 ms until {@code condition} holds; fails naming {@code what} and the bound. */
    public static void until(Duration bound, String what, BooleanSupplier condition) {
        long end = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) throw new AssertionError("not within " + bound.toMillis() + " ms: " + what);
            LockSupport.parkNanos(10_000_000);
        }
    }
}
