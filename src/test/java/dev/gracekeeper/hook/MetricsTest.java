package dev.gracekeeper.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gracekeeper.app.AppConnections;
import dev.gracekeeper.lifecycle.Clock;
import dev.gracekeeper.lifecycle.Figure;
import dev.gracekeeper.lifecycle.Lifecycle;
import dev.gracekeeper.lifecycle.MarkerStore;
import dev.gracekeeper.lifecycle.ShutdownStep;
import dev.gracekeeper.lifecycle.StepContext;
import dev.gracekeeper.lifecycle.Trigger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsTest {
    @TempDir Path dir;
    static final AppConnections.Health NO_PORTS = new AppConnections.Health(List.of(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), 0, 0, 0, Optional.empty());

    Lifecycle lifecycle(ShutdownStep... steps) {
        MarkerStore store = new MarkerStore(dir);
        return new Lifecycle(store, store.load(""), List.of(steps), Clock.SYSTEM, "", Duration.ofSeconds(25));
    }

    static String value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        assertTrue(m.find(), series + " in\n" + text);
        return m.group(1);
    }

    @Test
    void everySeriesHasHelpAndTypeAndStartsAtZeroOrNaN() {
        String text = new Metrics().render(lifecycle().snapshot(), true, NO_PORTS);
        Matcher sample = Pattern.compile("(?m)^(gracekeeper_[a-z_]+)[ {]").matcher(text);
        int samples = 0;
        while (sample.find()) {
            samples++;
            assertTrue(text.contains("# TYPE " + sample.group(1) + " "), "TYPE of " + sample.group(1));
            assertTrue(text.contains("# HELP " + sample.group(1) + " "), "HELP of " + sample.group(1));
        }
        assertTrue(samples >= 10, text);
        assertEquals("0", value(text, "gracekeeper_hook_calls_total{hook=\"shutdown\"}"));
        assertEquals("0", value(text, "gracekeeper_shutdowns_total{trigger=\"SIGTERM\",outcome=\"timed-out\"}"));
        assertEquals("NaN", value(text, "gracekeeper_last_shutdown_duration_seconds"));
        assertEquals("1", value(text, "gracekeeper_ready"));
        assertEquals("1", value(text, "gracekeeper_marker_ok"));
    }

    @Test
    void finishedShutdownsAreCountedByTriggerAndOutcomeWithTheirFigures() throws Exception {
        Lifecycle lc = lifecycle(new ShutdownStep() {
            @Override public String name() { return "counts"; }

            @Override public String run(StepContext ctx) {
                ctx.figure(Figure.CONNECTIONS_AT_DRAIN_START, 4);
                ctx.unfinished("4 connections still open");
                return "4 open";
            }
        });
        Metrics m = new Metrics();
        lc.onFinished(m::finished);
        m.called(Metrics.Hook.SHUTDOWN);
        m.called(Metrics.Hook.SHUTDOWN);
        m.duplicate();
        m.rejected(HookGuard.Verdict.WRONG_TOKEN);
        lc.shutdown(Trigger.PRESTOP_HOOK, "").result().get(5, TimeUnit.SECONDS);
        String text = m.render(lc.snapshot(), false, NO_PORTS);
        assertEquals("2", value(text, "gracekeeper_hook_calls_total{hook=\"shutdown\"}"));
        assertEquals("1", value(text, "gracekeeper_hook_duplicates_total"));
        assertEquals(1, m.rejectedTotal());
        assertEquals("1", value(text, "gracekeeper_shutdowns_total{trigger=\"prestop-hook\",outcome=\"timed-out\"}"));
        assertEquals("0", value(text, "gracekeeper_shutdowns_total{trigger=\"prestop-hook\",outcome=\"drained\"}"));
        assertEquals("4", value(text, "gracekeeper_last_shutdown_connections_at_drain_start"));
        assertTrue(Double.parseDouble(value(text, "gracekeeper_last_shutdown_duration_seconds")) >= 0);
        assertEquals("0", value(text, "gracekeeper_ready"));
        assertEquals("0", value(text, "gracekeeper_marker_ok"));
    }
}
