package dev.gracekeeper.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gracekeeper.JsonField;
import dev.gracekeeper.Poll;
import dev.gracekeeper.app.AppConnections;
import dev.gracekeeper.app.AppProbe;
import dev.gracekeeper.config.Config;
import dev.gracekeeper.config.ConfigParser;
import dev.gracekeeper.drain.PropagationReport;
import dev.gracekeeper.lifecycle.Clock;
import dev.gracekeeper.lifecycle.Lifecycle;
import dev.gracekeeper.lifecycle.MarkerStore;
import dev.gracekeeper.os.ProcNetTcp;
import dev.gracekeeper.os.TcpStats;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Routing, methods and answers of the hook server, over a real loopback socket, in process. */
class HookServerTest {
    @TempDir Path dir;
    HookServer server;
    Lifecycle lifecycle;
    String base;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Config c = ConfigParser.parse(Map.of("GRACEKEEPER_STATE_DIR", dir.toString(), "GRACEKEEPER_BIND_ADDRESS",
                "127.0.0.1", "GRACEKEEPER_PORT", Integer.toString(port), "GRACEKEEPER_DRAIN_DELAY", "0s"));
        MarkerStore store = new MarkerStore(dir);
        lifecycle = new Lifecycle(store, store.load(""), List.of(), Clock.SYSTEM, "", c.budget().shutdownBound());
        AppConnections none = new AppConnections(List.of(), new ProcNetTcp(), new TcpStats(), Clock.SYSTEM,
                System::nanoTime);
        server = new HookServer(c, lifecycle, store, new AppProbe(c.app(), Optional.empty(), none, null), none,
                new Metrics(), new PropagationReport("delay"));
        base = "http://127.0.0.1:" + server.start().getPort();
    }

    @AfterEach
    void stop() { server.stop(); }

    HttpResponse<String> call(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).method(method,
                HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void unknownPathIs404AndListsTheEndpoints() throws Exception {
        HttpResponse<String> r = call("GET", "/nope%1b%5b31m");
        assertEquals(404, r.statusCode());
        assertTrue(r.body().startsWith("no such endpoint: /nope"), r.body());
        assertTrue(!r.body().contains("\u001b"), "an escape sequence is never echoed: " + r.body());
        assertTrue(r.body().contains("/poststart, /shutdown, /healthz, /readyz, /status, /metrics"), r.body());
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
    }

    @Test
    void readOnlyEndpointsRefuseWritesWithAllow() throws Exception {
        for (String path : new String[] {"/healthz", "/readyz", "/status", "/metrics"}) {
            HttpResponse<String> r = call("POST", path);
            assertEquals(405, r.statusCode(), path);
            assertEquals("GET, HEAD", r.headers().firstValue("Allow").orElse(""), path);
            assertEquals(200, call("HEAD", path).statusCode(), path);
        }
    }

    @Test
    void hooksAcceptGetAndPostOnly() throws Exception {
        HttpResponse<String> r = call("DELETE", "/shutdown");
        assertEquals(405, r.statusCode());
        assertEquals("GET, POST", r.headers().firstValue("Allow").orElse(""));
        assertTrue(r.body().contains("accepts GET (as the kubelet sends) and POST, not DELETE"), r.body());
    }

    @Test
    void shutdownTurnsReadinessAndEveryRepeatJoinsTheSameGeneration() throws Exception {
        assertEquals(200, call("GET", "/readyz").statusCode());
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            calls.add(http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/shutdown")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        long started = 0;
        for (CompletableFuture<HttpResponse<String>> c : calls) {
            String body = c.get().body();
            assertEquals("1", JsonField.of(body, "generation"), body);
            if (JsonField.of(body, "join").equals("started")) started++;
        }
        assertEquals(1, started, "one call started it, the others joined");
        assertEquals("already_done", JsonField.of(call("POST", "/shutdown").body(), "join"));
        HttpResponse<String> ready = call("GET", "/readyz");
        assertEquals(503, ready.statusCode());
        assertEquals("not ready: drained (generation 1)\n", ready.body());
        assertTrue(call("GET", "/metrics").body().contains("gracekeeper_hook_duplicates_total 10\n"));
    }

    @Test
    void poststartAfterADrainStartsTheNextGenerationAndStatusShowsIt() throws Exception {
        call("GET", "/shutdown");
        String answer = call("GET", "/poststart").body();
        assertEquals("2", JsonField.of(answer, "generation"), answer);
        String status = call("GET", "/status").body();
        assertEquals("serving", JsonField.of(status, "phase"), status);
        assertTrue(status.contains("\"last_poststart\":{\"hook\":\"poststart\",\"generation\":2"), status);
        assertTrue(server.awaitHookResponses(Duration.ofSeconds(1)));
    }

    /**
     * A client that pipelines requests and never reads its answers keeps its connection busy, so
     * safe from eviction at the cap: the write timeout must free it. Takes about the timeout (10 s).
     */
    @Test
    void aClientThatNeverReadsItsAnswersIsDisconnected() throws Exception {
        String request = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
        long start = System.nanoTime();
        try (java.net.Socket hog = new java.net.Socket("127.0.0.1", URI.create(base).getPort())) {
            hog.setSendBufferSize(4096);
            java.io.OutputStream out = hog.getOutputStream();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < 20_000; i++) out.write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                } catch (java.io.IOException e) {
                    // closed by the server: what this test waits for
                }
            });
            writer.setDaemon(true);
            writer.start();
            Poll.until(PortLimits.WRITE_TIMEOUT.plusSeconds(10), "the hog's connection closed", () -> {
                try {
                    return call("GET", "/metrics").body().contains("gracekeeper_hook_connections_open 1\n");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        System.out.println("a client that never reads was disconnected after " + (System.nanoTime() - start) / 1_000_000
                + " ms (write timeout " + PortLimits.WRITE_TIMEOUT.toMillis() + " ms)");
    }
}
