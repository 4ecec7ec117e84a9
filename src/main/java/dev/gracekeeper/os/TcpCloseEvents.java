package dev.gracekeeper.os;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallContextCache;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The kernel's word that a TCP socket of this network namespace is gone: a netlink socket subscribed
 * to sock_diag's destroy groups (IPv4 and IPv6, Linux 4.10+; no privilege needed), which get one
 * message, with the socket's ports, whenever a TCP socket of the namespace is freed. A connection
 * the app closes is freed within a round trip (once it reaches TIME-WAIT or CLOSED), so a wait can
 * sleep in the kernel until one of the app's connections goes instead of polling: nothing runs while
 * nothing closes, and other namespaces' sockets never wake it.
 *
 * <p>Calls libc through jffi, the native layer under jnr-posix, without jnr-ffi's generated
 * bindings: loading it costs about 70 ms and a few classes, so callers open it in the background and
 * only once a shutdown needs it. One thread at a time.
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
    private static final int DST_OFFSET = MSG + 24;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int BUFFER = 64 * 1024;

    private static final Object LOCK = new Object();
    private static Natives natives;                 // guarded by LOCK; loaded once

    private final Natives n;
    private final int fd;
    private final long buf;
    private final long pollfd;
    private boolean closed;

    private TcpCloseEvents(Natives n, int fd) {
        this.n = n;
        this.fd = fd;
        this.buf = n.memory.allocateMemory(BUFFER, false);
        this.pollfd = n.memory.allocateMemory(8, true);
    }

    /** Opens a subscription; throws, saying why, where the library or the kernel does not allow it. */
    public static TcpCloseEvents open() throws IOException {
        Natives n;
        try {
            synchronized (LOCK) {
                if (natives == null) natives = new Natives();
                n = natives;
            }
        } catch (RuntimeException | LinkageError e) {
            throw new IOException("jffi's native library did not load: " + Throwables.rootCause(e), e);
        }
        int fd = (int) n.invoker.invokeN3(n.socket, n.socketFn, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        if (fd < 0) throw new IOException("socket(AF_NETLINK, NETLINK_SOCK_DIAG): errno " + n.errno());
        long addr = n.memory.allocateMemory(12, true);
        try {
            n.memory.putShort(addr, (short) AF_NETLINK);
            n.memory.putInt(addr + 8, TCP_DESTROY_GROUPS);
            if ((int) n.invoker.invokeN3(n.bind, n.bindFn, fd, addr, 12) != 0) {
                int errno = n.errno();
                n.invoker.invokeN1(n.close, n.closeFn, fd);
                throw new IOException("bind to sock_diag's TCP destroy groups: errno " + errno);
            }
        } finally {
            n.memory.freeMemory(addr);
        }
        return new TcpCloseEvents(n, fd);
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
            n.memory.putInt(pollfd, fd);
            n.memory.putInt(pollfd + 4, POLLIN);
            int ms = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000));
            int r = (int) n.invoker.invokeN3(n.poll, n.pollFn, pollfd, 1, ms);
            if (r < 0 && n.errno() != EINTR) throw new IOException("poll on the netlink socket: errno " + n.errno());
        }
    }

    /** Reads what is queued without blocking; true when a socket of the ports went or messages were lost. */
    private boolean drain(boolean[] ports, Consumer<String> gone) throws IOException {
        boolean seen = false;
        while (true) {
            long got = n.invoker.invokeN4(n.recv, n.recvFn, fd, buf, BUFFER, MSG_DONTWAIT);
            if (got < 0) {
                int errno = n.errno();
                if (errno == EAGAIN) return seen;
                if (errno == ENOBUFS) {
                    seen = true;
                    continue;
                }
                if (errno == EINTR) continue;
                throw new IOException("recv on the netlink socket: errno " + errno);
            }
            for (int at = 0; at + 16 <= got; ) {
                int len = n.memory.getInt(buf + at);
                int type = n.memory.getShort(buf + at + 4) & 0xffff;
                if (len < 16 || at + len > got) break;
                if (type == SOCK_DIAG_BY_FAMILY && len >= DST_OFFSET + 16) {
                    int port = port(buf + at + SPORT_OFFSET);
                    if (ports[port]) {
                        seen = true;
                        int family = n.memory.getByte(buf + at + MSG) & 0xff;
                        int[] remote = new int[family == AF_INET6 ? 4 : 1];
                        for (int w = 0; w < remote.length; w++) remote[w] = n.memory.getInt(buf + at + DST_OFFSET + 4 * w);
                        if (family == AF_INET || family == AF_INET6) {
                            gone.accept(ProcNetTcp.key(remote, port(buf + at + DPORT_OFFSET), port));
                        }
                    }
                } else if (type == NLMSG_ERROR) {
                    seen = true;
                }
                at += (len + 3) & ~3;
            }
        }
    }

    private int port(long at) {
        return (n.memory.getByte(at) & 0xff) << 8 | n.memory.getByte(at + 1) & 0xff;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        n.invoker.invokeN1(n.close, n.closeFn, fd);
        n.memory.freeMemory(buf);
        n.memory.freeMemory(pollfd);
    }

    /** libc's socket, bind, poll, recv and close, looked up once. */
    private static final class Natives {
        final Invoker invoker = Invoker.getInstance();
        final MemoryIO memory = MemoryIO.getInstance();
        final CallContext socket;
        final CallContext bind;
        final CallContext poll;
        final CallContext recv;
        final CallContext close;
        final long socketFn;
        final long bindFn;
        final long pollFn;
        final long recvFn;
        final long closeFn;

        Natives() {
            Library libc = Library.getDefault();
            socketFn = symbol(libc, "socket");
            bindFn = symbol(libc, "bind");
            pollFn = symbol(libc, "poll");
            recvFn = symbol(libc, "recv");
            closeFn = symbol(libc, "close");
            socket = context(Type.SINT, Type.SINT, Type.SINT, Type.SINT);
            bind = context(Type.SINT, Type.SINT, Type.POINTER, Type.UINT);
            poll = context(Type.SINT, Type.POINTER, Type.ULONG, Type.SINT);
            recv = context(Type.SLONG, Type.SINT, Type.POINTER, Type.ULONG, Type.SINT);
            close = context(Type.SINT, Type.SINT);
        }

        int errno() { return LastError.getInstance().get(); }

        private static long symbol(Library lib, String name) {
            long a = lib.getSymbolAddress(name);
            if (a == 0) throw new IllegalStateException("libc has no " + name + ": " + Library.getLastError());
            return a;
        }

        private static CallContext context(Type result, Type... params) {
            return CallContextCache.getInstance().getCallContext(result, params, CallingConvention.DEFAULT, true);
        }
    }
}
