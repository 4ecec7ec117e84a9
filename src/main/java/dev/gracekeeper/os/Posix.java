package dev.gracekeeper.os;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import jnr.constants.platform.Errno;
import jnr.constants.platform.Signal;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * Native POSIX calls (kill) through jnr-posix. Loading the native side costs a few hundred
 * milliseconds, so it starts in the background and only when a feature needs it. If the native
 * library cannot load (a read-only or noexec temp dir, where jffi extracts itself), jnr-posix
 * would silently fall back to a pure-Java POSIX whose calls do nothing useful; this class
 * refuses that fallback and says why.
 */
public final class Posix {
    private final CompletableFuture<POSIX> loading;

    private Posix(CompletableFuture<POSIX> loading) {
        this.loading = loading;
    }

    /** Starts loading the native library on a background thread. */
    public static Posix loadInBackground() {
        CompletableFuture<POSIX> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                POSIX p = POSIXFactory.getNativePOSIX();
                if (!p.isNative()) {
                    f.completeExceptionally(new IllegalStateException("native POSIX unavailable: jnr-posix fell back"
                            + " to its Java implementation (is java.io.tmpdir=" + System.getProperty("java.io.tmpdir")
                            + " writable and executable, or jffi.boot.library.path set?)"));
                } else {
                    f.complete(p);
                }
            } catch (RuntimeException | LinkageError e) {
                f.completeExceptionally(new IllegalStateException("native POSIX unavailable: " + e, e));
            }
        }, "posix-loader");
        t.setDaemon(true);
        t.start();
        return new Posix(f);
    }

    /** The outcome of a kill: empty on success, else what went wrong in plain words. */
    public java.util.Optional<String> kill(long pid, String signalName, Duration loadBound) {
        POSIX p;
        try {
            p = loading.get(loadBound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return java.util.Optional.of("native POSIX did not load within " + loadBound.toMillis() + " ms");
        } catch (ExecutionException e) {
            return java.util.Optional.of(e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.of("interrupted while loading native POSIX");
        }
        Signal sig = Signal.valueOf(signalName);
        if (p.kill(pid, sig.intValue()) == 0) return java.util.Optional.empty();
        int errno = p.errno();
        if (errno == Errno.EPERM.intValue()) {
            return java.util.Optional.of("EPERM: not allowed to signal pid " + pid
                    + "; the sidecar needs the app's UID (runAsUser) or the CAP_KILL capability");
        }
        if (errno == Errno.ESRCH.intValue()) {
            return java.util.Optional.of("ESRCH: pid " + pid + " no longer exists");
        }
        return java.util.Optional.of("kill(" + pid + ", " + signalName + ") failed with errno " + errno);
    }
}
