package dev.gracekeeper.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gracekeeper.JsonField;
import dev.gracekeeper.config.Config;
import dev.gracekeeper.config.ConfigParser;
import dev.gracekeeper.drain.PropagationReport;
import dev.gracekeeper.app.AppConnections;
import dev.gracekeeper.lifecycle.Clock;
import dev.gracekeeper.lifecycle.Lifecycle;
import dev.gracekeeper.lifecycle.MarkerStore;
import dev.gracekeeper.lifecycle.ShutdownResult;
import dev.gracekeeper.lifecycle.ShutdownStep;
import dev.gracekeeper.lifecycle.StepContext;
import dev.gracekeeper.lifecycle.Trigger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusViewTest {
    @TempDir Path dir;
    static final AppConnections.Health NO_PORTS = new AppConnections.Health(List.of(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), 0, 0, 0, Optional.empty());

    static String field(String json, String name) { return JsonField.of(json, name); }

    Config config() throws Exception {
        return ConfigParser.parse(Map.of("GRACEKEEPER_STATE_DIR", dir.toString(), "GRACEKEEPER_BIND_ADDRESS",
                "127.0.0.1", "POD_NAME", "web-1", "POD_NAMESPACE", "shop", "GRACEKEEPER_DRAIN_DELAY", "0s"));
    }

    @Test
    void servingPodShowsItsIdentityPhaseAndAHealthyMarker() throws Exception {
        MarkerStore store = new MarkerStore(dir);
        Lifecycle lc = new Lifecycle(store, store.load(""), List.of(), Clock.SYSTEM, "", Duration.ofSeconds(25));
        String json = StatusView.render(lc.snapshot(), config(), store, 3, "null", NO_PORTS, "null", new PropagationReport("delay"));
        assertEquals("web-1", field(json, "name"));
        assertEquals("shop", field(json, "namespace"));
        assertEquals("serving", field(json, "phase"));
        assertEquals("true", field(json, "ready"));
        assertEquals("null", field(json, "shutdown"));
        assertEquals("null", field(json, "last_result"));
        assertEquals("true", field(json, "ok"));
        assertEquals("3", field(json, "hooks_rejected"));
        assertTrue(field(json, "budget").startsWith("shutdown ends by T0 + 25s"), json);
    }

    @Test
    void drainedPodShowsTheResultWithItsJoinAndOutcome() throws Exception {
        MarkerStore store = new MarkerStore(dir);
        ShutdownStep step = new ShutdownStep() {
            @Override public String name() { return "work"; }

            @Override public String run(StepContext ctx) { return "done \"quoted\""; }
        };
        Lifecycle lc = new Lifecycle(store, store.load(""), List.of(step), Clock.SYSTEM, "", Duration.ofSeconds(25));
        ShutdownResult r = lc.shutdown(Trigger.SIGTERM, "").result().get(5, TimeUnit.SECONDS);
        String json = StatusView.render(lc.snapshot(), config(), store, 0, "null", NO_PORTS, "null", new PropagationReport("delay"));
        assertEquals("drained", field(json, "phase"));
        assertEquals("false", field(json, "ready"));
        assertEquals("SIGTERM", field(json, "first_trigger"));
        assertEquals("drained", field(json, "outcome"));
        String answer = StatusView.result(r, Lifecycle.Join.ALREADY_DONE);
        assertEquals("already_done", field(answer, "join"));
        assertTrue(field(answer, "detail").contains("done \\\"quoted\\\""), "escaped: " + answer);
    }
}
