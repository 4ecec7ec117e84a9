package dev.gracekeeper.hook;

import dev.gracekeeper.os.Untrusted;
import dev.gracekeeper.app.AppConnections;
import dev.gracekeeper.app.AppProbe;
import dev.gracekeeper.config.Config;
import dev.gracekeeper.drain.PropagationReport;
import dev.gracekeeper.lifecycle.Clock;
import dev.gracekeeper.lifecycle.Lifecycle;
import dev.gracekeeper.lifecycle.MarkerStore;
import dev.gracekeeper.lifecycle.Snapshot;
import dev.gracekeeper.lifecycle.Trigger;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of the sidecar. Everything runs on one I/O thread: the read-only endpoints answer
 * from the lock-free snapshot, and the hooks that must block ({@code /shutdown} until the shutdown
 * has finished) park their exchange on a future instead of a thread, so a hundred concurrent
 * re-deliveries cost a hundred small objects, not a hundred threads.
 */
public final class HookServer {
    private static final Logger log = LoggerFactory.getLogger("hook");
    private static final HttpString ALLOW = new HttpString("Allow");
    private static final String JSON = "application/json";
    private static final String TEXT = "text/plain; charset=utf-8";
    /** Rejected hook calls are logged once per source address in this time; the rest are counted. */
    static final Duration REJECTION_LOG_INTERVAL = Duration.ofSeconds(10);
    private static final Duration STOP_BOUND = Duration.ofSeconds(2);

