package dev.gracekeeper.kube;

import dev.gracekeeper.lifecycle.Clock;
import dev.gracekeeper.lifecycle.Deadline;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the pod leave its Services: one LIST of the namespace's EndpointSlices finds those that
 * list the pod, then one WATCH of its Services' slices from the LIST's resourceVersion runs until
 * none lists the pod ready. 410 Gone is answered by a fresh LIST, a cut stream by a reconnect with
 * backoff, a refused token by one retry with the token read again; all before {@code cap}.
 */
public final class PodRemoval {
    private static final Logger log = LoggerFactory.getLogger("propagation");
    static final Duration LIST_BOUND = Duration.ofSeconds(5);
    static final Duration BACKOFF_MIN = Duration.ofMillis(100);
    /** Never opened: a backoff is a bounded wait on the injected clock's deadline, nothing wakes it early. */
    private static final CountDownLatch NEVER = new CountDownLatch(1);
    static final Duration BACKOFF_MAX = Duration.ofMillis(1600);
    /** A request with less than this left of the cap can only time out: none is started. */
    static final Duration MIN_CALL = Duration.ofMillis(50);

    /** How the watch ended. */
    public sealed interface Outcome permits Seen, Fallback, Capped {}

    /** The pod is out of rotation, seen at {@code atNanos} on the clock. */
    public record Seen(long atNanos, String how) implements Outcome {}

    /** The API cannot tell: {@code reason} says which, {@code fix} how to mend it. */
    public record Fallback(String reason, String fix) implements Outcome {}

    /** The cap came first; {@code waitingFor} names the slices that still listed the pod ready. */
    public record Capped(String waitingFor) implements Outcome {}

    private final KubeApi api;
    private final String ns;
    private final String podUid;
    private final Clock clock;

    public PodRemoval(KubeApi api, String namespace, String podUid, Clock clock) {
        this.api = api;
        this.ns = namespace;
        this.podUid = podUid;
        this.clock = clock;
    }

    public Outcome observe(Deadline cap) throws InterruptedException {
        SliceTracker tracker = new SliceTracker(podUid);
        boolean needList = true;
        int refusedTokens = 0;
        int gone = 0;
        Duration backoff = BACKOFF_MIN;
        ApiFailure last = null;
        while (cap.remaining().compareTo(MIN_CALL) >= 0) {
            try {
                if (needList) {
                    api.listSlices(ns, min(cap.remaining(), LIST_BOUND), tracker::listPage);
                    tracker.listDone();
                    needList = false;
                    if (tracker.inNoService()) return new Seen(clock.nanoTime(), "the pod is in no Service");
                    log.info("the pod is listed in EndpointSlices of {} at resourceVersion {}; watching them",
                            tracker.services(), tracker.resourceVersion());
                }
                if (tracker.outOfRotation()) return seen(tracker);
                try (KubeApi.Watch w = api.watchSlices(ns, tracker.labelSelector(), tracker.resourceVersion(),
                        cap.remaining())) {
                    refusedTokens = 0;
                    last = null;
                    for (Map<String, Object> e = w.next(); e != null; e = w.next()) {
                        backoff = BACKOFF_MIN;                      // the stream works: a cut later starts over
                        gone = 0;
                        tracker.apply(Api.str(e, "type"), Api.obj(e, "object"));
                        if (tracker.outOfRotation()) return seen(tracker);
                    }
                }
                if (cap.expired()) break;
                log.info("the watch ended; reconnecting in {} ms from resourceVersion {}", backoff.toMillis(),
                        tracker.resourceVersion());
            } catch (ServiceAccount.Problem p) {
                return new Fallback(p.getMessage(), "see the problem above");
            } catch (ApiFailure f) {
                if (cap.expired()) {
                    // A LIST still unanswered at the cap is a fallback; a watch open until the cap is not.
                    if (needList) last = f;
                    break;
                }
                switch (f.kind()) {
                    case GONE:
                        log.info("{} for resourceVersion {}: listing afresh", f.getMessage(), tracker.resourceVersion());
                        needList = true;
                        // At once the first time, as informers do; a server that keeps answering 410
                        // to fresh resourceVersions gets the backoff instead of a request loop.
                        if (++gone == 1) continue;
                        break;
                    case FORBIDDEN:
                    case TLS:
                        return new Fallback(f.getMessage(), f.fix(ns));
                    case UNAUTHORIZED:
                        // A rotated token: the next request reads the file again. Twice refused is not rotation.
                        if (++refusedTokens >= 2) return new Fallback(f.getMessage(), f.fix(ns));
                        break;
                    default:
                        break;
                }
                if (last == null) log.info("{}; retrying with backoff until the cap", f.getMessage());
                else log.debug("{}; retrying in {} ms", f.getMessage(), backoff.toMillis());
                last = f;
            }
            // A short last stretch is waited out below.
            Deadline.after(clock, min(backoff, cap.remaining()), "reconnect backoff").await(NEVER);
            backoff = min(backoff.multipliedBy(2), BACKOFF_MAX);
        }
        if (last != null) return new Fallback(last.getMessage(), last.fix(ns));
        return new Capped("still listed ready in " + (needList ? "(no LIST answered)" : tracker.stillListing()));
    }

    private Seen seen(SliceTracker t) {
        return new Seen(clock.nanoTime(), "EndpointSlices of " + t.services() + " no longer list the pod ready");
    }

    private static Duration min(Duration a, Duration b) { return a.compareTo(b) <= 0 ? a : b; }
}
