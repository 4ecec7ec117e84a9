package dev.gracekeeper.hook;

import dev.gracekeeper.lifecycle.Lifecycle;
import dev.gracekeeper.lifecycle.Trigger;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /shutdown}, the app's preStop: starts the generation's shutdown or joins it, and answers
 * when it is over. Every delivery after the first, concurrent or later, joins the same shutdown.
 */
final class ShutdownHook {
    private static final Logger log = LoggerFactory.getLogger("hook");
    private final Lifecycle lifecycle;
    private final Metrics metrics;

    ShutdownHook(Lifecycle lifecycle, Metrics metrics) {
        this.lifecycle = lifecycle;
        this.metrics = metrics;
    }

    CompletableFuture<Reply> call(String from) {
        metrics.called(Metrics.Hook.SHUTDOWN);
        Lifecycle.Attempt a = lifecycle.shutdown(Trigger.PRESTOP_HOOK, " from " + from);
        if (a.join() != Lifecycle.Join.STARTED && a.join() != Lifecycle.Join.RESUMED) metrics.duplicate();
        if (a.join() != Lifecycle.Join.STARTED) {
            log.info("/shutdown from {}: {} the shutdown of generation {}", from, a.join().words(), a.generation());
        }
        return a.result().thenApply(r -> Reply.json(StatusView.result(r, a.join())));
    }
}
