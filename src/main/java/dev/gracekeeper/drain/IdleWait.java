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
import java.util.ArrayList;
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
    /** Between looks while the kernel's close events wake the wait. */
    static final Duration EVENTS_BACKSTOP = Duration.ofMillis(100);

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
        List<CompletableFuture<Optional<TcpCloseEvents>>> opened = new ArrayList<>(1);
        try {
            return awaitNoConnections(ctx, d, start, opened);
        } finally {
            for (var events : opened) events.thenAccept(e -> e.ifPresent(TcpCloseEvents::close));
        }
    }

    /** @param opened where the close events go once the first look finds the app busy: the caller closes them */
    private String awaitNoConnections(StepContext ctx, Deadline d, long start,
                                      List<CompletableFuture<Optional<TcpCloseEvents>>> opened) {
        boolean[] portTable = connections.portTable();
        CompletableFuture<Optional<TcpCloseEvents>> events = null;
        boolean polling = false;
        int wakes = 0;
        String where = "on :" + String.join(",:", ports.stream().map(String::valueOf).toList());
        String atMost = exitAt == 0 ? "" : " (at most " + exitAt + " allowed by " + Var.DRAIN_EXIT_AT_CONNECTIONS.envName() + ")";
        int first = -1;
        int last = -1;
        String unknown = "";
        Pacer pacer = new Pacer(POLL, POLL_MAX, DUTY, cpuNanos);
        while (true) {
            // The first look is the shutdown's one full look, shared with the restart watch's note;
            // the last word, at the deadline, is a fresh count too.
            boolean expired = d.expired();
            AppConnections.Look look = first < 0 || expired ? connections.lookFresh() : connections.lookUntil(exitAt);
            unknown = look.counts().isEmpty() ? look.why() : "";
            if (look.counts().isPresent()) last = look.counts().map(ProcNetTcp.Counts::established).get();
            if (first < 0 && last >= 0) {
                first = last;
                ctx.figure(Figure.CONNECTIONS_AT_DRAIN_START, first);
            }
            long ms = clock.millisSince(start);
            if (look.fresh() && last <= exitAt) {
                String how = wakes > 0 ? "; woken by " + wakes + " close event(s)" : first > 0 && polling ? "; polled" : "";
                return "idle after " + ms + " ms: " + last + " connections " + where + atMost + " (" + first + " at start"
                        + how + ")";
            }
            if (expired) {
                String left = !unknown.isEmpty()
                        ? "connection count unknown " + where + ", so the app was given the whole wait (" + unknown + ")"
                        : last + " connection(s) still open " + where;
                ctx.unfinished(left);
                if (unknown.isEmpty()) ctx.figure(Figure.CONNECTIONS_LEFT, last);
                return "timed out after " + ms + " ms (" + d.name() + "): " + left;
            }
            long left = Math.max(1, d.remaining().toNanos());
            if (events == null) {
                events = connections.openCloseEvents();
                opened.add(events);
            }
            Optional<TcpCloseEvents> e = polling ? Optional.empty() : events.getNow(Optional.empty());
            polling |= events.isDone() && e.isEmpty();
            if (e.isPresent()) {
                try {
                    if (e.get().await(portTable, Duration.ofNanos(Math.min(EVENTS_BACKSTOP.toNanos(), left)), connections::gone)) wakes++;
                    continue;
                } catch (IOException ex) {
                    connections.closeEventsFailed(ex);
                    polling = true;
                }
            }
            LockSupport.parkNanos(Math.min(pacer.next(look.walked()), left));
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
