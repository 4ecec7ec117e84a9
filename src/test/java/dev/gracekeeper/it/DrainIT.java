package dev.gracekeeper.it;

import static dev.gracekeeper.it.HookIT.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The drain against a real app process with slow requests and keep-alive clients. */
class DrainIT {
    @TempDir Path state;

    @Test
    void inFlightRequestsCompleteBeforeShutdownReturnsAndIdleKeepAlivesAreClosedByTheDrain() throws Exception {
        int port = Sidecar.freePort();
        try (App app = App.start(port, 0, 0, true);
             Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_DRAIN_DELAY", "300ms",
                     "GRACEKEEPER_APP_DRAIN_URL", "http://127.0.0.1:" + port + "/drain",
                     "GRACEKEEPER_APP_PORTS", Integer.toString(port),
                     "GRACEKEEPER_TERMINATION_MESSAGE_PATH", state.resolve("termination-log").toString()))) {
            Socket idle1 = app.idleKeepAlive();
            Socket idle2 = app.idleKeepAlive();
            List<CompletableFuture<Long>> slow = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                slow.add(CompletableFuture.supplyAsync(() -> {
                    try (Socket c = new Socket("127.0.0.1", port)) {
                        c.setSoTimeout(30_000);
                        assertEquals("HTTP/1.1 200 X", App.request(c, "/slow?ms=" + 1500));
                        long done = System.nanoTime();
                        assertTrue(App.closedByServer(c), "the draining app closes after answering");
                        return done;
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
            }
            Sidecar.poll(Duration.ofSeconds(5), "5 connections established", () -> true);
            HttpResponse<String> r = s.get("/shutdown");
            long answered = System.nanoTime();
            long lastDone = 0;
            for (CompletableFuture<Long> f : slow) lastDone = Math.max(lastDone, f.join());
            assertTrue(lastDone < answered, "every in-flight request finished before /shutdown returned");
            long latencyMs = (answered - lastDone) / 1_000_000;
            System.out.println("drain detection: last slow response -> /shutdown answered in " + latencyMs + " ms");
            assertTrue(latencyMs < 500, "noticed promptly: " + latencyMs + " ms");
            assertEquals("drained", field(r.body(), "outcome"), r.body());
            assertTrue(r.body().contains("\"connections_at_drain_start\":"), r.body());
            // The kernel's close notices woke the idle wait: the real jar, a real netlink socket.
            assertTrue(r.body().contains("time(s) by close notices)"), r.body());
            assertEquals("on", field(s.get("/status").body(), "close_events"), s.get("/status").body());
            assertTrue(App.closedByServer(idle1) && App.closedByServer(idle2), "idle keep-alives closed by the drain");
            assertTrue(s.log().contains("step app-drain-http"), s.log());
            String summary = Files.readString(state.resolve("termination-log"));
            assertTrue(summary.startsWith("gracekeeper: generation 1 drained in "), summary);
        }
    }

    @Test
    void idleKeepAliveWithoutADrainActionEndsAtTheDrainTimeoutNamingWhatWasOpen() throws Exception {
        int port = Sidecar.freePort();
        try (App app = App.start(port, 0, 0, true);
             Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_DRAIN_DELAY", "0s",
                     "GRACEKEEPER_DRAIN_TIMEOUT", "1s", "GRACEKEEPER_APP_PORTS", Integer.toString(port)));
             Socket idle = app.idleKeepAlive()) {
            long start = System.nanoTime();
            String body = s.get("/shutdown").body();
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.println("idle keep-alive without drain action: /shutdown answered after " + ms + " ms");
            assertTrue(ms >= 950 && ms < 2500, "ended at the 1s drain timeout: " + ms);
            assertEquals("timed-out", field(body, "outcome"));
            assertTrue(body.contains("1 connection(s) still open on :" + port), body);
            assertTrue(s.log().contains("(GRACEKEEPER_DRAIN_TIMEOUT): 1 connection(s) still open"), s.log());
        }
    }

    @Test
    void aDrainEndpointThatCannotBeReachedIsLoggedAndTheIdleWaitStillRuns() throws Exception {
        int port = Sidecar.freePort();
        int closed = Sidecar.freePort();
        try (App app = App.start(port, 0, 0, true);
             Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_DRAIN_DELAY", "0s",
                     "GRACEKEEPER_APP_DRAIN_URL", "http://127.0.0.1:" + closed + "/drain",
                     "GRACEKEEPER_APP_PORTS", Integer.toString(port)))) {
            Socket client = new Socket("127.0.0.1", port);        // established before the shutdown starts
            CompletableFuture<String> slow = CompletableFuture.supplyAsync(() -> {
                try (Socket c = client) {                             // closed by the client once answered
                    return App.request(c, "/slow?ms=800");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            long start = System.nanoTime();
            String body = s.get("/shutdown").body();
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 700, "/shutdown waited for the 800 ms request despite the failed drain call: " + ms);
            assertEquals("HTTP/1.1 200 X", slow.get(5, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals("drained", field(body, "outcome"), body);
            assertTrue(s.log().contains("POST http://127.0.0.1:" + closed + "/drain failed after"), s.log());
            assertTrue(s.log().contains("carrying on with the idle wait"), s.log());
        }
    }

    @Test
    void hungAppIsCutOffAtGracePeriodMinusStopReserve() throws Exception {
        int port = Sidecar.freePort();
        try (App app = App.start(port, 0, 0, true);
             Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_GRACE_PERIOD", "4s",
                     "GRACEKEEPER_STOP_RESERVE", "1s", "GRACEKEEPER_DRAIN_DELAY", "1s",
                     "GRACEKEEPER_APP_DRAIN_URL", "http://127.0.0.1:" + port + "/drain",
                     "GRACEKEEPER_APP_PORTS", Integer.toString(port)))) {
            CompletableFuture.runAsync(() -> {
                try (Socket c = new Socket("127.0.0.1", port)) {
                    App.request(c, "/slow?ms=20000");
                } catch (java.io.IOException e) {
                    // cut off when the test ends
                }
            });
            Sidecar.poll(Duration.ofSeconds(5), "the hung request is in flight",
                    () -> s.get("/status").body().contains("\"phase\":\"serving\""));
            long start = System.nanoTime();
            CompletableFuture<HttpResponse<String>> pending = s.getAsync("/shutdown");
            Sidecar.poll(Duration.ofSeconds(3), "status shows the idle wait and its deadline",
                    () -> s.get("/status").body().contains("\"step\":{\"name\":\"idle-wait\""));
            HttpResponse<String> r = pending.join();
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.println("hung app: /shutdown answered " + ms + " ms after it was called (budget 4s - 1s)");
            assertTrue(ms >= 2900 && ms < 3800, "ended at T0 + 3s: " + ms);
            assertEquals("timed-out", field(r.body(), "outcome"));
            assertTrue(r.body().contains("1 connection(s) still open on :" + port), r.body());
            assertTrue(s.log().contains("(the budget: T0 + grace period - stop reserve)"), s.log());
        }
    }

    @Test
    void budgetThatCannotFitIsAStartupErrorShowingTheArithmetic() {
        try (Sidecar s = Sidecar.launch(state, Map.of("GRACEKEEPER_GRACE_PERIOD", "60s",
                "GRACEKEEPER_STOP_RESERVE", "10s", "GRACEKEEPER_DRAIN_DELAY", "55s"))) {
            assertEquals(2, s.awaitExit(Duration.ofSeconds(10)));
            assertTrue(s.log().contains("GRACEKEEPER_DRAIN_DELAY 55s does not fit: the shutdown must end by"
                    + " GRACEKEEPER_GRACE_PERIOD 60s - GRACEKEEPER_STOP_RESERVE 10s = 50s after the first trigger"),
                    s.log());
        }
    }
}
