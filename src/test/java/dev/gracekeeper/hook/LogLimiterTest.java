package dev.gracekeeper.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogLimiterTest {
    final FakeClock clock = new FakeClock();
    final List<String> lines = new ArrayList<>();
    final LogLimiter limiter = new LogLimiter(clock, Duration.ofSeconds(10), "hook calls rejected", lines::add);

    void reject(String source, int times) {
        for (int i = 0; i < times; i++) limiter.event(source, () -> "/shutdown from " + source + " rejected");
    }

    @Test
    void firstEventOfASourceIsLoggedAndTheRestAreSummedUpWhenTheIntervalEnds() {
        reject("10.0.3.7", 413);
        assertEquals(List.of("/shutdown from 10.0.3.7 rejected"), lines);
        clock.advance(Duration.ofSeconds(9));
        limiter.flush();
        assertEquals(1, lines.size(), "nothing more within the interval");
        clock.advance(Duration.ofSeconds(1));
        limiter.flush();
        assertEquals(List.of("/shutdown from 10.0.3.7 rejected",
                "hook calls rejected: 412 more from 10.0.3.7 in the last 10 s"), lines);
        limiter.flush();
        assertEquals(2, lines.size(), "a summary is given once");
    }

    @Test
    void eachSourceHasItsOwnInterval() {
        reject("10.0.3.7", 3);
        clock.advance(Duration.ofSeconds(4));
        reject("10.0.9.9", 1);
        clock.advance(Duration.ofSeconds(6));
        limiter.flush();
        assertEquals(List.of("/shutdown from 10.0.3.7 rejected", "/shutdown from 10.0.9.9 rejected",
                "hook calls rejected: 2 more from 10.0.3.7 in the last 10 s"), lines);
    }

    @Test
    void aSourceWithASingleEventGetsNoSummary() {
        reject("10.0.3.7", 1);
        clock.advance(Duration.ofSeconds(30));
        limiter.flush();
        assertEquals(1, lines.size());
    }

    @Test
    void anEventAfterTheIntervalEndsItBeforeTheNextFlushAndIsLoggedAgain() {
        reject("10.0.3.7", 5);
        clock.advance(Duration.ofSeconds(12));
        reject("10.0.3.7", 1);
        assertEquals(List.of("/shutdown from 10.0.3.7 rejected",
                "hook calls rejected: 4 more from 10.0.3.7 in the last 12 s",
                "/shutdown from 10.0.3.7 rejected"), lines);
    }

    @Test
    void sourcesPastTheBoundShareOneCount() {
        for (int i = 0; i < LogLimiter.MAX_SOURCES + 50; i++) reject("10.1." + (i / 250) + "." + (i % 250), 1);
        assertEquals(LogLimiter.MAX_SOURCES + 1, lines.size(), "one line per tracked source, one for the others");
        clock.advance(Duration.ofSeconds(10));
        limiter.flush();
        assertEquals("hook calls rejected: 49 more from other addresses in the last 10 s", lines.get(lines.size() - 1));
    }
}
