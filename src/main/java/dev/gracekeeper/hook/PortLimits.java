package dev.gracekeeper.hook;

import dev.gracekeeper.os.FdLimit;
import io.undertow.UndertowOptions;
import java.time.Duration;
import java.util.Optional;
import org.xnio.OptionMap;
import org.xnio.Options;

/**
 * The hook port's fixed bounds. A hook call is a tiny GET and the read-only endpoints are probes and
 * scrapes: no legitimate client needs more, and every bound here stops one pod from taking the port
 * from the others.
 *
 * @param connections the most connections kept open (see {@link ConnectionCap})
 * @param slack how many more XNIO may have accepted and queued for the I/O thread: if the I/O thread
 *     falls behind, XNIO stops accepting at connections + slack and resumes at half the slack, so
 *     descriptors stay bounded however fast connections come
 */
record PortLimits(int connections, int slack) {
    static final int MAX_CONNECTIONS = 1024;
    static final int MAX_SLACK = 128;
    /** Descriptors kept for everything but hook connections: the jar, epoll, /proc reads, the app client. */
    static final int FD_RESERVE = 256;
    /** The sidecar itself uses about 15 descriptors; a quarter of a small limit is plenty. */
    private static final int FD_RESERVE_SHARE = 4;
    static final Duration NO_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REQUEST_PARSE_TIMEOUT = Duration.ofSeconds(5);
    /**
     * A response that makes no progress for this long is abandoned and its connection closed: a
     * client that pipelines requests and never reads would otherwise keep a connection busy, and
     * so safe from eviction, for ever. A parked hook writes nothing until its answer, so it is not cut.
     */
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
    static final int BACKLOG = 4096;

    /** Connections and slack together below the descriptor limit, less a reserve for the rest of the sidecar. */
    static PortLimits forDescriptors(Optional<FdLimit> fds) {
        long soft = fds.map(FdLimit::soft).orElse(Long.MAX_VALUE);
        long forConnections = soft - Math.min(FD_RESERVE, soft / FD_RESERVE_SHARE);
        int slack = (int) Math.max(1, Math.min(MAX_SLACK, forConnections / 4));
        return new PortLimits((int) Math.max(1, Math.min(MAX_CONNECTIONS, forConnections - slack)), slack);
    }

    /**
     * Undertow's: small headers, tiny bodies, a bound on how long a request may take to arrive, and a
     * connection without a request closed soon.
     */
    static OptionMap http() {
        return OptionMap.builder()
                .set(UndertowOptions.BUFFER_PIPELINED_DATA, true)
                .set(UndertowOptions.MAX_HEADER_SIZE, 8 * 1024)
                .set(UndertowOptions.MAX_HEADERS, 64)
                .set(UndertowOptions.MAX_ENTITY_SIZE, 4L * 1024)
                .set(UndertowOptions.MAX_PARAMETERS, 32)
                .set(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) REQUEST_PARSE_TIMEOUT.toMillis())
                .set(UndertowOptions.NO_REQUEST_TIMEOUT, (int) NO_REQUEST_TIMEOUT.toMillis())
                .getMap();
    }

    /** The listening socket's: the connection bound as XNIO's high and low water marks. */
    OptionMap socket() {
        return OptionMap.builder()
                .set(Options.TCP_NODELAY, true).set(Options.REUSE_ADDRESSES, true).set(Options.BACKLOG, BACKLOG)
                .set(Options.WRITE_TIMEOUT, (int) WRITE_TIMEOUT.toMillis())
                .set(Options.CONNECTION_HIGH_WATER, connections + slack)
                .set(Options.CONNECTION_LOW_WATER, connections + slack / 2)
                .getMap();
    }

    String describe(Optional<FdLimit> fds) {
        return "at most " + connections + " open connections (descriptor limit "
                + fds.map(f -> Long.toString(f.soft())).orElse("unknown") + "), the oldest idle one closed to admit"
                + " a new one; a connection is closed after " + NO_REQUEST_TIMEOUT.toMillis() + " ms without a request,"
                + " a request that takes over " + REQUEST_PARSE_TIMEOUT.toMillis() + " ms to arrive is cut off, a response"
                + " that makes no progress for " + WRITE_TIMEOUT.toMillis() + " ms is abandoned";
    }
}
