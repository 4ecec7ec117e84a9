package dev.gracekeeper.hook;

import dev.gracekeeper.app.AppProbe;
import dev.gracekeeper.config.AppConfig;
import dev.gracekeeper.config.Var;
import dev.gracekeeper.lifecycle.Clock;
import dev.gracekeeper.lifecycle.Lifecycle;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /poststart}: a new app instance. A new generation, then wait (bounded) until the app is
 * ready, since the kubelet starts the next container only when this hook returns. On timeout,
 * {@code fail} aborts the connection without a response: the kubelet ignores status codes, so only
 * a transport error makes it report FailedPostStartHook and restart the container.
 */
final class PostStartHook {
    private static final Logger log = LoggerFactory.getLogger("hook");
    private final Lifecycle lifecycle;
    private final AppProbe probe;
    private final AppConfig app;
    private final Metrics metrics;
    private volatile String last = "null";
    PostStartHook(Lifecycle lifecycle, AppProbe probe, AppConfig app, Metrics metrics) {
        this.lifecycle = lifecycle;
        this.probe = probe;
        this.app = app;
        this.metrics = metrics;
    }

    /** The last answer, as JSON for /status; {@code null} before the first. */
    String last() { return last; }

    CompletableFuture<Reply> call(String from) {
        metrics.called(Metrics.Hook.POSTSTART);
        Duration timeout = app.poststartTimeout();
        long start = Clock.SYSTEM.nanoTime();
        return lifecycle.poststart(" from " + from)
                .thenCompose(s -> probe.awaitReady(timeout).thenApply(r -> {
                    long ms = Clock.SYSTEM.millisSince(start);
                    String json = StatusView.poststart(s, r.ready(), r.why(), ms);
                    last = json;
                    if (r.ready()) {
                        log.info("/poststart from {}: generation {} app ready after {} ms ({})", from, s.generation(),
                                ms, r.why());
                        return Reply.json(json);
                    }
                    metrics.poststartTimedOut();
                    boolean fail = app.poststartFailOnTimeout();
                    log.warn("/poststart from {}: app not ready after {} ms ({} {} ms): {}; {}", from, ms,
                            Var.POSTSTART_TIMEOUT.envName(), timeout.toMillis(), r.why(), fail
                                    ? "aborting the connection so the kubelet fails the hook ("
                                      + Var.POSTSTART_ON_TIMEOUT.envName() + "=fail)"
                                    : "answering anyway (" + Var.POSTSTART_ON_TIMEOUT.envName() + "=proceed)");
                    return fail ? Reply.ABORT : Reply.json(json);
                }));
    }
}
