package dev.gracekeeper.hook;

import dev.gracekeeper.lifecycle.ShutdownResult;
import dev.gracekeeper.lifecycle.Snapshot;
import dev.gracekeeper.lifecycle.Trigger;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the sidecar in Prometheus text format on {@code /metrics}. Written by hand: a
 * dozen series do not justify a metrics library's startup and memory in every pod.
 */
public final class Metrics {
    public enum Hook { POSTSTART, SHUTDOWN }

    private final Map<Hook, LongAdder> calls = new EnumMap<>(Hook.class);
    private final Map<HookGuard.Verdict, LongAdder> rejected = new EnumMap<>(HookGuard.Verdict.class);
    private final Map<String, LongAdder> shutdowns = new ConcurrentHashMap<>();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder poststartTimeouts = new LongAdder();
    private volatile ShutdownResult last;

    public Metrics() {
        for (Hook h : Hook.values()) calls.put(h, new LongAdder());
        for (HookGuard.Verdict v : HookGuard.Verdict.values()) {
            if (v != HookGuard.Verdict.ALLOWED) rejected.put(v, new LongAdder());
        }
        for (Trigger t : Trigger.values()) {
            for (String o : new String[] {ShutdownResult.DRAINED, ShutdownResult.TIMED_OUT, ShutdownResult.FAILED}) {
                shutdowns.put(key(t, o), new LongAdder());
            }
        }
    }

    void called(Hook hook) { calls.get(hook).increment(); }

    void rejected(HookGuard.Verdict verdict) { rejected.get(verdict).increment(); }

    void duplicate() { duplicates.increment(); }

    void poststartTimedOut() { poststartTimeouts.increment(); }

    /** A shutdown finished: counted by its first trigger and outcome. */
    public void finished(ShutdownResult r) {
        shutdowns.computeIfAbsent(key(r.firstTrigger(), r.outcome()), k -> new LongAdder()).increment();
        last = r;
    }

    public long rejectedTotal() {
        return rejected.values().stream().mapToLong(LongAdder::sum).sum();
    }

    private static String key(Trigger t, String outcome) {
        return "trigger=\"" + t.label() + "\",outcome=\"" + outcome + "\"";
    }

    String render(Snapshot s, boolean markerOk) {
        StringBuilder sb = new StringBuilder(2048);
        header(sb, "gracekeeper_hook_calls_total", "counter", "Accepted hook calls.");
        calls.forEach((h, n) -> sb.append("gracekeeper_hook_calls_total{hook=\"")
                .append(h.name().toLowerCase(Locale.ROOT)).append("\"} ").append(n.sum()).append('\n'));
        header(sb, "gracekeeper_hook_rejected_total", "counter", "Hook calls rejected by the token or allowlist.");
        rejected.forEach((v, n) -> sb.append("gracekeeper_hook_rejected_total{reason=\"").append(v.metricLabel())
                .append("\"} ").append(n.sum()).append('\n'));
        header(sb, "gracekeeper_hook_duplicates_total", "counter",
                "/shutdown deliveries that joined a running or finished shutdown.");
        sb.append("gracekeeper_hook_duplicates_total ").append(duplicates.sum()).append('\n');
        header(sb, "gracekeeper_poststart_timeouts_total", "counter", "postStart waits that ran out of time.");
        sb.append("gracekeeper_poststart_timeouts_total ").append(poststartTimeouts.sum()).append('\n');
        header(sb, "gracekeeper_shutdowns_total", "counter", "Finished shutdowns by first trigger and outcome.");
        shutdowns.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
                sb.append("gracekeeper_shutdowns_total{").append(e.getKey()).append("} ").append(e.getValue().sum())
                        .append('\n'));
        ShutdownResult r = last;
        header(sb, "gracekeeper_last_shutdown_duration_seconds", "gauge",
                "Duration of the last shutdown, first trigger to done.");
        sb.append("gracekeeper_last_shutdown_duration_seconds ")
                .append(r == null ? "NaN" : String.format(Locale.ROOT, "%.3f", r.duration().toMillis() / 1000.0))
                .append('\n');
        header(sb, "gracekeeper_last_shutdown_connections_at_drain_start", "gauge",
                "App connections open when the last idle wait began.");
        Long c = r == null ? null : r.figures().get("connections_at_drain_start");
        sb.append("gracekeeper_last_shutdown_connections_at_drain_start ").append(c == null ? "NaN" : c).append('\n');
        header(sb, "gracekeeper_propagation_observed_seconds", "gauge", "How long after the first trigger the"
                + " EndpointSlices of the last shutdown dropped the pod (GRACEKEEPER_PROPAGATION=endpoints); NaN when"
                + " not seen.");
        Long observed = r == null ? null : r.figures().get("propagation_observed_ms");
        sb.append("gracekeeper_propagation_observed_seconds ").append(observed == null ? "NaN"
                : String.format(Locale.ROOT, "%.3f", observed / 1000.0)).append('\n');
        header(sb, "gracekeeper_generation", "gauge", "Current app generation.");
        sb.append("gracekeeper_generation ").append(s.generation()).append('\n');
        header(sb, "gracekeeper_ready", "gauge", "1 while the pod should receive traffic.");
        sb.append("gracekeeper_ready ").append(s.phase().ready() ? 1 : 0).append('\n');
        header(sb, "gracekeeper_marker_ok", "gauge", "1 while the marker file is being written.");
        sb.append("gracekeeper_marker_ok ").append(markerOk ? 1 : 0).append('\n');
        return sb.toString();
    }

    private static void header(StringBuilder sb, String name, String type, String help) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }
}
