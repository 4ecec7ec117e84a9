package dev.gracekeeper.hook;

import dev.gracekeeper.lifecycle.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * At most one log line per source address per interval, for events any pod on the network can cause
 * at will (a rejected hook call). The first event from a source in an interval is logged in full; the
 * rest are counted, and when the interval is over one line says how many there were: "hook calls
 * rejected: 412 more from 10.0.3.7 in the last 10 s". The sources tracked at once are bounded too:
 * past {@link #MAX_SOURCES}, new ones share one count under "other addresses".
 */
final class LogLimiter {
    static final int MAX_SOURCES = 256;
    static final String OTHERS = "other addresses";

    private final Clock clock;
    private final long intervalNanos;
    private final String what;
    private final Consumer<String> out;
    private final Map<String, Window> windows = new HashMap<>();

    private static final class Window {
        final long startNanos;
        long notLogged;

        Window(long startNanos) { this.startNanos = startNanos; }
    }

    /**
     * @param what how a summary line begins, e.g. "hook calls rejected"
     * @param out where lines go (the log)
     */
    LogLimiter(Clock clock, Duration interval, String what, Consumer<String> out) {
        this.clock = clock;
        this.intervalNanos = interval.toNanos();
        this.what = what;
        this.out = out;
    }

    /** Logs the event's line unless its source already had one in this interval; then it is counted. */
    synchronized void event(String source, Supplier<String> line) {
        long now = clock.nanoTime();
        Window w = windows.get(source);
        if (w != null && now - w.startNanos >= intervalNanos) {
            end(source, w, now);
            windows.remove(source);
            w = null;
        }
        if (w == null && windows.size() >= MAX_SOURCES) {
            source = OTHERS;
            w = windows.get(OTHERS);
        }
        if (w == null) {
            windows.put(source, new Window(now));
            out.accept(line.get());
        } else {
            w.notLogged++;
        }
    }

    /** Ends the intervals that are over, with a line for each that counted events not logged. */
    synchronized void flush() {
        long now = clock.nanoTime();
        for (Iterator<Map.Entry<String, Window>> it = windows.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Window> e = it.next();
            if (now - e.getValue().startNanos >= intervalNanos) {
                end(e.getKey(), e.getValue(), now);
                it.remove();
            }
        }
    }

    private void end(String source, Window w, long now) {
        if (w.notLogged == 0) return;
        long seconds = Math.max(1, Math.round((now - w.startNanos) / 1e9));
        out.accept(what + ": " + w.notLogged + " more from " + source + " in the last " + seconds + " s");
    }
}
