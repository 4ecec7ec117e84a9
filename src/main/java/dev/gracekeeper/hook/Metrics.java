package dev.gracekeeper.hook;

import dev.gracekeeper.lifecycle.Snapshot;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the hook server, exposed in Prometheus text format on {@code /metrics}. */
public final class Metrics {
    public enum Hook { POSTSTART, SHUTDOWN }

    private final Map<Hook, LongAdder> calls = new EnumMap<>(Hook.class);
    private final Map<HookGuard.Verdict, LongAdder> rejected = new EnumMap<>(HookGuard.Verdict.class);

    public Metrics() {
        for (Hook h : Hook.values()) calls.put(h, new LongAdder());
        for (HookGuard.Verdict v : HookGuard.Verdict.values()) {
            if (v != HookGuard.Verdict.ALLOWED) rejected.put(v, new LongAdder());
        }
    }

    void called(Hook hook) { calls.get(hook).increment(); }

    void rejected(HookGuard.Verdict verdict) { rejected.get(verdict).increment(); }

    public long rejectedTotal() {
        return rejected.values().stream().mapToLong(LongAdder::sum).sum();
    }

    String render(Snapshot s, boolean markerOk) {
        StringBuilder sb = new StringBuilder(1024);
        sb.append("# HELP gracekeeper_hook_calls_total Accepted hook calls.\n");
        sb.append("# TYPE gracekeeper_hook_calls_total counter\n");
        calls.forEach((h, n) -> sb.append("gracekeeper_hook_calls_total{hook=\"")
                .append(h.name().toLowerCase(java.util.Locale.ROOT)).append("\"} ").append(n.sum()).append('\n'));
        sb.append("# HELP gracekeeper_hook_rejected_total Hook calls rejected by the token or allowlist.\n");
        sb.append("# TYPE gracekeeper_hook_rejected_total counter\n");
        rejected.forEach((v, n) -> sb.append("gracekeeper_hook_rejected_total{reason=\"").append(v.metricLabel())
                .append("\"} ").append(n.sum()).append('\n'));
        sb.append("# HELP gracekeeper_generation Current app generation.\n");
        sb.append("# TYPE gracekeeper_generation gauge\n");
        sb.append("gracekeeper_generation ").append(s.generation()).append('\n');
        sb.append("# HELP gracekeeper_ready 1 while the pod should receive traffic.\n");
        sb.append("# TYPE gracekeeper_ready gauge\n");
        sb.append("gracekeeper_ready ").append(s.phase().ready() ? 1 : 0).append('\n');
        sb.append("# HELP gracekeeper_marker_ok 1 while the marker file is being written.\n");
        sb.append("# TYPE gracekeeper_marker_ok gauge\n");
        sb.append("gracekeeper_marker_ok ").append(markerOk ? 1 : 0).append('\n');
        return sb.toString();
    }
}
