package dev.gracekeeper.app;

import dev.gracekeeper.lifecycle.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the app's connection count is known: after a walk that failed it is not, and looks retry
 * the walk, backing off from {@link #RETRY_FIRST} to {@link #RETRY_MAX}. The first failure and the
 * recovery are logged once each. Not thread-safe, its owner guards it.
 */
final class UnknownCount {
    private static final Logger log = LoggerFactory.getLogger("connections");
    static final Duration RETRY_FIRST = Duration.ofMillis(5);
    static final Duration RETRY_MAX = Duration.ofSeconds(1);

    private final Clock clock;
    private String problem;                         // why the count is unknown; null while known
    private Instant since;
    private long retryAt;
    private long retryDelay = RETRY_FIRST.toNanos();
    private long failures;

    UnknownCount(Clock clock) {
        this.clock = clock;
    }

    /** Why the count is unknown while a retry is not yet due; empty when a walk may be tried. */
    Optional<String> retryNotDue(long now) {
        return problem != null && now - retryAt < 0 ? Optional.of(problem) : Optional.empty();
    }

    /** A walk succeeded: the count is known again. */
    void known() {
        if (problem != null) {
            log.info("the app's connections can be read again, after {} unknown ({})",
                    Duration.between(since, clock.now()), problem);
        }
        problem = null;
        retryDelay = RETRY_FIRST.toNanos();
    }

    /** A walk failed; returns why the count is now unknown. */
    String failed(Exception e) {
        failures++;
        if (problem == null) {
            since = clock.now();
            log.warn("cannot read the app's connections ({}): the count is unknown, so no wait ends on it;"
                    + " retrying, at most every {} ms", e.getMessage(), RETRY_MAX.toMillis());
        }
        problem = "cannot read /proc/net/tcp: " + e.getMessage();
        retryAt = clock.nanoTime() + retryDelay;
        retryDelay = Math.min(RETRY_MAX.toNanos(), retryDelay * 2);
        return problem;
    }

    Optional<String> why() { return Optional.ofNullable(problem); }

    Optional<Instant> since() { return problem == null ? Optional.empty() : Optional.of(since); }

    long failures() { return failures; }
}
