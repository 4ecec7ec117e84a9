package dev.gracekeeper.e2e;

import java.util.ArrayList;
import java.util.List;

/** What happened when, in ms since the timeline began; printed with a test's failure. */
final class Timeline {
    /** {@code pod} is empty for events of the bed as a whole (the balancer, the load). */
    record Event(long ms, String pod, String who, String what) {
        @Override public String toString() {
            return String.format("%7d ms  %-18s %s", ms, pod.isEmpty() ? who : pod + " " + who, what);
        }
    }

    private final long start = System.nanoTime();
    private final List<Event> events = new ArrayList<>();

    long now() { return (System.nanoTime() - start) / 1_000_000; }

    synchronized Event add(String who, String what) {
        return add("", who, what);
    }

    synchronized Event add(String pod, String who, String what) {
        Event e = new Event(now(), pod, who, what);
        events.add(e);
        return e;
    }

    synchronized List<Event> events() { return List.copyOf(events); }

    /** The first event of {@code who} whose text starts with {@code prefix}, or null. */
    synchronized Event first(String who, String prefix) {
        for (Event e : events) if (e.who().equals(who) && e.what().startsWith(prefix)) return e;
        return null;
    }

    synchronized long count(String who, String prefix) {
        return events.stream().filter(e -> e.who().equals(who) && e.what().startsWith(prefix)).count();
    }

    @Override
    public synchronized String toString() {
        StringBuilder sb = new StringBuilder();
        for (Event e : events) sb.append(e).append('\n');
        return sb.toString();
    }
}
