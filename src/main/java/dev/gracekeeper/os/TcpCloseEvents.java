package dev.gracekeeper.os;

import com.kenai.jffi.MemoryIO;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The kernel's word that a TCP socket of this network namespace is gone: a netlink socket subscribed
 * to sock_diag's destroy groups (IPv4 and IPv6, Linux 4.10+; no privilege needed), which get one
 * message, with the socket's ports, whenever a TCP socket of the namespace is freed. A connection
 * the app closes is freed within a round trip (once it reaches TIME-WAIT or CLOSED), so a wait can
 * sleep in the kernel until one of the app's connections goes instead of polling: nothing runs while
 * nothing closes, and other namespaces' sockets never wake it.
 *
 * <p>Calls libc through {@link Libc}: loading it costs about 60 ms and 51 classes, so callers open it
 * in the background and only once a shutdown needs it. One thread at a time.
 */
public final class TcpCloseEvents implements AutoCloseable {
    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int NETLINK_SOCK_DIAG = 4;
    /** 1 << (SKNLGRP_INET_TCP_DESTROY - 1) | 1 << (SKNLGRP_INET6_TCP_DESTROY - 1). */
    private static final int TCP_DESTROY_GROUPS = 1 | 1 << 2;
    private static final int SOCK_DIAG_BY_FAMILY = 20;
    private static final int NLMSG_ERROR = 2;
    private static final int POLLIN = 1;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int ENOBUFS = 105;
    /**
     * nlmsghdr (16 bytes), then inet_diag_msg: family, state, timer, retrans (a byte each), then the
     * socket's id: source and destination port (big-endian), source and destination address (16 bytes each).
     */
    private static final int MSG = 16;
    private static final int SPORT_OFFSET = MSG + 4;
    private static final int DPORT_OFFSET = MSG + 6;
    private static final int SRC_OFFSET = MSG + 8;
    private static final int DST_OFFSET = MSG + 24;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int BUFFER = 64 * 1024;
    private static final int SOL_SOCKET = 1;
    private static final int SO_ATTACH_FILTER = 26;
    /** The most ports the kernel-side filter tests one by one (its jumps are a byte long). */
    static final int FILTER_PORTS_MAX = 200;

    private final Libc libc;
    private final MemoryIO memory;
    private final int fd;
    private final long buf;
    private final long pollfd;
    private boolean closed;

    private TcpCloseEvents(Libc libc, int fd, long buf, long pollfd) {
        this.libc = libc;
        this.memory = libc.memory;
        this.fd = fd;
        this.buf = buf;
        this.pollfd = pollfd;
    }

    /**
     * Opens a subscription; throws, saying why, where the library or the kernel does not allow it. A
     * socket filter in the kernel passes only the messages of sockets whose local port is one of
     * {@code ports}, so the sockets of other ports (a proxy's, the app's own outgoing ones, the
     * sidecar's) never wake the waiting thread; {@link #await} checks the port again regardless.
     */
    public static TcpCloseEvents open(List<Integer> ports) throws IOException {
        Libc libc;
        try {
            libc = Libc.get();
        } catch (RuntimeException | LinkageError e) {
            throw new IOException("jffi's native library did not load: " + Throwables.rootCause(e), e);
        }
        int fd = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        if (fd < 0) throw new IOException("socket(AF_NETLINK, NETLINK_SOCK_DIAG): errno " + libc.errno());
        MemoryIO memory = libc.memory;
        long addr = memory.allocateMemory(12, true);
        long buf = memory.allocateMemory(BUFFER, false);
        long pollfd = memory.allocateMemory(8, true);
        boolean opened = false;
        try {
            if (addr == 0 || buf == 0 || pollfd == 0) throw new IOException("no native memory for the netlink socket");
            memory.putShort(addr, (short) AF_NETLINK);
            memory.putInt(addr + 8, TCP_DESTROY_GROUPS);
            if (!ports.isEmpty() && ports.size() <= FILTER_PORTS_MAX) attachFilter(libc, fd, ports);
            if (libc.bind(fd, addr, 12) != 0) {
                throw new IOException("bind to sock_diag's TCP destroy groups: errno " + libc.errno());
            }
            opened = true;
            return new TcpCloseEvents(libc, fd, buf, pollfd);
        } finally {
            if (addr != 0) memory.freeMemory(addr);
            if (!opened) {
                libc.close(fd);
                if (buf != 0) memory.freeMemory(buf);
                if (pollfd != 0) memory.freeMemory(pollfd);
            }
        }
    }

