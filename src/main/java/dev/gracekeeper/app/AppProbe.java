package dev.gracekeeper.app;

import dev.gracekeeper.config.AppConfig;
import dev.gracekeeper.http.HttpClients;
import dev.gracekeeper.os.AppProcess;
import dev.gracekeeper.os.ProcNetTcp;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Looks at the app from outside: is it ready (its ready URL answers 2xx, or else its ports
 * listen), and is it there at all (ports listening, process running). All checks are cheap and
 * bounded; waits run on one scheduler thread and never hold a request thread.
 */
public final class AppProbe {
    static final Duration READY_CALL_BOUND = Duration.ofSeconds(1);
    /**
     * Between readiness checks of a postStart wait. A look at the ports costs 0.1-0.5 ms of CPU
     * (the wake-up, the counters), so this keeps a long wait within about half a percent of a core;
     * the kubelet waits for the hook anyway, and 100 ms more or less does not matter to it.
     */
    static final Duration POLL = Duration.ofMillis(100);

    private final Optional<URI> readyUrl;
    private final List<Integer> ports;
    private final Optional<AppProcess> process;
    private final AppConnections connections;
    private final HttpClients http;
    private CompletableFuture<Readiness> readyCall;             // guarded by this
    private final AtomicLong readyCallsJoined = new AtomicLong();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "app-probe");
        t.setDaemon(true);
        return t;
    });

    public AppProbe(AppConfig app, Optional<AppProcess> process, AppConnections connections, HttpClients http) {
        this.readyUrl = app.readyUrl();
        this.ports = app.ports();
        this.process = process;
        this.connections = connections;
        this.http = http;
    }

    /** Whether the app's presence can be observed at all (ports or process configured). */
    public boolean canSeeApp() { return !ports.isEmpty() || process.isPresent(); }

    public enum Presence { PRESENT, GONE, UNKNOWN }

    /**
     * Whether the app is there, and who holds its listening sockets (their inodes: a new instance
     * opens new ones, even when it replaced the old one between two looks; none when nothing listens
     * or no ports are known), from one read of the connection tables.
     */
    public record Look(Presence presence, ProcNetTcp.Inodes listeners) {}

    /**
     * Looks once, through {@link AppConnections}: microseconds while nothing changed, one walk of the
     * connection tables when something did. An unreadable table is {@code UNKNOWN}, never gone, unless
     * the app's process is configured too: then the process says whether the app is there.
     */
    public Look look() { return look(false, Duration.ZERO); }

    /** Looks once, walking the connection tables at most this often: for a watch that can wait. */
    public Look look(Duration walkAtMostEvery) { return look(false, walkAtMostEvery); }

    /** Looks once with counts that are current, whatever the walk budget: for the start of a shutdown. */
    public Look lookFresh() { return look(true, Duration.ZERO); }

    private Look look(boolean fresh, Duration walkAtMostEvery) {
        if (!ports.isEmpty()) {
            Optional<ProcNetTcp.Counts> c = (fresh ? connections.lookFresh() : connections.look(walkAtMostEvery))
                    .counts();
            if (c.isPresent()) {
                return new Look(c.get().listening() > 0 ? Presence.PRESENT : Presence.GONE, c.get().listeners());
            }
            // The tables cannot be read: the process, where one is configured, still tells.
            if (process.isEmpty()) return new Look(Presence.UNKNOWN, ProcNetTcp.Inodes.NONE);
        }
        if (process.isPresent()) {
            return new Look(process.get().find().id().isPresent() ? Presence.PRESENT : Presence.GONE,
                    ProcNetTcp.Inodes.NONE);
        }
        return new Look(Presence.UNKNOWN, ProcNetTcp.Inodes.NONE);
    }

    /** Present when any app port listens (or, without ports, the process runs). */
    public Presence presence() { return look().presence(); }

    /** The app process as seen now, to notice a new instance by its start time. */
    public Optional<AppProcess.Id> processId() {
        return process.flatMap(p -> p.find().id());
    }

    /** One readiness observation, with the reason. */
    public record Readiness(boolean ready, String why, boolean answered) {
        public Readiness(boolean ready, String why) { this(ready, why, true); }

        static Readiness unanswered(String why) { return new Readiness(false, why, false); }
    }

    /** Whether a ready URL is configured, so that {@code /readyz} must ask the app. */
    public boolean hasReadyUrl() { return readyUrl.isPresent(); }

    /** Checks readiness once: the ready URL if set, else all ports listening, else ready. */
    public CompletableFuture<Readiness> readyOnce(Duration bound) {
        if (readyUrl.isPresent()) return callReadyUrl(bound);
        if (!ports.isEmpty()) {
            AppConnections.Look look = connections.look();
            if (look.counts().isEmpty()) return CompletableFuture.completedFuture(new Readiness(false, look.why()));
            int n = look.counts().get().listeningPorts();
            return CompletableFuture.completedFuture(new Readiness(n == ports.size(),
                    n + " of " + ports.size() + " app port(s) listening"));
        }
        return CompletableFuture.completedFuture(new Readiness(true, "no ready URL or ports configured"));
    }

    /** Polls readiness until ready or the timeout; the last observation says why not. */
    public CompletableFuture<Readiness> awaitReady(Duration timeout) {
        CompletableFuture<Readiness> result = new CompletableFuture<>();
        long end = System.nanoTime() + timeout.toNanos();
        poll(result, end, Readiness.unanswered("not checked yet"));
        return result;
    }

    private void poll(CompletableFuture<Readiness> result, long end, Readiness last) {
        long left = end - System.nanoTime();
        if (left <= 0) {
            result.complete(new Readiness(false, last.why()));
            return;
        }
        boolean cutByDeadline = left < READY_CALL_BOUND.toNanos();
        Duration bound = Duration.ofNanos(Math.min(left, READY_CALL_BOUND.toNanos()));
        readyOnce(bound).whenComplete((r, e) -> {
            Readiness seen = e != null ? Readiness.unanswered(e.toString()) : r;
            if (seen.ready()) {
                result.complete(seen);
                return;
            }
            // A check that the overall deadline cut short says nothing about the app; the last
            // answer it did give is the better reason to report.
            Readiness keep = !seen.answered() && cutByDeadline && System.nanoTime() - end >= 0 && last.answered()
                    ? new Readiness(false, last.why() + " (a later check was cut off by the timeout)")
                    : seen;
            scheduler.schedule(() -> poll(result, end, keep), POLL.toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    /**
     * The app's answer, from the one call to its ready URL in flight: a check that starts while a call
     * runs shares it, so a burst of {@code /readyz} (the kubelet's probes and a postStart wait at once,
     * or a flood from anyone who can reach the port) asks the app once, not once per request. A call
     * has the full {@link #READY_CALL_BOUND} whoever starts it, so a postStart check near its deadline
     * does not cut short the {@code /readyz} that joins it; each caller gets its answer within its own
     * bound, or within what is left of the call's when it joins late. A call that has ended is never
     * reused: the next check asks again. The call is started outside the lock, which only picks who
     * starts it.
     */
    private CompletableFuture<Readiness> callReadyUrl(Duration bound) {
        CompletableFuture<Readiness> call;
        boolean joined;
        synchronized (this) {
            joined = readyCall != null && !readyCall.isDone();
            if (!joined) readyCall = new CompletableFuture<>();
            call = readyCall;
        }
        if (joined) {
            readyCallsJoined.incrementAndGet();
        } else {
            startReadyCall(READY_CALL_BOUND).whenComplete((r, e) -> {
                if (e != null) call.completeExceptionally(e);
                else call.complete(r);
            });
            if (bound.compareTo(READY_CALL_BOUND) >= 0) return call;
        }
        return call.copy().completeOnTimeout(Readiness.unanswered("GET " + readyUrl.get() + " failed: no answer within "
                + bound.toMillis() + " ms"), bound.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Checks that shared a call already in flight instead of asking the app again. */
    public long readyCallsJoined() { return readyCallsJoined.get(); }

    private CompletableFuture<Readiness> startReadyCall(Duration bound) {
        // Asked from the hook server's I/O thread: getStatus never waits there for the client's background
        // build, and touches no OkHttp class before it has finished.
        URI url = readyUrl.get();
        return http.getStatus(url, bound).handle((code, error) -> {
            if (error == null) return new Readiness(code >= 200 && code < 300, "GET " + url + " -> " + code);
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            return cause instanceof IOException
                    ? Readiness.unanswered("GET " + url + " failed: " + cause.getMessage())
                    : Readiness.unanswered("HTTP client unavailable: " + cause);
        });
    }

    /** Runs {@code task} every {@code period} on the probe thread. */
    public void every(Duration period, Runnable task) {
        scheduler.scheduleWithFixedDelay(task, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }
}
