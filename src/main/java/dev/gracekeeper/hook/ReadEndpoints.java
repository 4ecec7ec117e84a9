package dev.gracekeeper.hook;

import dev.gracekeeper.app.AppConnections;
import dev.gracekeeper.app.AppProbe;
import dev.gracekeeper.config.Config;
import dev.gracekeeper.drain.PropagationReport;
import dev.gracekeeper.lifecycle.Lifecycle;
import dev.gracekeeper.lifecycle.MarkerStore;
import dev.gracekeeper.lifecycle.Snapshot;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The endpoints that change nothing: {@code /healthz}, {@code /readyz}, {@code /status} and
 * {@code /metrics}, answered from the lock-free snapshot. Only {@code /readyz} may wait, on the
 * app's own readiness, and then through a future, never on the I/O thread.
 */
final class ReadEndpoints {
    static final Duration APP_READY_BOUND = Duration.ofSeconds(1);
    private final Config config;
    private final Lifecycle lifecycle;
    private final MarkerStore store;
    private final AppProbe probe;
    private final AppConnections connections;
    private final Metrics metrics;
    private final PropagationReport propagation;
    private final Supplier<String> lastPoststart;
    private final Supplier<String> portStatus;

    ReadEndpoints(Config config, Lifecycle lifecycle, MarkerStore store, AppProbe probe, AppConnections connections,
                  Metrics metrics, PropagationReport propagation, Supplier<String> lastPoststart,
                  Supplier<String> portStatus) {
        this.config = config;
        this.lifecycle = lifecycle;
        this.store = store;
        this.probe = probe;
        this.connections = connections;
        this.metrics = metrics;
        this.propagation = propagation;
        this.lastPoststart = lastPoststart;
        this.portStatus = portStatus;
    }

    Reply healthz() { return Reply.text(200, "ok\n"); }

    CompletableFuture<Reply> readyz() {
        Snapshot s = lifecycle.snapshot();
        if (!s.phase().ready()) {
            return done(Reply.text(503, "not ready: " + s.phase().label() + " (generation " + s.generation() + ")\n"));
        }
        if (!probe.hasReadyUrl()) return done(Reply.text(200, "ready\n"));
        // The app's own readiness is part of ours.
        return probe.readyOnce(APP_READY_BOUND).thenApply(r -> r.ready()
                ? Reply.text(200, "ready: " + r.why() + "\n")
                : Reply.text(503, "not ready: app not ready (" + r.why() + ")\n"));
    }

    Reply status() {
        return Reply.json(StatusView.render(lifecycle.snapshot(), config, store, metrics.rejectedTotal(),
                lastPoststart.get(), connections.health(), portStatus.get(), propagation));
    }

    Reply metrics() {
        return new Reply(200, "text/plain; version=0.0.4; charset=utf-8",
                metrics.render(lifecycle.snapshot(), store.error().isEmpty(), connections.health()));
    }

    private static CompletableFuture<Reply> done(Reply r) { return CompletableFuture.completedFuture(r); }
}
