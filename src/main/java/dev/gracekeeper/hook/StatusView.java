package dev.gracekeeper.hook;

import dev.gracekeeper.app.AppConnections;
import dev.gracekeeper.config.Config;
import dev.gracekeeper.drain.PropagationReport;
import dev.gracekeeper.lifecycle.Figure;
import dev.gracekeeper.lifecycle.Lifecycle;
import dev.gracekeeper.lifecycle.MarkerStore;
import dev.gracekeeper.lifecycle.ShutdownResult;
import dev.gracekeeper.lifecycle.Snapshot;
import dev.gracekeeper.lifecycle.Transition;
import dev.gracekeeper.lifecycle.Trigger;
import java.util.Optional;

/** Renders the snapshot and results as the JSON of {@code /status}, {@code /shutdown} and {@code /poststart}. */
final class StatusView {
    private StatusView() {}

    static String render(Snapshot s, Config c, MarkerStore store, long rejected, String lastPoststart,
                         AppConnections.Health connections, String hookPort, PropagationReport propagation) {
        StringBuilder history = new StringBuilder("[");
        for (Transition t : s.history()) {
            if (history.length() > 1) history.append(',');
            history.append(new Json().field("phase", t.phase().label()).field("generation", t.generation())
                    .field("at", t.at().toString()).field("cause", t.cause()).end());
        }
        history.append(']');
        Transition now = s.current();
        String shutdown = s.firstTrigger().isEmpty() ? "null" : new Json()
                .field("first_trigger", s.firstTrigger().map(Trigger::label).orElse(null))
                .field("first_trigger_at", s.firstTriggerAt())
                .strings("steps_done", s.stepsDone()).end();
        return new Json()
                .raw("pod", new Json().field("name", c.pod().name()).field("namespace", c.pod().namespace())
                        .field("uid", c.pod().uid()).end())
                .field("phase", s.phase().label())
                .field("ready", s.phase().ready())
                .field("generation", s.generation())
                .field("phase_since", now.at().toString())
                .field("phase_cause", now.cause())
                .raw("shutdown", shutdown)
                .raw("step", s.step().map(st -> new Json().field("name", st.name())
                        .field("started_at", st.startedAt().toString())
                        .field("deadline", st.deadline().toString()).end()).orElse("null"))
                .field("budget", c.budget().explain())
                .raw("propagation", propagation(propagation))
                .raw("last_poststart", lastPoststart)
                .raw("last_result", s.lastResult().map(r -> result(r, null)).orElse("null"))
                .raw("connections", connections(connections, c.app().drainExitAtConnections()))
                .raw("marker", new Json().field("path", store.file().toString()).field("ok", store.error().isEmpty())
                        .field("error", store.error().orElse(null)).end())
                .field("hooks_rejected", rejected)
                .raw("hook_port", hookPort)
                .raw("history", history.toString())
                .end();
    }

    /** The app's connections as last seen, and whether the count is known: null without app ports. */
    private static String connections(AppConnections.Health h, int exitAt) {
        if (h.ports().isEmpty()) return "null";
        StringBuilder ports = new StringBuilder("[");
        for (int p : h.ports()) ports.append(ports.length() > 1 ? "," : "").append(p);
        return new Json().raw("ports", ports.append(']').toString()).field("exit_at", exitAt)
                .raw("established", h.established().map(String::valueOf).orElse("null"))
                .field("known", h.unknownBecause().isEmpty())
                .field("unknown_because", h.unknownBecause().orElse(null))
                .field("unknown_since", h.unknownSince())
                .field("counters_unreadable", h.countersUnreadable().orElse(null))
                .field("close_events", h.closeEvents().orElse(null))
                .field("looks", h.looks()).field("walks", h.walks()).field("read_failures", h.failures()).end();
    }

    /** The mode configured, and the mode the last wait actually used, with the control plane's lag. */
    private static String propagation(PropagationReport p) {
        Json j = new Json().field("configured", p.configured());
        Optional<PropagationReport.Last> last = p.last();
        j.field("used", last.map(PropagationReport.Last::used).orElse(p.configured().equals("delay") ? "delay" : null));
        j.field("detail", last.map(PropagationReport.Last::detail).orElse(null));
        if (last.flatMap(PropagationReport.Last::observedMs).isPresent()) {
            j.field("observed_ms", last.get().observedMs().get());
        } else {
            j.raw("observed_ms", "null");
        }
        return j.end();
    }

    static String result(ShutdownResult r, Lifecycle.Join join) {
        Json j = new Json().field("hook", "shutdown");
        if (join != null) j.field("join", join.label());
        return j.field("generation", r.generation())
                .field("outcome", r.outcome().label())
                .field("first_trigger", r.firstTrigger().label())
                .field("started_at", Optional.of(r.startedAt()))
                .field("finished_at", Optional.of(r.finishedAt()))
                .field("duration_ms", r.duration().toMillis())
                .strings("steps_done", r.stepsDone())
                .field("detail", r.detail())
                .raw("figures", figures(r.figures()))
                .end();
    }

    private static String figures(java.util.Map<Figure, Long> f) {
        Json j = new Json();
        new java.util.TreeMap<>(f).forEach((k, v) -> j.field(k.key(), v));
        return j.end();
    }

    static String poststart(Snapshot s, boolean appReady, String why, long waitedMs) {
        return new Json().field("hook", "poststart").field("generation", s.generation())
                .field("phase", s.phase().label()).field("app_ready", appReady).field("app", why)
                .field("waited_ms", waitedMs).end();
    }
}
