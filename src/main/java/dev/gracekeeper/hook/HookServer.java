package dev.gracekeeper.hook;

import dev.gracekeeper.app.AppConnections;
import dev.gracekeeper.app.AppProbe;
import dev.gracekeeper.config.Config;
import dev.gracekeeper.drain.PropagationReport;
import dev.gracekeeper.lifecycle.Clock;
import dev.gracekeeper.lifecycle.Lifecycle;
import dev.gracekeeper.lifecycle.MarkerStore;
import dev.gracekeeper.os.Throwables;
import dev.gracekeeper.os.Untrusted;
import io.undertow.server.HttpServerExchange;
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
import java.util.concurrent.locks.LockSupport;
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
    /** Rejected hook calls are logged once per source address in this time; the rest are counted. */
    static final Duration REJECTION_LOG_INTERVAL = Duration.ofSeconds(10);
    private static final Duration STOP_BOUND = Duration.ofSeconds(2);

    private final Config config;
    private final HookGuard guard;
    private final Metrics metrics;
    private final ReadEndpoints reads;
    private final ShutdownHook shutdown;
    private final PostStartHook poststart;
    private final AtomicInteger hooksInFlight = new AtomicInteger();
    private final LogLimiter rejections = new LogLimiter(Clock.SYSTEM, REJECTION_LOG_INTERVAL, "hook calls rejected",
            log::warn);
    private volatile HookPort port;
    private InetSocketAddress bound;

    public HookServer(Config config, Lifecycle lifecycle, MarkerStore store, AppProbe probe,
                      AppConnections connections, Metrics metrics, PropagationReport propagation) {
        this.config = config;
        this.metrics = metrics;
        this.guard = new HookGuard(config);
        metrics.readyCallsJoined(probe::readyCallsJoined);
        this.shutdown = new ShutdownHook(lifecycle, metrics);
        this.poststart = new PostStartHook(lifecycle, probe, config.app(), metrics);
        this.reads = new ReadEndpoints(config, lifecycle, store, probe, connections, metrics, propagation,
                poststart::last, () -> port == null ? "null" : port.status());
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
                log.info("IPv6 unavailable ({}); listening on 0.0.0.0 instead of ::", Throwables.rootCause(e));
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
            LockSupport.parkNanos(1_000_000);
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
            case "/healthz" -> { if (readOnly(ex)) reads.healthz().sendOn(ex); }
            case "/readyz" -> { if (readOnly(ex)) answer(ex, reads.readyz()); }
            case "/status" -> { if (readOnly(ex)) reads.status().sendOn(ex); }
            case "/metrics" -> { if (readOnly(ex)) reads.metrics().sendOn(ex); }
            case "/shutdown" -> { if (hook(ex, path)) answer(ex, shutdown.call(source(ex))); }
            case "/poststart" -> { if (hook(ex, path)) answer(ex, poststart.call(source(ex))); }
            default -> Reply.text(404, "no such endpoint: " + Untrusted.clip(path, 64)
                    + "; endpoints: /poststart, /shutdown, /healthz, /readyz, /status, /metrics\n").sendOn(ex);
        }
    }

    /** Parks the exchange (no thread held) until the reply is ready, then answers on the I/O thread. */
    private void answer(HttpServerExchange ex, CompletableFuture<Reply> reply) {
        if (reply.isDone() && !reply.isCompletedExceptionally()) {
            reply.join().sendOn(ex);
            return;
        }
        hooksInFlight.incrementAndGet();
        ex.addExchangeCompleteListener((e, next) -> {
            hooksInFlight.decrementAndGet();
            next.proceed();
        });
        ex.dispatch(SameThreadExecutor.INSTANCE, () -> reply.whenComplete((r, error) ->
                ex.getIoThread().execute(() -> {
                    if (error != null) {
                        log.error("{} failed", ex.getRequestPath(), error);
                        Reply.text(500, "internal error: " + error + "\n").sendOn(ex);
                    } else {
                        r.sendOn(ex);
                    }
                })));
    }

    private boolean readOnly(HttpServerExchange ex) {
        HttpString m = ex.getRequestMethod();
        if (m.equals(Methods.GET) || m.equals(Methods.HEAD)) return true;
        ex.getResponseHeaders().put(ALLOW, "GET, HEAD");
        Reply.text(405, Untrusted.clip(ex.getRequestPath(), 64) + " accepts GET and HEAD, not "
                + Untrusted.clip(m.toString(), 64) + "\n").sendOn(ex);
        return false;
    }

    /** Checks method and caller of a hook; answers and returns false when the call is refused. */
    private boolean hook(HttpServerExchange ex, String path) {
        HttpString m = ex.getRequestMethod();
        if (!m.equals(Methods.GET) && !m.equals(Methods.POST)) {
            ex.getResponseHeaders().put(ALLOW, "GET, POST");
            Reply.text(405, path + " accepts GET (as the kubelet sends) and POST, not "
                    + Untrusted.clip(m.toString(), 64) + "\n").sendOn(ex);
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
        Reply.text(v.status(), "rejected: " + v.reason() + "\n").sendOn(ex);
        return false;
    }

    private static String source(HttpServerExchange ex) {
        InetSocketAddress s = ex.getSourceAddress();
        return s == null ? "unknown" : s.getAddress().getHostAddress();
    }
}
