package dev.gracekeeper.hook;

import dev.gracekeeper.lifecycle.Clock;
import dev.gracekeeper.os.FdLimit;
import io.undertow.Undertow;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.AbstractServerConnection;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.protocol.http.HttpOpenListener;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * The hook port's socket and connections: XNIO accepts, Undertow parses HTTP, and this class decides
 * which connections stay. A connection that sends no request is closed after
 * {@link PortLimits#NO_REQUEST_TIMEOUT}; at most {@link PortLimits#connections()} are open, the oldest idle one
 * closed to admit a new one (see {@link ConnectionCap}); a failed accept frees descriptors and never
 * stops accepting for long (see {@link AcceptBackoff}). One I/O thread does all of it.
 */
final class HookPort implements ChannelListener<AcceptingChannel<StreamConnection>> {
    /** Connections taken from the queue per wake-up, so a flood of connects leaves the I/O thread time to serve. */
    private static final int ACCEPT_BATCH = 32;
    /** Idle connections closed after a failed accept, to free descriptors for the next one. */
    private static final int RELIEF = 16;
    private static final Logger log = LoggerFactory.getLogger("hook");

    private final PortLimits limits;
    private final ConnectionCap<StreamConnection> cap;
    private final HttpOpenListener http;
    private final Metrics metrics;
    private final FloodEpisode flood;
    private XnioWorker worker;
    private AcceptingChannel<StreamConnection> server;
    private AcceptBackoff backoff;
    private XnioExecutor.Key tick;

    private HookPort(PortLimits limits, HttpHandler handler, Metrics metrics, Clock clock) {
        this.limits = limits;
        this.cap = new ConnectionCap<>(limits.connections());
        this.metrics = metrics;
        this.flood = new FloodEpisode(clock, log::warn, log::info);
        ByteBufferPool buffers = new DefaultByteBufferPool(false, 4096, -1, 4);
        this.http = new HttpOpenListener(buffers, PortLimits.http());
        this.http.setRootHandler(ex -> {
            StreamConnection c = ((AbstractServerConnection) ex.getConnection()).getChannel();
            cap.requestStarted(c);
            ex.addExchangeCompleteListener((e, next) -> {
                cap.requestEnded(c);
                next.proceed();
            });
            handler.handleRequest(ex);
        });
    }

    /**
     * Listens on {@code address}; {@code everySecond} runs on the I/O thread once a second.
     *
     * @throws IOException when the address cannot be bound
     */
    static HookPort open(InetSocketAddress address, HttpHandler handler, Metrics metrics, Clock clock,
                         Runnable everySecond) throws IOException {
        Optional<FdLimit> fds = FdLimit.ofThisProcess();
        HookPort p = new HookPort(PortLimits.forDescriptors(fds), handler, metrics, clock);
        Xnio xnio = Xnio.getInstance(Undertow.class.getClassLoader());
        p.worker = xnio.createWorker(OptionMap.builder().set(Options.WORKER_IO_THREADS, 1)
                .set(Options.WORKER_TASK_CORE_THREADS, 1).set(Options.WORKER_TASK_MAX_THREADS, 1)
                .set(Options.TCP_NODELAY, true).set(Options.CORK, true).getMap());
        try {
            p.server = p.worker.createStreamConnectionServer(address, p, p.limits.socket());
        } catch (IOException | RuntimeException e) {
            p.worker.shutdownNow();
            throw e;
        }
        XnioIoThread io = p.worker.getIoThread(0);
        p.backoff = AcceptBackoff.watch(p.server, () -> {
            try {
                io.execute(p::acceptFailed);
            } catch (RejectedExecutionException e) {
                // the port is closing
            }
        });
        metrics.connections(p.cap::open, p.cap.limit());
        p.logLimits(fds);
        p.tick = io.executeAtInterval(() -> {
            everySecond.run();
            p.flood.tick(p.cap.open());
        }, 1, TimeUnit.SECONDS);
        p.server.resumeAccepts();
        return p;
    }

    private void logLimits(Optional<FdLimit> fds) {
        log.info("hook port: {}", limits.describe(fds));
        fds.filter(f -> !f.raisedToHard()).ifPresent(f -> log.warn("hook port: the descriptor limit is {}, below its"
                + " hard limit {}: the JVM raises it unless started with -XX:-MaxFDLimit; drop that flag to allow more"
                + " connections", f.soft(), f.hard()));
        backoff.unavailable().ifPresent(why -> log.warn("hook port: cannot keep XNIO's accept back-off short ({});"
                + " after failed accepts in a row it stops accepting for up to 30 s", why));
    }

    InetSocketAddress address() { return server.getLocalAddress(InetSocketAddress.class); }

    @Override
    public void handleEvent(AcceptingChannel<StreamConnection> channel) {
        for (int i = 0; i < ACCEPT_BATCH; i++) {
            StreamConnection c;
            try {
                c = channel.accept();
            } catch (IOException e) {
                return; // the listener is closing
            }
            if (c == null) return;
            admit(c);
        }
    }

    private void admit(StreamConnection c) {
        StreamConnection victim = cap.admit(c);
        if (victim == c) {
            IoUtils.safeClose(c);
            metrics.connectionRefused();
            flood.event(FloodEpisode.Event.REFUSED_ALL_BUSY, 1, cap.open(), () -> "all " + cap.limit()
                    + " open connections have a request in flight: refusing new ones until one is answered");
            return;
        }
        if (victim != null) {
            IoUtils.safeClose(victim);
            metrics.connectionsClosedAtLimit(1);
            flood.event(FloodEpisode.Event.CLOSED_OLDEST_IDLE, 1, cap.open(), () -> cap.limit()
                    + " connections open, the limit: closing the oldest idle one for each new one");
        }
        http.handleEvent(c);
        if (!c.isOpen()) {
            cap.closed(c);
            return;
        }
        ChannelListener<? super StreamConnection> undertows = c.getCloseListener();
        c.setCloseListener(closed -> {
            cap.closed(closed);
            ChannelListeners.invokeChannelListener(closed, undertows);
        });
    }

    /**
     * An accept failed on XNIO's accept thread, out of descriptors (or memory): free some by closing
     * idle connections, and accept again at once. Runs on the I/O thread.
     */
    private void acceptFailed() {
        List<StreamConnection> idle = cap.takeOldestIdle(RELIEF);
        idle.forEach(IoUtils::safeClose);
        metrics.acceptFailed();
        metrics.connectionsClosedAtLimit(idle.size());
        flood.event(FloodEpisode.Event.ACCEPT_FAILED, 1, cap.open(), () -> "accepting a connection failed with "
                + openDescriptors() + " descriptors open (" + cap.open() + " of them hook connections); closing the"
                + " oldest idle connections and accepting again " + (idle.isEmpty() ? "in 250 ms" : "now"));
        if (!idle.isEmpty()) {
            flood.event(FloodEpisode.Event.CLOSED_OLDEST_IDLE, idle.size(), cap.open(), () -> "");
            backoff.retryNow();
        }
    }

    private static String openDescriptors() {
        String[] fds = new java.io.File("/proc/self/fd").list();
        return fds == null ? "an unknown number of" : Integer.toString(fds.length);
    }

    /** The connection bounds and counts, for /status. */
    String status() {
        return new Json().field("connections_open", cap.open()).field("connections_limit", cap.limit())
                .field("no_request_timeout_ms", PortLimits.NO_REQUEST_TIMEOUT.toMillis())
                .field("request_parse_timeout_ms", PortLimits.REQUEST_PARSE_TIMEOUT.toMillis())
                .field("flood", flood.active()).end();
    }

    /**
     * Stops accepting, closes the connections and stops the I/O thread. Accepting stops first: a
     * connection accepted while the I/O thread shuts down made XNIO log a RejectedExecutionException.
     */
    void close(Duration bound) {
        // A pending timer holds the I/O thread's termination until it fires: up to a second.
        tick.remove();
        server.suspendAccepts();
        CountDownLatch closed = new CountDownLatch(1);
        server.getIoThread().execute(() -> {
            try {
                http.closeConnections();
            } finally {
                closed.countDown();
            }
        });
        try {
            closed.await(bound.toMillis(), TimeUnit.MILLISECONDS);
            IoUtils.safeClose(server);
            worker.shutdown();
            if (!worker.awaitTermination(bound.toMillis(), TimeUnit.MILLISECONDS)) worker.shutdownNow();
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
