package dev.gracekeeper.app;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gracekeeper.config.AppConfig;
import dev.gracekeeper.drain.HttpClients;
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
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        AtomicInteger n = new AtomicInteger();
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    if (n.getAndIncrement() < answered) {
                        try (s) {
                            readHead(s.getInputStream());
                            s.getOutputStream().write(("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        }
                    } else {
                        synchronized (held) { held.add(s); }
                    }
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
    void anAppThatNeverAnswersIsReportedAsATimeout() throws Exception {
        URI ready = serverThatStopsAnswering(0);
        AppProbe.Readiness r = probe(ready).awaitReady(Duration.ofMillis(500)).get();
        assertFalse(r.ready());
        assertTrue(r.why().contains("failed"), r.why());
        assertFalse(r.why().contains("-> 503"), r.why());
    }
}
