package dev.gracekeeper.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gracekeeper.JsonField;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hooks over real HTTP against the real jar. */
class HookIT {
    @TempDir Path state;

    static String field(String json, String name) { return JsonField.of(json, name); }

    @Test
    void duplicateShutdownsWhileOneRunsJoinItAndAllReturnWhenItIsDone() throws Exception {
        try (Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_DRAIN_DELAY", "1500ms"))) {
            long start = System.nanoTime();
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 20; i++) calls.add(s.getAsync("/shutdown"));
            List<String> bodies = new ArrayList<>();
            for (CompletableFuture<HttpResponse<String>> c : calls) {
                HttpResponse<String> r = c.get();
                assertEquals(200, r.statusCode(), r.body());
                bodies.add(r.body());
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.println("20 concurrent /shutdown calls all answered after " + ms + " ms (delay 1500 ms)");
            assertTrue(ms >= 1400, "callers returned only when the shutdown was done: " + ms + " ms");
            assertEquals(1, bodies.stream().filter(b -> field(b, "join").equals("started")).count(), bodies.toString());
            assertEquals(1, bodies.stream().map(b -> field(b, "started_at")).distinct().count());
            assertEquals(1, s.logCount("draining: shutdown triggered"), s.log());
            assertEquals(1, s.logCount("step propagation-delay"), s.log());
        }
    }

    @Test
    void shutdownAfterCompletionAnswersAtOnceWithoutRepeatingIt() {
        try (Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_DRAIN_DELAY", "500ms"))) {
            String first = s.get("/shutdown").body();
            long start = System.nanoTime();
            String again = s.get("/shutdown").body();
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.println("repeated /shutdown answered in " + ms + " ms");
            assertTrue(ms < 400, "answered at once: " + ms + " ms");
            assertEquals("already_done", field(again, "join"));
            assertEquals(field(first, "started_at"), field(again, "started_at"));
            assertEquals(1, s.logCount("step propagation-delay"), s.log());
        }
    }

    @Test
    void readinessTurns503AsSoonAsTheShutdownStartsAndStaysThere() {
        try (Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_DRAIN_DELAY", "2s"))) {
            assertEquals(200, s.get("/readyz").statusCode());
            CompletableFuture<HttpResponse<String>> shutdown = s.getAsync("/shutdown");
            Sidecar.poll(Duration.ofMillis(1000), "/readyz turns 503", () -> s.get("/readyz").statusCode() == 503);
            assertFalse(shutdown.isDone(), "the shutdown is still waiting out its delay");
            assertEquals(200, shutdown.join().statusCode());
            HttpResponse<String> ready = s.get("/readyz");
            assertEquals(503, ready.statusCode());
            assertEquals("not ready: drained (generation 1)\n", ready.body());
            assertEquals(200, s.get("/healthz").statusCode(), "liveness is unaffected");
        }
    }

    @Test
    void poststartAfterACompletedShutdownStartsANewGenerationThatShutsDownAgain() {
        try (Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_DRAIN_DELAY", "0s"))) {
            assertEquals("1", field(s.get("/shutdown").body(), "generation"));
            assertEquals(503, s.get("/readyz").statusCode());
            String post = s.request("POST", "/poststart").body();
            assertEquals("2", field(post, "generation"));
            assertEquals(200, s.get("/readyz").statusCode());
            String second = s.get("/shutdown").body();
            assertEquals("started", field(second, "join"));
            assertEquals("2", field(second, "generation"));
            assertEquals(2, s.logCount("step propagation-delay"), s.log());
        }
    }

    @Test
    void statusTellsPhaseGenerationAndWhenAndWhyEachPhaseBegan() {
        Map<String, String> env = Map.of("GRACEKEEPER_DRAIN_DELAY", "0s", "POD_NAME", "web-1", "POD_NAMESPACE", "shop",
                "POD_UID", "0b5c");
        try (Sidecar s = Sidecar.start(state, env)) {
            s.get("/shutdown");
            String status = s.get("/status").body();
            assertEquals("drained", field(status, "phase"));
            assertEquals("false", field(status, "ready"));
            assertEquals("web-1", field(status, "name"));
            assertTrue(status.contains("\"cause\":\"shutdown triggered by prestop-hook from 127.0.0.1\""), status);
            assertTrue(status.contains("\"last_result\":{\"hook\":\"shutdown\",\"generation\":1,\"outcome\":\"drained\""),
                    status);
            assertTrue(s.log().contains("serving shop/web-1 on"), s.log());
            String metrics = s.get("/metrics").body();
            assertTrue(metrics.contains("gracekeeper_hook_calls_total{hook=\"shutdown\"} 1\n"), metrics);
            assertTrue(metrics.contains("gracekeeper_ready 0\n"), metrics);
        }
    }

    @Test
    void unknownPathsAndMethodsAreRefusedWithWhatIsValid() {
        try (Sidecar s = Sidecar.start(state, Map.of())) {
            HttpResponse<String> missing = s.get("/shutdownn");
            assertEquals(404, missing.statusCode());
            assertEquals("no such endpoint: /shutdownn; endpoints: /poststart, /shutdown, /healthz, /readyz, /status,"
                    + " /metrics\n", missing.body());
            HttpResponse<String> put = s.request("PUT", "/shutdown");
            assertEquals(405, put.statusCode());
            assertEquals("GET, POST", put.headers().firstValue("Allow").orElse(""));
            assertEquals(405, s.request("POST", "/readyz").statusCode());
            assertEquals(200, s.get("/readyz").statusCode(), "a refused request had no side effect");
        }
    }

    @Test
    void aCallerOnAnotherLoopbackAddressNeedsTheTokenLikeAMeshForwardedHook() throws Exception {
        String token = "3f1c9a7e0b2d4e6f8a1b3c5d";
        try (Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_BIND_ADDRESS", "0.0.0.0",
                "GRACEKEEPER_HOOK_TOKEN", token, "GRACEKEEPER_DRAIN_DELAY", "0s"))) {
            // Istio's inbound proxy connects to the app from 127.0.0.6 on behalf of any pod.
            try (java.net.Socket meshed = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), s.port,
                    java.net.InetAddress.getByName("127.0.0.6"), 0)) {
                assertEquals("HTTP/1.1 401 Unauthorized", App.request(meshed, "/shutdown"));
            }
            assertTrue(s.log().contains("/shutdown from 127.0.0.6 rejected (401)"), s.log());
            assertEquals("serving", field(s.get("/status").body(), "phase"), "nothing happened");
            assertEquals(200, s.get("/poststart").statusCode(), "127.0.0.1 needs no token");
        }
    }
}
