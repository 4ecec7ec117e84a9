package dev.gracekeeper.hook;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bound on the hook port's open connections, and which one goes when a new one arrives at it.
 * Any pod can open thousands of connections that send nothing; each costs a descriptor and some
 * memory until its first-request timeout. At the bound, the connection idle longest (no request in
 * flight, least recently active) is closed so that the new one, perhaps the kubelet's, is served. A
 * connection with a request in flight, such as a parked {@code /shutdown}, is never closed: only when
 * every connection has one is the new connection refused instead.
 *
 * @param <C> the connection type (a stream connection; a plain object in the unit tests)
 */
final class ConnectionCap<C> {
    /** Open connections in order of last activity, oldest first; the value counts requests in flight. */
    private final LinkedHashMap<C, int[]> open = new LinkedHashMap<>(64, 0.75f, true);
    private final int limit;

    ConnectionCap(int limit) {
        if (limit < 1) throw new IllegalArgumentException("connection limit must be at least 1, not " + limit);
        this.limit = limit;
    }

    int limit() { return limit; }

    synchronized int open() { return open.size(); }

    /**
     * Admits a connection just accepted. Returns the connection to close now: null when there is room,
     * else the oldest idle one (no longer counted), or {@code c} itself, not admitted, when every open
     * connection has a request in flight.
     */
    synchronized C admit(C c) {
        C victim = null;
        if (open.size() >= limit) {
            List<C> idle = takeOldestIdle(1);
            if (idle.isEmpty()) return c;
            victim = idle.get(0);
        }
        open.put(c, new int[1]);
        return victim;
    }

    /** Removes and returns up to {@code n} idle connections, oldest first, for the caller to close. */
    synchronized List<C> takeOldestIdle(int n) {
        List<C> taken = new ArrayList<>(n);
        Iterator<Map.Entry<C, int[]>> it = open.entrySet().iterator();
        while (taken.size() < n && it.hasNext()) {
            Map.Entry<C, int[]> e = it.next();
            if (e.getValue()[0] == 0) {
                taken.add(e.getKey());
                it.remove();
            }
        }
        return taken;
    }

    synchronized void closed(C c) { open.remove(c); }

    /** A request arrived in full on {@code c}: it is in flight until {@link #requestEnded}. */
    synchronized void requestStarted(C c) {
        int[] inFlight = open.get(c);
        if (inFlight != null) inFlight[0]++;
    }

    /** A request on {@code c} was answered: the connection counts as active just now. */
    synchronized void requestEnded(C c) {
        int[] inFlight = open.get(c);
        if (inFlight != null && inFlight[0] > 0) inFlight[0]--;
    }
}