    /**
     * Classic BPF over each message: load the socket's source port (big-endian, as the filter loads
     * it), accept it if it is one of the ports, else drop it.
     */
    private static void attachFilter(Libc libc, int fd, List<Integer> ports) throws IOException {
        int n = ports.size();
        long prog = libc.memory.allocateMemory(8L * (n + 3), true);
        long fprog = libc.memory.allocateMemory(16, true);
        try {
            if (prog == 0 || fprog == 0) throw new IOException("no native memory for the socket filter");
            instruction(libc.memory, prog, 0, 0x28, 0, 0, SPORT_OFFSET);                // ldh [sport]
            for (int i = 0; i < n; i++) {
                instruction(libc.memory, prog, i + 1, 0x15, n - i, 0, ports.get(i));    // jeq #port, accept
            }
            instruction(libc.memory, prog, n + 1, 0x06, 0, 0, 0);                      // ret #0: drop
            instruction(libc.memory, prog, n + 2, 0x06, 0, 0, -1);                     // ret #all: accept
            libc.memory.putShort(fprog, (short) (n + 3));
            libc.memory.putAddress(fprog + 8, prog);
            if (libc.setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog, 16) != 0) {
                throw new IOException("setsockopt(SO_ATTACH_FILTER): errno " + libc.errno());
            }
        } finally {
            if (prog != 0) libc.memory.freeMemory(prog);
            if (fprog != 0) libc.memory.freeMemory(fprog);
        }
    }

    private static void instruction(MemoryIO m, long prog, int index, int code, int jt, int jf, int k) {
        long at = prog + 8L * index;
        m.putShort(at, (short) code);
        m.putByte(at + 2, (byte) jt);
        m.putByte(at + 3, (byte) jf);
        m.putInt(at + 4, k);
    }

    /**
     * Waits until a TCP socket whose local port is in {@code ports} (a table indexed by port) is
     * destroyed, or the timeout passes. Every message queued is read, so the next wait starts
     * afresh, and each such socket is handed to {@code gone} as {@link ProcNetTcp#key}. True when
     * such a socket went, or when messages were lost (the queue overflowed) and one may have; false
     * at the timeout.
     */
    public boolean await(boolean[] ports, Duration timeout, Consumer<String> gone) throws IOException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean seen = drain(ports, gone);
            if (seen) return true;
            long left = end - System.nanoTime();
            if (left <= 0) return false;
            memory.putInt(pollfd, fd);                       // struct pollfd: int fd; short events, revents
            memory.putShort(pollfd + 4, (short) POLLIN);
            memory.putShort(pollfd + 6, (short) 0);
            int ms = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000));
            if (libc.poll(pollfd, 1, ms) < 0) {
                int errno = libc.errno();
                if (errno != EINTR) throw new IOException("poll on the netlink socket: errno " + errno);
            }
        }
    }

    /** Reads what is queued without blocking; true when a socket of the ports went or messages were lost. */
    private boolean drain(boolean[] ports, Consumer<String> gone) throws IOException {
        boolean seen = false;
        while (true) {
            long got = libc.recv(fd, buf, BUFFER, MSG_DONTWAIT);
            if (got < 0) {
                int errno = libc.errno();
                if (errno == EAGAIN) return seen;
                if (errno == ENOBUFS) {
                    seen = true;
                    continue;
                }
                if (errno == EINTR) continue;
                throw new IOException("recv on the netlink socket: errno " + errno);
            }
            for (int at = 0; at + 16 <= got; ) {
                int len = memory.getInt(buf + at);
                int type = memory.getShort(buf + at + 4) & 0xffff;
                if (len < 16 || len > got - at) break;
                if (type == SOCK_DIAG_BY_FAMILY && len >= DST_OFFSET + 16) {
                    int port = port(buf + at + SPORT_OFFSET);
                    if (ports[port]) {
                        seen = true;
                        int family = memory.getByte(buf + at + MSG) & 0xff;
                        if (family == AF_INET || family == AF_INET6) {
                            gone.accept(ProcNetTcp.key(words(buf + at + SRC_OFFSET, family), port,
                                    words(buf + at + DST_OFFSET, family), port(buf + at + DPORT_OFFSET)));
                        }
                    }
                } else if (type == NLMSG_ERROR) {
                    seen = true;
                }
                at += (len + 3) & ~3;
            }
        }
    }

    /** An address of the socket id: 1 word for IPv4, 4 for IPv6, each as this host reads it (as the tables print it). */
    private int[] words(long at, int family) {
        int[] w = new int[family == AF_INET6 ? 4 : 1];
        for (int i = 0; i < w.length; i++) w[i] = memory.getInt(at + 4 * i);
        return w;
    }

    private int port(long at) {
        return (memory.getByte(at) & 0xff) << 8 | memory.getByte(at + 1) & 0xff;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        libc.close(fd);
        memory.freeMemory(buf);
        memory.freeMemory(pollfd);
    }
}
