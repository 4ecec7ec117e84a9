package dev.gracekeeper.app;

import dev.gracekeeper.os.TcpCloseEvents;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's notices of the app's connections closing ({@link TcpCloseEvents}), as the idle wait
 * sleeps on them: opening a subscription off the caller's thread, and how the last wait used them,
 * for /status ({@code connections.close_events}). Where they are not available the wait polls, and
 * that is said once.
 */
public final class CloseNotices {
    private static final Logger log = LoggerFactory.getLogger("connections");

    /** Opens the kernel's close events; {@link TcpCloseEvents#open} but where a test replaces it. */
    @FunctionalInterface
    public interface Opener {
        TcpCloseEvents open() throws IOException;
    }

    private final Opener opener;
    private String state;                           // how the last wait was woken; null before the first
    private boolean warned;

    CloseNotices(Opener opener) {
        this.opener = opener;
    }

    /**
     * Opens a subscription on a background thread (the first costs about 70 ms, loading jffi's
     * library; later ones microseconds). It completes empty where notices are not available, after one
     * warning that says why and that waits poll instead; the caller closes it.
     */
    public CompletableFuture<Optional<TcpCloseEvents>> open() {
        CompletableFuture<Optional<TcpCloseEvents>> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(Optional.of(opener.open()));
            } catch (IOException | RuntimeException | LinkageError e) {
                note("unavailable, so waits poll: " + e.getMessage(), e);
                f.complete(Optional.empty());
            }
        }, "close-events");
        t.setDaemon(true);
        t.start();
        return f;
    }

    /** A wait now sleeps on the notices it opened: /status says "on". */
    public void inUse() {
        note("on", null);
    }

    /** A wait that used the notices and stopped trusting them. */
    public void failed(IOException e) {
        note("failed during a wait, which polled from then on: " + e.getMessage(), e);
    }

    /** What /status shows; empty before the first wait. */
    synchronized Optional<String> state() { return Optional.ofNullable(state); }

    private synchronized void note(String now, Throwable problem) {
        state = now;
        if (problem != null && !warned) {
            warned = true;
            log.warn("the kernel's close events for the app's connections are {}; the idle wait polls the counters"
                    + " instead, which costs more CPU and notices the last connection later", now);
        }
    }
}
