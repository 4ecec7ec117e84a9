package dev.gracekeeper.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gracekeeper.config.AppConfig;
import dev.gracekeeper.http.HttpClients;
import dev.gracekeeper.lifecycle.Clock;
import dev.gracekeeper.os.ProcNetTcp;
import dev.gracekeeper.os.TcpStats;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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

/** Readiness polling against a real loopback server. */
class AppProbeTest {
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
        AtomicInteger requests = new AtomicInteger();
        CountDownLatch answer = new CountDownLatch(1);
        AppProbe p = probe(heldServer(answer, requests));
        List<CompletableFuture<AppProbe.Readiness>> burst = new ArrayList<>();
        for (int i = 0; i < 20; i++) burst.add(p.readyOnce(Duration.ofSeconds(5)));
        answer.countDown();
        for (CompletableFuture<AppProbe.Readiness> f : burst) {
            AppProbe.Readiness r = f.get(10, TimeUnit.SECONDS);
            assertTrue(r.ready(), r.why());
        }
        assertEquals(1, requests.get(), "one call for the whole burst");
        assertEquals(19, p.readyCallsJoined());
        assertTrue(p.readyOnce(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS).ready());
        assertEquals(2, requests.get(), "an ended call is not reused: the next check asks again");
    }

    @Test
    void aCheckThatJoinsALongerCallKeepsItsOwnBound() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        CountDownLatch answer = new CountDownLatch(1);
        AppProbe p = probe(heldServer(answer, requests));
        CompletableFuture<AppProbe.Readiness> first = p.readyOnce(Duration.ofSeconds(10));
        long start = System.nanoTime();
        AppProbe.Readiness joined = p.readyOnce(Duration.ofMillis(200)).get(5, TimeUnit.SECONDS);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertFalse(joined.ready());
        assertFalse(joined.answered(), joined.why());
        assertTrue(joined.why().contains("no answer within 200 ms"), joined.why());
        assertTrue(ms < 5000, "ended at its own bound, not the shared call's 10 s: " + ms + " ms");
        assertFalse(first.isDone(), "the shared call is still waiting for the app");
        answer.countDown();
        assertTrue(first.get(10, TimeUnit.SECONDS).ready(), "and ends with the app's answer");
        assertEquals(1, requests.get());
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
