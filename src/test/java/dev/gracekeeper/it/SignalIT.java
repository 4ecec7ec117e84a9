package dev.gracekeeper.it;

import static dev.gracekeeper.it.HookIT.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real SIGTERM, SIGINT and SIGKILL against the real jar. */
class SignalIT {
    @TempDir Path state;

    @Test
    void sigtermRunsTheShutdownKeepsServingHooksAndExitsZeroWhenDone() throws Exception {
        try (Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_DRAIN_DELAY", "1500ms"))) {
            long start = System.nanoTime();
            s.sigterm();
            s.awaitLog("SIGTERM received: started the shutdown of generation 1", Duration.ofSeconds(5));
            HttpResponse<String> joined = s.get("/shutdown");
            assertEquals("joined", field(joined.body(), "join"), "a preStop arriving after SIGTERM joins it");
            assertEquals("SIGTERM", field(joined.body(), "first_trigger"));
            assertEquals(0, s.awaitExit(Duration.ofSeconds(10)), s.log());
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.println("SIGTERM -> exit with a 1500 ms delay: " + ms + " ms");
            assertTrue(ms >= 1400 && ms < 5000, "exited after the drain: " + ms + " ms");
            assertTrue(s.log().contains("exiting (exit 0): gracekeeper: generation 1 drained"), s.log());
        }
    }

    @Test
    void sigtermAfterTheHookFinishedExitsPromptly() {
        try (Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_DRAIN_DELAY", "0s"))) {
            s.get("/shutdown");
            long start = System.nanoTime();
            s.sigterm();
            assertEquals(0, s.awaitExit(Duration.ofSeconds(5)), s.log());
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.println("SIGTERM -> exit when already drained: " + ms + " ms");
            assertTrue(s.log().contains("SIGTERM received: already done the shutdown"), s.log());
        }
    }

    @Test
    void sigintIsTrappedLikeSigterm() {
        try (Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_DRAIN_DELAY", "0s"))) {
            s.signal("INT");
            assertEquals(0, s.awaitExit(Duration.ofSeconds(5)), s.log());
            assertTrue(s.log().contains("draining: shutdown triggered by SIGINT"), s.log());
        }
    }

    @Test
    void sigkillMidShutdownThenRestartStaysUnreadyAndResumesOnTheOriginalDeadline() throws Exception {
        Map<String, String> env = Map.of("GRACEKEEPER_DRAIN_DELAY", "4s", "GRACEKEEPER_PORT",
                Integer.toString(Sidecar.freePort()));
        Instant t0;
        try (Sidecar first = Sidecar.start(state, env)) {
            CompletableFuture<HttpResponse<String>> pending = first.getAsync("/shutdown");
            Sidecar.poll(Duration.ofSeconds(2), "marker records the start",
                    () -> markerText().contains("phase=draining"));
            t0 = Instant.parse(markerText().lines().filter(l -> l.startsWith("first_trigger_at="))
                    .findFirst().orElseThrow().substring("first_trigger_at=".length()));
            first.sigkill();
            first.awaitExit(Duration.ofSeconds(5));
            assertTrue(pending.handle((r, e) -> e != null).join(), "the in-flight hook failed with the process");
        }
        try (Sidecar second = Sidecar.start(state, env)) {
            assertEquals(503, second.get("/readyz").statusCode(), "stays not-ready after the restart");
            assertEquals("interrupted", field(second.get("/status").body(), "phase"));
            HttpResponse<String> resumed = second.get("/shutdown");
            Instant answered = Instant.now();
            assertEquals("resumed", field(resumed.body(), "join"), resumed.body());
            assertEquals(t0.toString(), field(resumed.body(), "started_at"));
            long sinceT0 = Duration.between(t0, answered).toMillis();
            System.out.println("resumed shutdown answered " + sinceT0 + " ms after the original trigger (delay 4000 ms)");
            assertTrue(sinceT0 >= 3900 && sinceT0 < 6500, "ended on the original deadline: " + sinceT0 + " ms");
            assertEquals("already_done", field(second.get("/shutdown").body(), "join"));
        }
    }

    private String markerText() {
        try {
            return Files.readString(state.resolve("gracekeeper.marker"));
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
