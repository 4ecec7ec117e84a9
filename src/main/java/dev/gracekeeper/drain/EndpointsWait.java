package dev.gracekeeper.drain;

import dev.gracekeeper.config.Propagation;
import dev.gracekeeper.config.Var;
import dev.gracekeeper.http.HttpClients;
import dev.gracekeeper.kube.KubeApi;
import dev.gracekeeper.kube.PodRemoval;
import dev.gracekeeper.kube.ServiceAccount;
import dev.gracekeeper.lifecycle.Figure;
import dev.gracekeeper.lifecycle.Clock;
import dev.gracekeeper.lifecycle.Deadline;
import dev.gracekeeper.lifecycle.ShutdownStep;
import dev.gracekeeper.lifecycle.StepContext;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The propagation wait that ends when the pod's EndpointSlices say it is out of rotation, plus the
 * data-plane margin; never later than T0 + the drain delay, which is also what it falls back to
 * when the API cannot tell (unreachable, refused, too slow). Recorded under the same step name as
 * the fixed delay: either is "the propagation wait" in the marker.
 */
public final class EndpointsWait implements ShutdownStep {
    private static final Logger log = LoggerFactory.getLogger("propagation");
    static final Duration PREPARE_BOUND = Duration.ofSeconds(10);

    private final Duration cap;
    private final Propagation config;
    private final String namespace;
    private final String podUid;
    private final HttpClients http;
    private final ServiceAccount account;
    private final PropagationReport report;
    private final Clock clock;
    private final CompletableFuture<KubeApi> prepared = new CompletableFuture<>();
    private final CountDownLatch never = new CountDownLatch(1);

    public EndpointsWait(Duration cap, Propagation config, String namespace, String podUid, HttpClients http,
                         PropagationReport report, Clock clock) {
        this.cap = cap;
        this.config = config;
        this.namespace = namespace;
        this.podUid = podUid;
        this.http = http;
        this.account = new ServiceAccount(config.serviceAccountDir());
        this.report = report;
        this.clock = clock;
    }

    /**
     * Reads the CA bundle and warms the client up in the background, sending nothing: the first
     * request after T0 then costs a round trip, not a cold start. A problem found now is logged
     * now, long before a shutdown would fall back because of it.
     */
    public void prepare() {
        Thread t = new Thread(() -> {
            try {
                KubeApi api = new KubeApi(http.boundedAsync(PREPARE_BOUND).join(), account, config.apiBase());
                api.warmUp();
                prepared.complete(api);
            } catch (ServiceAccount.Problem | java.io.IOException | RuntimeException e) {
                log.warn("propagation: {}; a shutdown now would fall back to the fixed delay", e.getMessage());
                prepared.completeExceptionally(e);
            }
        }, "kube-prepare");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public String name() { return PropagationDelay.NAME; }

    @Override
    public String run(StepContext ctx) throws InterruptedException {
        Duration sinceT0 = Duration.between(ctx.firstTriggerAt(), clock.now());
        Duration capLeft = cap.minus(sinceT0.isNegative() ? Duration.ZERO : sinceT0);
        if (capLeft.isNegative() || capLeft.isZero()) {
            return "cap of " + cap.toMillis() + " ms already over (" + sinceT0.toMillis() + " ms since T0)";
        }
        Deadline until = ctx.budget().capped(capLeft, Var.DRAIN_DELAY.envName());
        report.record("endpoints", "watching EndpointSlices", Optional.empty());
        PodRemoval.Outcome outcome;
        try {
            String ns = namespace.isEmpty() ? account.namespace() : namespace;
            outcome = new PodRemoval(api(until), ns, podUid, clock).observe(until);
        } catch (ServiceAccount.Problem p) {
            outcome = new PodRemoval.Fallback(p.getMessage(), "see above");
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            outcome = new PodRemoval.Fallback("the HTTP client was not ready (" + e.getCause() + ")",
                    "report this as a bug with the log");
        } catch (RuntimeException e) {
            // Whatever broke in the client, the pod still gets the fixed delay, never less.
            outcome = new PodRemoval.Fallback("the API client failed (" + e + ")", "report this as a bug with the log");
        }
        if (outcome instanceof PodRemoval.Seen seen) {
            long observed = Duration.between(ctx.firstTriggerAt(), clock.now()).toMillis()
                    - clock.millisSince(seen.atNanos());
            ctx.figure(Figure.PROPAGATION_OBSERVED_MS, observed);
            Deadline end = until.capped(config.margin().minusNanos(clock.nanoTime() - seen.atNanos()),
                    Var.PROPAGATION_MARGIN.envName());
            end.await(never);
            String what = seen.how() + " " + observed + " ms after T0; then the margin "
                    + config.margin().toMillis() + " ms" + (end != until ? ""
                    : ", cut at " + end.name());
            report.record("endpoints", what, Optional.of(observed));
            return "endpoints: " + what;
        }
        if (outcome instanceof PodRemoval.Fallback f) {
            log.warn("propagation: {}; falling back to the fixed delay {}={} ms from T0; fix: {}",
                    f.reason(), Var.DRAIN_DELAY.envName(), cap.toMillis(), f.fix());
            until.await(never);
            report.record("delay", "fallback: " + f.reason(), Optional.empty());
            return "fell back to the fixed delay of " + cap.toMillis() + " ms from T0: " + f.reason();
        }
        String waiting = ((PodRemoval.Capped) outcome).waitingFor();
        log.warn("propagation: the pod was still in rotation at the cap {}={} ms from T0: {}",
                Var.DRAIN_DELAY.envName(), cap.toMillis(), waiting);
        report.record("endpoints", "cap reached: " + waiting, Optional.empty());
        return "endpoints: cap of " + cap.toMillis() + " ms from T0 reached, " + waiting;
    }

    /** The client prepared at startup, or one built now (the CA bundle may have appeared since). */
    private KubeApi api(Deadline until) throws ServiceAccount.Problem {
        if (prepared.isDone() && !prepared.isCompletedExceptionally()) return prepared.join();
        return new KubeApi(http.boundedAsync(until.remaining()).join(), account, config.apiBase());
    }
}
