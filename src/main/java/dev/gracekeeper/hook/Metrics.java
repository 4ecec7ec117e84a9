package dev.gracekeeper.hook;

import dev.gracekeeper.app.AppConnections;
import dev.gracekeeper.lifecycle.Figure;
import dev.gracekeeper.lifecycle.Outcome;
import dev.gracekeeper.lifecycle.ShutdownResult;
import dev.gracekeeper.lifecycle.Snapshot;
import dev.gracekeeper.lifecycle.Trigger;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

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
    private final LongAdder closedAtLimit = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder acceptFailures = new LongAdder();
    private volatile IntSupplier connectionsOpen = () -> 0;
    private volatile LongSupplier readyCallsJoined = () -> 0;
    private volatile int connectionLimit;
    private volatile ShutdownResult last;

    public Metrics() {
        for (Hook h : Hook.values()) calls.put(h, new LongAdder());
        for (HookGuard.Verdict v : HookGuard.Verdict.values()) {
            if (v != HookGuard.Verdict.ALLOWED) rejected.put(v, new LongAdder());
        }
        for (Trigger t : Trigger.values()) {
            for (Outcome o : Outcome.values()) {
                shutdowns.put(key(t, o), new LongAdder());
            }
        }
    }

    void called(Hook hook) { calls.get(hook).increment(); }

    void rejected(HookGuard.Verdict verdict) { rejected.get(verdict).increment(); }

    void duplicate() { duplicates.increment(); }

    void poststartTimedOut() { poststartTimeouts.increment(); }

    void connections(IntSupplier open, int limit) {
        connectionsOpen = open;
        connectionLimit = limit;
    }

    /** Readiness checks that shared the app's ready-URL call in flight ({@code AppProbe.readyCallsJoined}). */
    void readyCallsJoined(LongSupplier joined) { readyCallsJoined = joined; }

    void connectionsClosedAtLimit(long n) { closedAtLimit.add(n); }

    void connectionRefused() { refused.increment(); }

    void acceptFailed() { acceptFailures.increment(); }

    /** A shutdown finished: counted by its first trigger and outcome. */
    public void finished(ShutdownResult r) {
        shutdowns.computeIfAbsent(key(r.firstTrigger(), r.outcome()), k -> new LongAdder()).increment();
        last = r;
    }

    public long rejectedTotal() {
        return rejected.values().stream().mapToLong(LongAdder::sum).sum();
    }

    private static String key(Trigger t, Outcome outcome) {
        return "trigger=\"" + t.label() + "\",outcome=\"" + outcome.label() + "\"";
    }

    String render(Snapshot s, boolean markerOk, AppConnections.Health connections) {
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
        Long c = r == null ? null : r.figures().get(Figure.CONNECTIONS_AT_DRAIN_START);
        sb.append("gracekeeper_last_shutdown_connections_at_drain_start ").append(c == null ? "NaN" : c).append('\n');
        header(sb, "gracekeeper_hook_connections_open", "gauge", "Connections open on the hook port.");
        sb.append("gracekeeper_hook_connections_open ").append(connectionsOpen.getAsInt()).append('\n');
        header(sb, "gracekeeper_hook_connections_limit", "gauge", "The most connections the hook port keeps open.");
        sb.append("gracekeeper_hook_connections_limit ").append(connectionLimit).append('\n');
        header(sb, "gracekeeper_hook_connections_closed_at_limit_total", "counter",
                "Idle hook connections closed, oldest first, to admit new ones at the limit or after a failed accept.");
        sb.append("gracekeeper_hook_connections_closed_at_limit_total ").append(closedAtLimit.sum()).append('\n');
        header(sb, "gracekeeper_hook_connections_refused_total", "counter",
                "New hook connections closed at the limit because every open one had a request in flight.");
        sb.append("gracekeeper_hook_connections_refused_total ").append(refused.sum()).append('\n');
        header(sb, "gracekeeper_hook_accept_failures_total", "counter",
                "Failed accepts on the hook port (out of descriptors or memory).");
        sb.append("gracekeeper_hook_accept_failures_total ").append(acceptFailures.sum()).append('\n');
        header(sb, "gracekeeper_app_ready_calls_joined_total", "counter", "Readiness checks (/readyz, postStart) that"
                + " shared a call to GRACEKEEPER_APP_READY_URL already in flight instead of asking the app again.");
        sb.append("gracekeeper_app_ready_calls_joined_total ").append(readyCallsJoined.getAsLong()).append('\n');
        header(sb, "gracekeeper_propagation_observed_seconds", "gauge", "How long after the first trigger the"
                + " EndpointSlices of the last shutdown dropped the pod (GRACEKEEPER_PROPAGATION=endpoints); NaN when"
                + " not seen.");
        Long observed = r == null ? null : r.figures().get(Figure.PROPAGATION_OBSERVED_MS);
        sb.append("gracekeeper_propagation_observed_seconds ").append(observed == null ? "NaN"
                : String.format(Locale.ROOT, "%.3f", observed / 1000.0)).append('\n');
        header(sb, "gracekeeper_generation", "gauge", "Current app generation.");
        sb.append("gracekeeper_generation ").append(s.generation()).append('\n');
        header(sb, "gracekeeper_ready", "gauge", "1 while the pod should receive traffic.");
        sb.append("gracekeeper_ready ").append(s.phase().ready() ? 1 : 0).append('\n');
        header(sb, "gracekeeper_marker_ok", "gauge", "1 while the marker file is being written.");
        sb.append("gracekeeper_marker_ok ").append(markerOk ? 1 : 0).append('\n');
        if (!connections.ports().isEmpty()) connections(sb, connections);
        return sb.toString();
    }

    private static void connections(StringBuilder sb, AppConnections.Health h) {
        header(sb, "gracekeeper_app_connections", "gauge",
                "ESTABLISHED connections on the app ports at the last look; NaN while unknown.");
        sb.append("gracekeeper_app_connections ").append(h.established().map(String::valueOf).orElse("NaN")).append('\n');
        header(sb, "gracekeeper_app_connections_known", "gauge", "0 while the connection tables cannot be read.");
        sb.append("gracekeeper_app_connections_known ").append(h.unknownBecause().isEmpty() ? 1 : 0).append('\n');
        header(sb, "gracekeeper_connection_table_walks_total", "counter",
                "Reads of /proc/net/tcp and tcp6 (the other looks read only counters).");
        sb.append("gracekeeper_connection_table_walks_total ").append(h.walks()).append('\n');
        header(sb, "gracekeeper_connection_table_read_failures_total", "counter",
                "Reads of /proc/net/tcp and tcp6 that failed or did not parse.");
        sb.append("gracekeeper_connection_table_read_failures_total ").append(h.failures()).append('\n');
    }

    private static void header(StringBuilder sb, String name, String type, String help) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }
}
