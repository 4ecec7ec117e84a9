package dev.gracekeeper.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gracekeeper.config.AppConfig;
import dev.gracekeeper.http.HttpClients;
import dev.gracekeeper.lifecycle.Clock;
import dev.gracekeeper.os.AppProcess;
import dev.gracekeeper.os.ProcNetTcp;
import dev.gracekeeper.os.ProcessSelector;
import dev.gracekeeper.os.TcpStats;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readiness polling against a real loopback server. */
class AppProbeTest {
    @TempDir Path dir;
    private final List<Socket> held = new ArrayList<>();
    private ServerSocket server;

    @AfterEach
    void close() throws IOException {
        for (Socket s : held) s.close();
        if (server != null) server.close();
    }

    /** Answers 503 to the first {@code answered} requests, then accepts and never answers. */
    private URI serverThatStopsAnswering(int answered) throws IOException {
        AtomicInteger n = new AtomicInteger();
        return serve(s -> {
            if (n.getAndIncrement() < answered) {
                try (s) {
                    readHead(s.getInputStream());
                    s.getOutputStream().write(("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                }
            } else {
                synchronized (held) { held.add(s); }
            }
        });
    }

    /** A probe of a ready URL whose server counts requests and holds every answer until {@code answer} opens. */
    private record Held(AppProbe probe, CountDownLatch answer, AtomicInteger requests) {}

    private Held held() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        AtomicInteger requests = new AtomicInteger();
        return new Held(probe(heldServer(answer, requests)), answer, requests);
    }

    /** Counts the requests and answers each 200 once {@code answer} opens, each on its own thread. */
    private URI heldServer(CountDownLatch answer, AtomicInteger requests) throws IOException {
        return serve(s -> {
            Thread responder = new Thread(() -> {
                try (s) {
                    readHead(s.getInputStream());
                    requests.incrementAndGet();
                    if (!answer.await(10, TimeUnit.SECONDS)) return;
                    s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
                            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                } catch (IOException | InterruptedException e) {
                    // the test is over
                }
            }, "test-responder");
            responder.setDaemon(true);
            responder.start();
        });
    }

    private interface OnAccept { void accepted(Socket s) throws IOException; }

    /** A loopback server whose accept loop hands each connection to {@code onAccept}; its ready URL. */
    private URI serve(OnAccept onAccept) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    onAccept.accepted(server.accept());
                } catch (IOException e) {
                    return;
                }
            }
        }, "test-server");
        t.setDaemon(true);
        t.start();
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/ready");
    }

    private static void readHead(InputStream in) throws IOException {
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) return;
            state = (b == '\r' && state % 2 == 0) || (b == '\n' && state % 2 == 1) ? state + 1 : 0;
        }
    }

    /** The client is built before the probe starts: these tests time the app, not the client's build. */
    private static AppProbe probe(URI ready) throws Exception {
        AppConfig app = new AppConfig(Optional.empty(), "POST", Optional.empty(), Optional.empty(), List.of(),
                Optional.of(ready), Duration.ofSeconds(1), false, 0);
        AppConnections none = new AppConnections(List.of(), new ProcNetTcp(), new TcpStats(), Clock.SYSTEM,
                System::nanoTime);
        HttpClients http = HttpClients.buildInBackground(false);
        http.boundedAsync(Duration.ofSeconds(30)).get();
        return new AppProbe(app, Optional.empty(), none, http);
    }

    @Test
    void aCheckCutByTheTimeoutDoesNotHideTheAppsLastAnswer() throws Exception {
        URI ready = serverThatStopsAnswering(1);
        AppProbe.Readiness r = probe(ready).awaitReady(Duration.ofMillis(800)).get();
        assertFalse(r.ready());
        assertTrue(r.why().contains("-> 503"), r.why());
        assertTrue(r.why().contains("cut off by the timeout"), r.why());
    }

    @Test
    void aBurstOfChecksAsksTheAppOnceAndEachGetsItsAnswer() throws Exception {
        Held h = held();
        AppProbe p = h.probe();
        List<CompletableFuture<AppProbe.Readiness>> burst = new ArrayList<>();
        for (int i = 0; i < 20; i++) burst.add(p.readyOnce(Duration.ofSeconds(5)));
        h.answer().countDown();
        for (CompletableFuture<AppProbe.Readiness> f : burst) {
            AppProbe.Readiness r = f.get(10, TimeUnit.SECONDS);
            assertTrue(r.ready(), r.why());
        }
        assertEquals(1, h.requests().get(), "one call for the whole burst");
        assertEquals(19, p.readyCallsJoined());
        assertTrue(p.readyOnce(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS).ready());
        assertEquals(2, h.requests().get(), "an ended call is not reused: the next check asks again");
    }

    @Test
    void aCheckThatJoinsALongerCallKeepsItsOwnBound() throws Exception {
        Held h = held();
        AppProbe p = h.probe();
        CompletableFuture<AppProbe.Readiness> first = p.readyOnce(Duration.ofSeconds(1));
        AppProbe.Readiness joined = p.readyOnce(Duration.ofMillis(100)).get(5, TimeUnit.SECONDS);
        assertFalse(joined.ready());
        assertFalse(joined.answered(), joined.why());
        assertTrue(joined.why().contains("no answer within 100 ms"), joined.why());
        assertFalse(first.isDone(), "the shared call is still waiting for the app");
        h.answer().countDown();
        assertTrue(first.get(5, TimeUnit.SECONDS).ready(), "and ends with the app's answer");
        assertEquals(1, h.requests().get());
    }

    @Test
    void aShortCheckThatStartsTheCallDoesNotCutShortTheChecksThatJoinIt() throws Exception {
        Held h = held();
        AppProbe p = h.probe();
        CompletableFuture<AppProbe.Readiness> nearItsDeadline = p.readyOnce(Duration.ofMillis(100));
        CompletableFuture<AppProbe.Readiness> probe = p.readyOnce(Duration.ofSeconds(1));
        assertTrue(nearItsDeadline.get(5, TimeUnit.SECONDS).why().contains("no answer within 100 ms"));
        assertFalse(probe.isDone(), "the call it started goes on for the full bound");
        h.answer().countDown();
        assertTrue(probe.get(5, TimeUnit.SECONDS).ready(), "and the check that joined it gets the app's answer");
        assertEquals(1, h.requests().get());
    }

    @Test
    void unreadableTablesLeaveThePresenceToTheProcessWhereOneIsConfigured() throws Exception {
        Path missing = dir.resolve("no-such-table");
        AppConnections unreadable = new AppConnections(List.of(8080), new ProcNetTcp(missing), new TcpStats(),
                Clock.SYSTEM, System::nanoTime);
        Path pidfile = dir.resolve("app.pid");
        Files.writeString(pidfile, ProcessHandle.current().pid() + "\n");
        AppConfig ports = new AppConfig(Optional.empty(), "POST", Optional.empty(), Optional.empty(), List.of(8080),
                Optional.empty(), Duration.ofSeconds(1), false, 0);
        HttpClients http = HttpClients.buildInBackground(false);
        assertEquals(AppProbe.Presence.UNKNOWN, new AppProbe(ports, Optional.empty(), unreadable, http).presence());
        AppProbe withProcess = new AppProbe(ports, Optional.of(new AppProcess(new ProcessSelector.PidFile(pidfile))),
                unreadable, http);
        assertEquals(AppProbe.Presence.PRESENT, withProcess.presence(), "this test's own process runs");
        Files.writeString(pidfile, "999999999\n");
        assertEquals(AppProbe.Presence.GONE, withProcess.presence(), "no such process");
    }

    @Test
    void anAppThatNeverAnswersIsReportedAsATimeout() throws Exception {
        URI ready = serverThatStopsAnswering(0);
        AppProbe.Readiness r = probe(ready).awaitReady(Duration.ofMillis(500)).get();
        assertFalse(r.ready());
        assertTrue(r.why().contains("failed"), r.why());
        assertFalse(r.why().contains("-> 503"), r.why());
    }
}
