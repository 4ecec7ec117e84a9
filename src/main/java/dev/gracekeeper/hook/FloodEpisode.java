package dev.gracekeeper.hook;

import dev.gracekeeper.lifecycle.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The log of a connection flood on the hook port: one warning when it begins, one line when it is
 * over, nothing per connection in between (a flood of tens of thousands of connections must not
 * become a flood of log lines). It begins with the first connection closed or refused at the limit, or
 * the first failed accept, and is over after {@link #QUIET} without any.
 */
final class FloodEpisode {
    static final Duration QUIET = Duration.ofSeconds(10);

    enum Event {
        CLOSED_OLDEST_IDLE("idle connection(s) closed at the limit"),
        REFUSED_ALL_BUSY("new connection(s) refused, every open one having a request in flight"),
        ACCEPT_FAILED("failed accept(s)");

        final String words;

        Event(String words) { this.words = words; }
    }

    private final Clock clock;
    private final Consumer<String> warn;
    private final Consumer<String> info;
    private final Map<Event, Long> counts = new EnumMap<>(Event.class);
    private boolean active;
    private long startNanos;
    private long lastNanos;
    private int peakOpen;

    FloodEpisode(Clock clock, Consumer<String> warn, Consumer<String> info) {
        this.clock = clock;
        this.warn = warn;
        this.info = info;
    }

    /**
     * Counts {@code n} events; the first of an episode is logged, with {@code why} saying what happened.
     *
     * @param open connections open at the time
     */
    synchronized void event(Event e, long n, int open, Supplier<String> why) {
        long now = clock.nanoTime();
        if (!active) {
            active = true;
            startNanos = now;
            peakOpen = 0;
            counts.clear();
            warn.accept("hook port: connection flood: " + why.get() + "; one line follows when it is over, none per"
                    + " connection");
        }
        counts.merge(e, n, Long::sum);
        lastNanos = now;
        peakOpen = Math.max(peakOpen, open);
    }

    /** Ends the episode once it has been quiet long enough; called every second. */
    synchronized void tick(int open) {
        long now = clock.nanoTime();
        if (!active || now - lastNanos < QUIET.toNanos()) return;
        active = false;
        StringBuilder what = new StringBuilder();
        for (Event e : Event.values()) {
            if (what.length() > 0) what.append(", ");
            what.append(counts.getOrDefault(e, 0L)).append(' ').append(e.words);
        }
        info.accept("hook port: connection flood over after " + Math.round((lastNanos - startNanos) / 1e9) + " s: "
                + what + "; " + peakOpen + " open at most, " + open + " now");
    }

    synchronized boolean active() { return active; }
}
