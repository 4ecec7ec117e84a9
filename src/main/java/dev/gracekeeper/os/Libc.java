package dev.gracekeeper.os;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallContextCache;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;

/**
 * The few libc calls the sidecar makes itself: {@code kill} for the drain signal; {@code socket},
 * {@code bind}, {@code setsockopt}, {@code poll}, {@code recv} and {@code close} for the kernel's close notices
 * ({@link TcpCloseEvents}). Through jffi's raw invoker: jffi is the native layer under jnr-posix, and
 * calling it directly skips jnr-ffi, which generates binding classes at run time (about 300 ms, some
 * 450 classes of jnr-ffi and jnr-posix, and several MiB while it does). Loading costs jffi's library
 * and one symbol lookup per call, once per process.
 */
public final class Libc {
    private static Libc instance;                   // guarded by Libc.class

    final Invoker invoker = Invoker.getInstance();
    final MemoryIO memory = MemoryIO.getInstance();
    private final Call kill;
    private final Call socket;
    private final Call bind;
    private final Call setsockopt;
    private final Call poll;
    private final Call recv;
    private final Call close;

    private record Call(long address, CallContext context) {}

    private Libc() {
        Library libc = Library.getDefault();
        kill = call(libc, "kill", Type.SINT, Type.SINT, Type.SINT);
        socket = call(libc, "socket", Type.SINT, Type.SINT, Type.SINT, Type.SINT);
        bind = call(libc, "bind", Type.SINT, Type.SINT, Type.POINTER, Type.UINT);
        setsockopt = call(libc, "setsockopt", Type.SINT, Type.SINT, Type.SINT, Type.SINT, Type.POINTER, Type.UINT);
        poll = call(libc, "poll", Type.SINT, Type.POINTER, Type.ULONG, Type.SINT);
        recv = call(libc, "recv", Type.SLONG, Type.SINT, Type.POINTER, Type.ULONG, Type.SINT);
        close = call(libc, "close", Type.SINT, Type.SINT);
    }

    /** The process's bindings, loaded on first use; throws (a RuntimeException or LinkageError) where jffi cannot load. */
    public static synchronized Libc get() {
        if (instance == null) instance = new Libc();
        return instance;
    }

    /** kill(2): 0, or -1 with {@link #errno()} set. */
    public int kill(long pid, int signal) { return (int) invoker.invokeN2(kill.context, kill.address, pid, signal); }

    int socket(int domain, int type, int protocol) {
        return (int) invoker.invokeN3(socket.context, socket.address, domain, type, protocol);
    }

    int bind(int fd, long address, int length) {
        return (int) invoker.invokeN3(bind.context, bind.address, fd, address, length);
    }

    int setsockopt(int fd, int level, int name, long value, int length) {
        return (int) invoker.invokeN5(setsockopt.context, setsockopt.address, fd, level, name, value, length);
    }

    int poll(long fds, int count, int timeoutMillis) {
        return (int) invoker.invokeN3(poll.context, poll.address, fds, count, timeoutMillis);
    }

    long recv(int fd, long buffer, long length, int flags) {
        return invoker.invokeN4(recv.context, recv.address, fd, buffer, length, flags);
    }

    int close(int fd) { return (int) invoker.invokeN1(close.context, close.address, fd); }

    /** The errno the calling thread's last call left. */
    public int errno() { return LastError.getInstance().get(); }

    private static Call call(Library lib, String name, Type result, Type... params) {
        long a = lib.getSymbolAddress(name);
        if (a == 0) throw new IllegalStateException("libc has no " + name + ": " + Library.getLastError());
        return new Call(a, CallContextCache.getInstance().getCallContext(result, params, CallingConvention.DEFAULT, true));
    }
}
