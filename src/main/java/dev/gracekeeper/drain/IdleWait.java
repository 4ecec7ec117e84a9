package dev.gracekeeper.drain;

import dev.gracekeeper.lifecycle.Clock;
import dev.gracekeeper.lifecycle.Deadline;
import dev.gracekeeper.lifecycle.ShutdownStep;
import dev.gracekeeper.lifecycle.StepContext;
import dev.gracekeeper.os.AppProcess;
import dev.gracekeeper.os.ProcNetTcp;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits until the app is idle: no ESTABLISHED server-side connection left on its ports, or, when
 * only the process is known, the process has exited. Polls every {@link #POLL}: reading two small
 * /proc files costs microseconds, and the drain should end as soon as the last connection does.
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

    private final List<Integer> ports;
    private final boolean[] portTable;
    private final Optional<AppProcess> process;
    private final Optional<Duration> drainTimeout;
    private final ProcNetTcp tcp;
    private final Clock clock;

    public IdleWait(List<Integer> ports, Optional<AppProcess> process, Optional<Duration> drainTimeout,
                    ProcNetTcp tcp, Clock clock) {
        this.ports = List.copyOf(ports);
        this.portTable = ProcNetTcp.portTable(ports);
        this.process = process;
        this.drainTimeout = drainTimeout;
        this.tcp = tcp;
        this.clock = clock;
    }

    @Override
    public String name() { return NAME; }

    @Override
    public String run(StepContext ctx) {
        Deadline d = drainTimeout.map(t -> ctx.budget().capped(t, "GRACEKEEPER_DRAIN_TIMEOUT")).orElse(ctx.budget());
        long start = clock.nanoTime();
        return ports.isEmpty() ? awaitExit(ctx, d, start) : awaitNoConnections(ctx, d, start);
    }

    private String awaitNoConnections(StepContext ctx, Deadline d, long start) {
        String where = "on :" + String.join(",:", ports.stream().map(String::valueOf).toList());
        int first = -1;
        int last;
        while (true) {
            try {
                last = tcp.count(portTable).established();
            } catch (IOException e) {
                return "cannot read /proc/net/tcp: " + e + "; not waiting";
            }
            if (first < 0) {
                first = last;
                ctx.figure("connections_at_drain_start", first);
            }
            long ms = (clock.nanoTime() - start) / 1_000_000;
            if (last == 0) return "idle after " + ms + " ms: 0 connections " + where + " (" + first + " at start)";
            if (d.expired()) {
                String left = last + " connection(s) still open " + where;
                ctx.unfinished(left);
                ctx.figure("connections_left", last);
                return "timed out after " + ms + " ms (" + bound(d) + "): " + left;
            }
            LockSupport.parkNanos(POLL.toNanos());
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
                long ms = (clock.nanoTime() - start) / 1_000_000;
                String left = "app process " + id.pid() + " still running";
                ctx.unfinished(left);
                return "timed out after " + ms + " ms (" + bound(d) + "): " + left;
            }
            LockSupport.parkNanos(POLL.toNanos());
        }
        return "app process " + id.pid() + " exited after " + (clock.nanoTime() - start) / 1_000_000 + " ms";
    }

    private static String bound(Deadline d) {
        return d.name().equals("budget") ? "the budget: grace period - stop reserve" : d.name();
    }
}