    private final Config config;
    private final Lifecycle lifecycle;
    private final MarkerStore store;
    private final HookGuard guard;
    private final AppProbe probe;
    private final AppConnections connections;
    private final Metrics metrics;
    private final PropagationReport propagation;
    private volatile String lastPoststart = "null";
    private final AtomicInteger hooksInFlight = new AtomicInteger();
    /**
     * Runs hook work that touches the disk (the marker's fsyncs) off the I/O thread, which also
     * serves /healthz and /readyz. One thread, started on first use, gone when idle.
     */
    private final java.util.concurrent.ThreadPoolExecutor hookWork = new java.util.concurrent.ThreadPoolExecutor(
            0, 1, 30, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "hook-work");
                t.setDaemon(true);
                return t;
            });
    private final LogLimiter rejections = new LogLimiter(Clock.SYSTEM, REJECTION_LOG_INTERVAL, "hook calls rejected",
            log::warn);
    private HookPort port;
    private InetSocketAddress bound;

    public HookServer(Config config, Lifecycle lifecycle, MarkerStore store, AppProbe probe,
                      AppConnections connections, Metrics metrics, PropagationReport propagation) {
        this.propagation = propagation;
        this.probe = probe;
        this.connections = connections;
        this.metrics = metrics;
        this.config = config;
        this.lifecycle = lifecycle;
        this.store = store;
        this.guard = new HookGuard(config);
    }

    /**
     * Binds and starts serving.
     *
     * @throws RuntimeException when the address cannot be bound (port in use, no permission)
     */
    public InetSocketAddress start() {
        if (config.bindAddress().isPresent()) {
            bound = listen(config.bindAddress().get().getHostAddress());
        } else {
            try {
                bound = listen("::");
            } catch (RuntimeException e) {
                log.info("IPv6 unavailable ({}); listening on 0.0.0.0 instead of ::", rootMessage(e));
                bound = listen("0.0.0.0");
            }
        }
        return bound;
    }

    private InetSocketAddress listen(String host) {
        try {
            port = HookPort.open(new InetSocketAddress(InetAddress.getByName(host), config.port()), this::handle,
                    metrics, Clock.SYSTEM, rejections::flush);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return port.address();
    }

    /** Waits, bounded, until every hook response already due has been written. */
    public boolean awaitHookResponses(Duration bound) {
        long end = System.nanoTime() + bound.toNanos();
        while (hooksInFlight.get() > 0 && System.nanoTime() - end < 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        return hooksInFlight.get() == 0;
    }

    public int hooksInFlight() { return hooksInFlight.get(); }

    /**
     * Stops accepting first, then stops the server: a connection accepted while the I/O thread
     * shuts down made XNIO log a RejectedExecutionException stack trace on some clean exits (it
     * still does in about 5% of exits under a request flood: bench/sigterm-torture.sh). Leaving
     * the I/O thread to the process exit instead is worse: the JVM's exit waits up to about
     * 300 ms for threads blocked in native code such as XNIO's epoll, and SIGTERM to exit went
     * from a median of 75 ms to 384 ms.
     */
    public void stop() {
        if (port == null) return;
        port.close(STOP_BOUND);
        port = null;
    }

    private void handle(HttpServerExchange ex) {
        String path = ex.getRequestPath();
        switch (path) {
            case "/healthz":
                if (readOnly(ex)) send(ex, 200, TEXT, "ok\n");
                break;
            case "/readyz":
                if (readOnly(ex)) readyz(ex);
                break;
            case "/status":
                if (readOnly(ex)) send(ex, 200, JSON, StatusView.render(lifecycle.snapshot(), config, store,
                        metrics.rejectedTotal(), lastPoststart, connections.health(), port.status(), propagation) + "\n");
                break;
            case "/metrics":
                if (readOnly(ex)) send(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                        metrics.render(lifecycle.snapshot(), store.error().isEmpty(), connections.health()));
                break;
            case "/shutdown":
                if (hook(ex, path)) shutdown(ex);
                break;
            case "/poststart":
                if (hook(ex, path)) poststart(ex);
                break;
            default:
                send(ex, 404, TEXT, "no such endpoint: " + Untrusted.clip(path, 64)
                        + "; endpoints: /poststart, /shutdown, /healthz, /readyz, /status, /metrics\n");
        }
    }

    private void readyz(HttpServerExchange ex) {
        Snapshot s = lifecycle.snapshot();
        if (!s.phase().ready()) {
            send(ex, 503, TEXT, "not ready: " + s.phase().label() + " (generation " + s.generation() + ")\n");
        } else if (!probe.hasReadyUrl()) {
            send(ex, 200, TEXT, "ready\n");
        } else {
            // The app's own readiness is part of ours; asking it must not hold the I/O thread.
            answer(ex, probe.readyOnce(java.time.Duration.ofSeconds(1)), r -> r.ready()
                    ? new Reply(200, TEXT, "ready: " + r.why() + "\n")
                    : new Reply(503, TEXT, "not ready: app not ready (" + r.why() + ")\n"));
        }
    }

    private void shutdown(HttpServerExchange ex) {
        metrics.called(Metrics.Hook.SHUTDOWN);
        Lifecycle.Attempt a = lifecycle.shutdown(Trigger.PRESTOP_HOOK, " from " + source(ex));
        if (a.join() != Lifecycle.Join.STARTED && a.join() != Lifecycle.Join.RESUMED) metrics.duplicate();
        if (a.join() != Lifecycle.Join.STARTED) {
            log.info("/shutdown from {}: {} the shutdown of generation {}", source(ex),
                    a.join().words(), a.generation());
        }
        answer(ex, a.result(), r -> new Reply(200, JSON, StatusView.result(r, a.join()) + "\n"));
    }

    /**
     * A new app instance: a new generation, then wait (bounded) until the app is ready, since the
     * kubelet starts the next container only when this hook returns. On timeout, {@code fail}
     * aborts the connection without a response: the kubelet ignores status codes, so only a
     * transport error makes it report FailedPostStartHook and restart the container.
     */
    private void poststart(HttpServerExchange ex) {
        metrics.called(Metrics.Hook.POSTSTART);
        String from = source(ex);
        java.time.Duration timeout = config.app().poststartTimeout();
        long start = System.nanoTime();
        CompletableFuture<Reply> reply = CompletableFuture.supplyAsync(
                () -> lifecycle.poststart(" from " + from), hookWork).thenCompose(f -> f).thenCompose(s ->
                probe.awaitReady(timeout).thenApply(r -> {
                    long ms = Clock.SYSTEM.millisSince(start);
                    String json = StatusView.poststart(s, r.ready(), r.why(), ms);
                    lastPoststart = json;
                    if (r.ready()) {
                        log.info("/poststart from {}: generation {} app ready after {} ms ({})", from, s.generation(),
                                ms, r.why());
                        return new Reply(200, JSON, json + "\n");
                    }
                    metrics.poststartTimedOut();
                    boolean fail = config.app().poststartFailOnTimeout();
                    log.warn("/poststart from {}: app not ready after {} ms (GRACEKEEPER_POSTSTART_TIMEOUT {} ms): {};"
                            + " {}", from, ms, timeout.toMillis(), r.why(), fail
                            ? "aborting the connection so the kubelet fails the hook (GRACEKEEPER_POSTSTART_ON_TIMEOUT"
                              + "=fail)" : "answering anyway (GRACEKEEPER_POSTSTART_ON_TIMEOUT=proceed)");
                    return fail ? Reply.ABORT : new Reply(200, JSON, json + "\n");
                }));
        answer(ex, reply, r -> r);
    }

    /** An HTTP answer, or {@link #ABORT}: close the connection without one. */
    record Reply(int status, String type, String body) {
        static final Reply ABORT = new Reply(0, "", "");
    }

    /** Parks the exchange (no thread held) until the future completes, then answers on the I/O thread. */
    private <T> void answer(HttpServerExchange ex, CompletableFuture<T> future,
                            java.util.function.Function<T, Reply> render) {
        if (future.isDone() && !future.isCompletedExceptionally()) {
            reply(ex, render.apply(future.join()));
            return;
        }
        hooksInFlight.incrementAndGet();
        ex.addExchangeCompleteListener((e, next) -> {
            hooksInFlight.decrementAndGet();
            next.proceed();
        });
        ex.dispatch(SameThreadExecutor.INSTANCE, () -> future.whenComplete((value, error) ->
                ex.getIoThread().execute(() -> {
                    if (error != null) {
                        log.error("{} failed", ex.getRequestPath(), error);
                        send(ex, 500, TEXT, "internal error: " + error + "\n");
                    } else {
                        reply(ex, render.apply(value));
                    }
                })));
    }

    private static void reply(HttpServerExchange ex, Reply r) {
        if (r == Reply.ABORT) {
            org.xnio.IoUtils.safeClose(ex.getConnection());
            return;
        }
        send(ex, r.status(), r.type(), r.body());
    }

    private boolean readOnly(HttpServerExchange ex) {
        HttpString m = ex.getRequestMethod();
        if (m.equals(Methods.GET) || m.equals(Methods.HEAD)) return true;
        ex.getResponseHeaders().put(ALLOW, "GET, HEAD");
        send(ex, 405, TEXT, Untrusted.clip(ex.getRequestPath(), 64) + " accepts GET and HEAD, not "
                + Untrusted.clip(m.toString(), 64) + "\n");
        return false;
    }

    /** Checks method and caller of a hook; answers and returns false when the call is refused. */
    private boolean hook(HttpServerExchange ex, String path) {
        HttpString m = ex.getRequestMethod();
        if (!m.equals(Methods.GET) && !m.equals(Methods.POST)) {
            ex.getResponseHeaders().put(ALLOW, "GET, POST");
            send(ex, 405, TEXT, path + " accepts GET (as the kubelet sends) and POST, not "
                    + Untrusted.clip(m.toString(), 64) + "\n");
            return false;
        }
        InetSocketAddress src = ex.getSourceAddress();
        InetAddress addr = src == null ? null : src.getAddress();
        HookGuard.Verdict v = guard.check(addr, ex.getRequestHeaders().getFirst(HookGuard.TOKEN_HEADER));
        if (v == HookGuard.Verdict.ALLOWED) return true;
        metrics.rejected(v);
        // The kubelet ignores status codes: this line is the only trace a refused hook leaves. Any pod
        // can send thousands, so one line per source address per interval, and a count of the rest.
        String from = source(ex);
        rejections.event(from, () -> path + " from " + from + " rejected (" + v.status() + "): " + v.reason()
                + "; no action taken");
        send(ex, v.status(), TEXT, "rejected: " + v.reason() + "\n");
        return false;
    }

    private static String source(HttpServerExchange ex) {
        InetSocketAddress s = ex.getSourceAddress();
        return s == null ? "unknown" : s.getAddress().getHostAddress();
    }

    private static void send(HttpServerExchange ex, int status, String type, String body) {
        ex.setStatusCode(status);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, type);
        ex.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        ex.getResponseSender().send(body);
    }


    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) t = t.getCause();
        return t.toString();
    }
}
