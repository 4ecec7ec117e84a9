package dev.gracekeeper.it;

import static dev.gracekeeper.it.HookIT.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** postStart waits for the app; on timeout it proceeds or makes the kubelet fail the hook. */
class PostStartIT {
    @TempDir Path state;

    @Test
    void poststartReturnsWhenTheReadyUrlAnswers2xxAndReadinessIncludesTheApp() {
        int port = Sidecar.freePort();
        // The sidecar starts first, so the app's 2 s until ready are not spent on the sidecar's startup.
        try (Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_APP_READY_URL",
                     "http://127.0.0.1:" + port + "/ready"));
             App app = App.start(port, 2000, 0, true)) {
            var early = s.get("/readyz");
            assertEquals(503, early.statusCode(), "the app is not ready yet: " + early.body());
            long start = System.nanoTime();
            String body = s.get("/poststart").body();
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.println("poststart waited " + ms + " ms for an app ready 2000 ms after it started");
            assertEquals("true", field(body, "app_ready"), body);
            assertTrue(ms < 3000, "returned once ready: " + ms);
            assertEquals(200, s.get("/readyz").statusCode());
        }
    }

    @Test
    void poststartWithoutReadyUrlWaitsForTheAppPortsToListen() {
        int port = Sidecar.freePort();
        try (Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_APP_PORTS", Integer.toString(port)));
             App app = App.start(port, 0, 1000, false)) {
            String body = s.get("/poststart").body();
            assertEquals("true", field(body, "app_ready"), body);
            assertEquals("1 of 1 app port(s) listening", field(body, "app"));
        }
    }

    @Test
    void poststartTimeoutWithProceedAnswersAndSaysTheAppIsNotReady() {
        int port = Sidecar.freePort();
        try (App app = App.start(port, -1, 0, true);
             Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_APP_READY_URL",
                     "http://127.0.0.1:" + port + "/ready", "GRACEKEEPER_POSTSTART_TIMEOUT", "1500ms"))) {
            String body = s.get("/poststart").body();
            assertEquals("false", field(body, "app_ready"), body);
            assertTrue(field(body, "app").contains("-> 503"), body);
            assertTrue(s.log().contains("answering anyway (GRACEKEEPER_POSTSTART_ON_TIMEOUT=proceed)"), s.log());
            assertTrue(s.get("/status").body().contains("\"last_poststart\":{"));
            assertTrue(s.get("/metrics").body().contains("gracekeeper_poststart_timeouts_total 1\n"));
        }
    }

    @Test
    void poststartTimeoutWithFailAbortsTheConnectionSoTheKubeletFailsTheHook() {
        int port = Sidecar.freePort();
        try (App app = App.start(port, -1, 0, true);
             Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_APP_READY_URL",
                     "http://127.0.0.1:" + port + "/ready", "GRACEKEEPER_POSTSTART_TIMEOUT", "500ms",
                     "GRACEKEEPER_POSTSTART_ON_TIMEOUT", "fail"))) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> s.get("/poststart"));
            assertTrue(e.getCause() instanceof IOException, "a transport error, not a status: " + e);
            assertTrue(s.log().contains("aborting the connection so the kubelet fails the hook"), s.log());
            assertEquals(200, s.get("/healthz").statusCode(), "the sidecar itself is fine");
        }
    }

    @Test
    void newAppInstanceBringsReadinessBackWithoutAPoststartHook() {
        int port = Sidecar.freePort();
        Map<String, String> env = Map.of("GRACEKEEPER_DRAIN_DELAY", "0s", "GRACEKEEPER_APP_PORTS",
                Integer.toString(port), "GRACEKEEPER_DRAIN_TIMEOUT", "1s");
        try (Sidecar s = Sidecar.start(state, env)) {
            try (App first = App.start(port, 0, 0, true)) {
                s.get("/shutdown");
                assertEquals(503, s.get("/readyz").statusCode());
            }
            try (App second = App.start(port, 0, 0, true)) {
                s.await(Duration.ofSeconds(5), "readiness is back", () -> s.get("/readyz").statusCode() == 200);
                assertEquals("2", field(s.get("/status").body(), "generation"));
                assertTrue(s.log().contains("new app instance detected while drained"), s.log());
            }
        }
    }

    /**
     * The real jar: 20 concurrent /readyz while the app's ready URL holds its answer. The app sees one
     * call at a time; each /readyz still gets the app's answer.
     */
    @Test
    void aBurstOfReadyzReachesTheAppAsOneCall() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        AtomicLong firstHeldAt = new AtomicLong();
        CountDownLatch answer = new CountDownLatch(1);
        AtomicBoolean hold = new AtomicBoolean();
        ExecutorService threads = Executors.newCachedThreadPool();
        HttpServer app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        app.setExecutor(threads);
        app.createContext("/ready", ex -> {
            calls.incrementAndGet();
            if (hold.get()) {
                firstHeldAt.compareAndSet(0, System.nanoTime());
                try {
                    answer.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        app.start();
        try (Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_APP_READY_URL",
                "http://127.0.0.1:" + app.getAddress().getPort() + "/ready"))) {
            // One /readyz first, answered at once: the sidecar's HTTP client is built by then, so the
            // held call's 1 s is all the app's.
            assertEquals(200, s.get("/readyz").statusCode());
            int before = calls.get();
            hold.set(true);
            List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
            for (int i = 0; i < 20; i++) burst.add(s.getAsync("/readyz"));
            // Answer once the other 19 have joined, or 500 ms after the call reached the app (2 s if it
            // never does), well inside the call's 1 s; the clock is checked before each look.
            long start = System.nanoTime();
            while (true) {
                long held = firstHeldAt.get();
                long now = System.nanoTime();
                if (held != 0 ? now - held > 500_000_000L : now - start > 2_000_000_000L) break;
                if (FloodIT.metric(s, "gracekeeper_app_ready_calls_joined_total") >= 19) break;
                LockSupport.parkNanos(5_000_000);
            }
            answer.countDown();
            for (CompletableFuture<HttpResponse<String>> f : burst) {
                HttpResponse<String> r = f.get(10, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), r.body());
            }
            long joined = FloodIT.metric(s, "gracekeeper_app_ready_calls_joined_total");
            int burstCalls = calls.get() - before;
            System.out.println("20 concurrent /readyz: " + burstCalls + " call(s) to the app, " + joined + " joined");
            assertEquals(20, burstCalls + joined, "every /readyz either asked the app or shared a call");
            assertTrue(joined >= 10, "most shared the one call: " + joined + " joined, " + burstCalls + " calls");
        } finally {
            answer.countDown();
            app.stop(0);
            threads.shutdownNow();
        }
    }
}
