package dev.gracekeeper.drain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gracekeeper.Poll;
import dev.gracekeeper.app.AppConnections;
import dev.gracekeeper.app.CloseNotices;
import dev.gracekeeper.lifecycle.Clock;
import dev.gracekeeper.lifecycle.Figure;
import dev.gracekeeper.lifecycle.Lifecycle;
import dev.gracekeeper.lifecycle.MarkerStore;
import dev.gracekeeper.lifecycle.Outcome;
import dev.gracekeeper.lifecycle.ShutdownResult;
import dev.gracekeeper.lifecycle.Trigger;
import dev.gracekeeper.os.ProcNetTcp;
import dev.gracekeeper.os.TcpStats;
import dev.gracekeeper.os.TcpTables;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdleWaitTest {
    @TempDir Path dir;
    volatile AppConnections connections;

    ShutdownResult shutdown(int exitAt, Duration drainTimeout) throws Exception {
        AppConnections c = new AppConnections(List.of(8080), new ProcNetTcp(dir.resolve("tcp")),
                TcpTables.stats(dir, 1, 1), Clock.SYSTEM, System::nanoTime);
        IdleWait wait = new IdleWait(c, exitAt, Optional.empty(), Optional.of(drainTimeout), Clock.SYSTEM,
                System::nanoTime);
        connections = c;
        MarkerStore store = new MarkerStore(Files.createDirectories(dir.resolve("state")));
        Lifecycle l = new Lifecycle(store, store.load(""), List.of(wait), Clock.SYSTEM, "", Duration.ofSeconds(20));
        return l.shutdown(Trigger.PRESTOP_HOOK, "").result().get(10, TimeUnit.SECONDS);
    }

    @Test
    void anUnreadableTableNeverEndsTheWaitEarlyAndTheResultSaysWhy() throws Exception {
        Files.writeString(dir.resolve("tcp"), TcpTables.TCP_HEADER + "   0: 0100007F:1F90 01");   // cut off
        long start = System.nanoTime();
        ShutdownResult r = shutdown(0, Duration.ofMillis(300));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms >= 290, "waited to the drain timeout: " + ms + " ms");
        assertEquals(Outcome.TIMED_OUT, r.outcome(), r.toString());
        assertTrue(r.detail().contains("connection count unknown on :8080, so the app was given the whole wait"
                + " (cannot read /proc/net/tcp: "), r.detail());
        assertTrue(r.detail().contains("cut off mid-line"), r.detail());
    }

    @Test
    void aTableThatBecomesReadableAgainEndsTheWaitOnItsCount() throws Exception {
        Path tcp = dir.resolve("tcp");
        Files.writeString(tcp, "");
        Thread fix = new Thread(() -> {
            try {
                // Readable again only once the wait has met the unreadable table, as a real fix would.
                Poll.until(Duration.ofSeconds(5), "the idle wait failed a read", () -> connections != null
                        && connections.health().failures() > 0);
                TcpTables.write(tcp, 8080, 0);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        fix.start();
        ShutdownResult r = shutdown(0, Duration.ofSeconds(5));
        fix.join();
        assertEquals(Outcome.DRAINED, r.outcome(), r.toString());
        assertTrue(r.detail().contains("0 connections on :8080"), r.detail());
    }

    @Test
    void theWaitEndsAtTheExitThresholdNamingIt() throws Exception {
        TcpTables.write(dir.resolve("tcp"), 8080, 2);
        ShutdownResult r = shutdown(2, Duration.ofSeconds(5));
        assertEquals(Outcome.DRAINED, r.outcome(), r.toString());
        assertTrue(r.detail().contains("2 connections on :8080 (at most 2 allowed by"
                + " GRACEKEEPER_DRAIN_EXIT_AT_CONNECTIONS) (2 at start)"), r.detail());
    }

    @Test
    void aboveTheThresholdTheWaitTimesOutWithTheCount() throws Exception {
        TcpTables.write(dir.resolve("tcp"), 8080, 3);
        ShutdownResult r = shutdown(2, Duration.ofMillis(200));
        assertEquals(Outcome.TIMED_OUT, r.outcome(), r.toString());
        assertTrue(r.detail().contains("3 connection(s) still open on :8080"), r.detail());
        assertEquals(3L, r.figures().get(Figure.CONNECTIONS_LEFT));
    }

    /** A real app port on loopback, the real tables and counters; the close events as {@code opener} gives them (null: the real ones). */
    ShutdownResult realShutdown(CloseNotices.Opener opener) throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (ServerSocket app = new ServerSocket(0, 50, lo); Socket client = new Socket(lo, app.getLocalPort())) {
            Socket served = app.accept();
            AppConnections c = opener == null
                    ? new AppConnections(List.of(app.getLocalPort()), new ProcNetTcp(), new TcpStats(), Clock.SYSTEM,
                            AppConnections.threadCpuTime())
                    : new AppConnections(List.of(app.getLocalPort()), new ProcNetTcp(), new TcpStats(), Clock.SYSTEM,
                            AppConnections.threadCpuTime(), opener);
            connections = c;
            IdleWait wait = new IdleWait(c, 0, Optional.empty(), Optional.of(Duration.ofSeconds(20)), Clock.SYSTEM,
                    AppConnections.threadCpuTime());
            MarkerStore store = new MarkerStore(Files.createDirectories(dir.resolve("state")));
            Lifecycle l = new Lifecycle(store, store.load(""), List.of(wait), Clock.SYSTEM, "", Duration.ofSeconds(30));
            Thread closer = new Thread(() -> {
                try {
                    // Once the wait has its notices (or knows it has none), it sleeps on them: then the close.
                    Poll.until(Duration.ofSeconds(10), "the wait settled how it sleeps",
                            () -> c.health().closeEvents().isPresent());
                    served.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            closer.start();
            ShutdownResult r = l.shutdown(Trigger.PRESTOP_HOOK, "").result().get(20, TimeUnit.SECONDS);
            closer.join();
            return r;
        }
    }

    @Test
    void theKernelsCloseEventEndsTheWaitWhenTheLastConnectionGoes() throws Exception {
        ShutdownResult r = realShutdown(null);
        assertEquals(Outcome.DRAINED, r.outcome(), r.toString());
        assertTrue(r.detail().contains("0 connections on :"), r.detail());
        assertEquals(Optional.of("on"), connections.health().closeEvents());
        assertTrue(r.detail().contains("(1 at start; woken 1 time(s) by close notices)"), r.detail());
        assertTrue(r.duration().toMillis() < 4_000, r.toString());
    }

    @Test
    void withoutCloseEventsTheWaitPollsAndSaysWhy() throws Exception {
        ShutdownResult r = realShutdown(() -> {
            throw new IOException("bind to sock_diag's TCP destroy groups: errno 1");
        });
        assertEquals(Outcome.DRAINED, r.outcome(), r.toString());
        assertTrue(r.detail().contains("(1 at start; polled)"), r.detail());
        assertEquals(Optional.of("unavailable, so waits poll: bind to sock_diag's TCP destroy groups: errno 1"),
                connections.health().closeEvents());
        assertTrue(r.duration().toMillis() < 4_000, r.toString());
    }
}
