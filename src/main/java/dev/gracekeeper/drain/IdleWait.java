package dev.gracekeeper.drain;

import dev.gracekeeper.app.AppConnections;
import dev.gracekeeper.lifecycle.Figure;
import dev.gracekeeper.lifecycle.Clock;
import dev.gracekeeper.config.Var;
import dev.gracekeeper.lifecycle.Deadline;
import dev.gracekeeper.lifecycle.ShutdownStep;
import dev.gracekeeper.lifecycle.StepContext;
import dev.gracekeeper.os.AppProcess;
import dev.gracekeeper.os.ProcNetTcp;
import dev.gracekeeper.os.TcpCloseEvents;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits until the app is idle: no more than {@code GRACEKEEPER_DRAIN_EXIT_AT_CONNECTIONS} (0)
 * ESTABLISHED server-side connections left on its ports, or, when only the process is known, the
 * process has exited. Sleeps in the kernel until one of the app's connections is gone
 * ({@link TcpCloseEvents}), then looks through {@link AppConnections}; so nothing runs while nothing
 * closes, and the drain ends within milliseconds of the last connection. A look every
 * {@link #EVENTS_BACKSTOP} catches what frees no socket (a FIN never acknowledged, a reset the app has
 * not noticed). Where the events are not available (or until they are open: the first shutdown loads
 * their library in the background), it polls every {@link #POLL}, less often on a node so busy that
 * a look costs more ({@link Pacer}), up to {@link #POLL_MAX}.
 * Only a fresh count ends the wait: an unknown one (the tables cannot be read) waits on to the drain
 * timeout or the budget, and the result says why.
 *
 * <p>Idle keep-alive connections never close by themselves, and /proc cannot tell an idle one
 * from one whose request is still being computed. So the drain action is what closes them: nginx
 * on SIGQUIT and the drain endpoints of HTTP servers close idle keep-alive connections and answer
 * in-flight requests with {@code Connection: close}. Without a drain action the wait ends at the
 * drain timeout or the budget, and the result names what was still open.
 */
public final class IdleWait implements ShutdownStep {
    public static final String NAME = "idle-wait";
    static final Duration POLL = Duration.ofMillis(5);
    /** The longest interval between looks, when each costs so much that {@link #POLL} would break {@link #DUTY}. */
    static final Duration POLL_MAX = Duration.ofMillis(50);
    /** The share of one core the looks may take, walks of the connection tables aside. */
    static final double DUTY = 0.005;
    /** Between looks while the kernel's close notices wake the wait. */
    static final Duration EVENTS_BACKSTOP = Duration.ofMillis(100);
    /** The share of one core that wake-ups on close notices may take, and the bounds of the gap it sets. */
    static final double WAKE_DUTY = 0.01;
    static final Duration WAKE_GAP_MIN = Duration.ofMillis(1);
    static final Duration WAKE_GAP_MAX = Duration.ofMillis(20);

    private final List<Integer> ports;
    private final int exitAt;
    private final Optional<AppProcess> process;
    private final Optional<Duration> drainTimeout;
    private final AppConnections connections;
    private final Clock clock;
    private final LongSupplier cpuNanos;

    /** @param exitAt the wait ends once no more connections than this are left (0: none) */
    public IdleWait(AppConnections connections, int exitAt, Optional<AppProcess> process,
                    Optional<Duration> drainTimeout, Clock clock, LongSupplier cpuNanos) {
        this.cpuNanos = cpuNanos;
        this.ports = connections.ports();
        this.exitAt = exitAt;
        this.process = process;
        this.drainTimeout = drainTimeout;
        this.connections = connections;
        this.clock = clock;
    }

    @Override
    public String name() { return NAME; }

    /** A wait: run again after a restart, it ends at once or waits only what is left. */
    @Override
    public boolean repeatable() { return true; }

    @Override
    public String run(StepContext ctx) {
        Deadline d = drainTimeout.map(t -> ctx.budget().capped(t, Var.DRAIN_TIMEOUT.envName())).orElse(ctx.budget());
        long start = clock.nanoTime();
        if (ports.isEmpty()) return awaitExit(ctx, d, start);
        try (Sleeper sleeper = new Sleeper()) {
            return awaitNoConnections(ctx, d, start, sleeper);
        }
    }

    private String awaitNoConnections(StepContext ctx, Deadline d, long start, Sleeper sleeper) {
        String where = "on :" + String.join(",:", ports.stream().map(String::valueOf).toList());
        String atMost = exitAt == 0 ? "" : " (at most " + exitAt + " allowed by " + Var.DRAIN_EXIT_AT_CONNECTIONS.envName() + ")";
        int first = -1;
        int last = -1;
        String unknown = "";
        while (true) {
            // The first look is the shutdown's one full look, shared with the restart watch's note;
            // the last word, at the deadline, is a fresh count too.
            boolean expired = d.expired();
            sleeper.beforeLook();
            AppConnections.Look look = first < 0 || expired ? connections.lookFresh() : connections.lookUntil(exitAt);
            unknown = look.counts().isEmpty() ? look.why() : "";
            if (look.counts().isPresent()) last = look.counts().map(ProcNetTcp.Counts::established).get();
            if (first < 0 && last >= 0) {
                first = last;
                ctx.figure(Figure.CONNECTIONS_AT_DRAIN_START, first);
            }
            long ms = clock.millisSince(start);
            if (look.fresh() && last <= exitAt) {
                return "idle after " + ms + " ms: " + last + " connections " + where + atMost + " (" + first + " at start"
                        + sleeper.how() + ")";
            }
            if (expired) {
                String left = !unknown.isEmpty()
                        ? "connection count unknown " + where + ", so the app was given the whole wait (" + unknown + ")"
                        : last + " connection(s) still open " + where;
                ctx.unfinished(left);
                if (unknown.isEmpty()) ctx.figure(Figure.CONNECTIONS_LEFT, last);
                return "timed out after " + ms + " ms (" + d.name() + "): " + left;
            }
            sleeper.sleep(look.walked(), Math.max(1, d.remaining().toNanos()));
        }
    }

    /**
     * How the wait sleeps between looks: until the kernel's close notices say one of the app's
     * connections went (opened once the first look finds the app busy), or by polling where they are
     * not available or not open yet. Wake-ups on notices are paced too ({@link #WAKE_DUTY}), so a pod
     * whose app ports churn through connections cannot make the wait cost more than that.
     */
    private final class Sleeper implements AutoCloseable {
        private final boolean[] portTable = connections.portTable();
        private final Pacer polls = new Pacer(POLL, POLL_MAX, DUTY, cpuNanos);
        private final Pacer wakeups = new Pacer(WAKE_GAP_MIN, WAKE_GAP_MAX, WAKE_DUTY, cpuNanos);
        private CompletableFuture<Optional<TcpCloseEvents>> events;
        private TcpCloseEvents open;
        private boolean polling;
        private int wakes;
        private long lastWake;
        private boolean slept;

        /**
         * Applies the notices already queued, so that a walk the look makes starts a list that no
         * notice of an earlier socket can reach.
         */
        void beforeLook() {
            if (open == null) return;
            try {
                if (open.await(portTable, Duration.ZERO, connections::gone)) wakes++;
            } catch (IOException e) {
                fail(e);
            }
        }

        void sleep(boolean walked, long leftNanos) {
            slept = true;
            if (events == null) events = connections.closeNotices().open();
            if (open == null && !polling && events.isDone()) {
                Optional<TcpCloseEvents> e = events.join();
                if (e.isPresent()) {
                    open = e.get();
                    connections.closeNotices().inUse();
                } else {
                    polling = true;
                }
            }
            if (open == null) {
                LockSupport.parkNanos(Math.min(polls.next(walked), leftNanos));
                return;
            }
            long gap = wakeups.next(walked) - (clock.nanoTime() - lastWake);
            if (lastWake != 0 && gap > 0) LockSupport.parkNanos(Math.min(gap, leftNanos));
            try {
                long wait = Math.min(EVENTS_BACKSTOP.toNanos(), Math.max(1, leftNanos));
                if (open.await(portTable, Duration.ofNanos(wait), connections::gone)) {
                    wakes++;
                    lastWake = clock.nanoTime();
                }
            } catch (IOException e) {
                fail(e);
            }
        }

        private void fail(IOException e) {
            connections.closeNotices().failed(e);
            open.close();
            open = null;
            polling = true;
        }

        /** For the result: how the wait learned of the closes, once there was something to wait for. */
        String how() {
            if (wakes > 0) return "; woken " + wakes + " time(s) by close notices";
            return slept && open == null ? "; polled" : "";
        }

        @Override
        public void close() {
            if (open != null) open.close();
            else if (events != null) events.thenAccept(e -> e.ifPresent(TcpCloseEvents::close));
        }
    }

    private String awaitExit(StepContext ctx, Deadline d, long start) {
        AppProcess p = process.orElseThrow();
        // The process a drain signal went to may already have exited (and removed its pidfile).
        Optional<AppProcess.Id> known = p.lastFound();
        if (known.isEmpty()) {
            AppProcess.Found found = p.find();
            if (found.id().isEmpty()) return "app process already gone: " + found.explanation();
            known = found.id();
        }
        AppProcess.Id id = known.get();
        while (p.alive(id)) {
            if (d.expired()) {
                long ms = clock.millisSince(start);
                String left = "app process " + id.pid() + " still running";
                ctx.unfinished(left);
                return "timed out after " + ms + " ms (" + d.name() + "): " + left;
            }
            LockSupport.parkNanos(POLL.toNanos());
        }
        return "app process " + id.pid() + " exited after " + clock.millisSince(start) + " ms";
    }

}
