package dev.gracekeeper.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FloodEpisodeTest {
    final FakeClock clock = new FakeClock();
    final List<String> warnings = new ArrayList<>();
    final List<String> infos = new ArrayList<>();
    final FloodEpisode flood = new FloodEpisode(clock, warnings::add, infos::add);

    @Test
    void aFloodIsLoggedOnceWhenItBeginsAndOnceWhenItIsOver() {
        for (int i = 0; i < 20_000; i++) {
            flood.event(FloodEpisode.Event.CLOSED_OLDEST_IDLE, 1, 1024, () -> "1024 connections open, the limit");
            if (i % 1000 == 0) {
                clock.advance(Duration.ofMillis(500));
                flood.tick(1024);
            }
        }
        flood.event(FloodEpisode.Event.ACCEPT_FAILED, 1, 1000, () -> "not logged");
        assertEquals(List.of("hook port: connection flood: 1024 connections open, the limit; one line follows when it"
                + " is over, none per connection"), warnings);
        assertTrue(infos.isEmpty());
        clock.advance(FloodEpisode.QUIET.minusMillis(1));
        flood.tick(1000);
        assertTrue(infos.isEmpty(), "not quiet long enough yet");
        clock.advance(Duration.ofMillis(1));
        flood.tick(3);
        assertEquals(List.of("hook port: connection flood over after 10 s: 20000 idle connection(s) closed at the limit,"
                + " 0 new connection(s) refused, every open one having a request in flight, 1 failed accept(s); 1024"
                + " open at most, 3 now"), infos);
        assertFalse(flood.active());
    }

    @Test
    void theNextFloodIsLoggedAgain() {
        flood.event(FloodEpisode.Event.REFUSED_ALL_BUSY, 1, 3, () -> "first");
        clock.advance(FloodEpisode.QUIET);
        flood.tick(0);
        flood.event(FloodEpisode.Event.REFUSED_ALL_BUSY, 1, 3, () -> "second");
        assertEquals(2, warnings.size());
        assertTrue(warnings.get(1).contains("second"));
    }
}
