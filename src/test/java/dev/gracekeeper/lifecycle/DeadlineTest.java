package dev.gracekeeper.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Deadline arithmetic on a clock the test moves. */
class DeadlineTest {
    final AtomicLong nanos = new AtomicLong(5_000_000_000L);
    final Instant wallAtStart = Instant.parse("2026-11-30T10:00:00Z");
    final Clock clock = new Clock() {
        @Override public long nanoTime() { return nanos.get(); }

        @Override public Instant now() { return wallAtStart.plusNanos(nanos.get() - 5_000_000_000L); }
    };

    @Test
    void deadlineFromAnEarlierT0KeepsOnlyWhatIsLeft() {
        Instant t0 = clock.now().minusSeconds(20);                 // T0 from the marker of an earlier process
        Deadline d = Deadline.at(clock, t0.plusSeconds(25), "budget");
        assertEquals(Duration.ofSeconds(5), d.remaining());
        nanos.addAndGet(Duration.ofSeconds(4).toNanos());
        assertEquals(Duration.ofSeconds(1), d.remaining());
        assertFalse(d.expired());
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertTrue(d.expired());
    }

    @Test
    void instantAlreadyPastGivesAnExpiredDeadlineNotANegativeWait() {
        Deadline d = Deadline.at(clock, clock.now().minusSeconds(3), "exit");
        assertTrue(d.expired());
        assertEquals(Duration.ZERO, d.remaining());
    }

    @Test
    void cappedIsTheEarlierOneAndNamedAfterIt() {
        Deadline budget = Deadline.after(clock, Duration.ofSeconds(10), "budget");
        Deadline cut = budget.capped(Duration.ofSeconds(3), "GRACEKEEPER_DRAIN_TIMEOUT");
        assertEquals("GRACEKEEPER_DRAIN_TIMEOUT", cut.name());
        assertEquals(Duration.ofSeconds(3), cut.remaining());
        assertSame(budget, budget.capped(Duration.ofSeconds(30), "GRACEKEEPER_DRAIN_TIMEOUT"),
                "the budget itself when it binds");
    }

    @Test
    void wallTimeIsWhereTheMonotonicDeadlineFallsOnTheWallClock() {
        Deadline d = Deadline.after(clock, Duration.ofMillis(1500), "x");
        assertEquals(wallAtStart.plusMillis(1500), d.wallTime());
    }
}
