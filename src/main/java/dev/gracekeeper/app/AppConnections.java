package dev.gracekeeper.app;

import dev.gracekeeper.lifecycle.Clock;
import dev.gracekeeper.os.ProcNetTcp;
import dev.gracekeeper.os.TcpStats;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The app's connections and listeners, as every periodic look of the sidecar sees them (idle wait,
 * restart watch, readiness, app gone), at a bounded cost. Walking the connection tables costs
 * milliseconds of kernel time however few sockets the pod has ({@link ProcNetTcp}); reading the
 * namespace's counters costs microseconds ({@link TcpStats}). So a look reads the counters and walks
 * only when they moved since the last walk, or when that walk is {@link #BACKSTOP} old (what the
 * counters cannot see: ESTABLISHED to CLOSE-WAIT). A pod whose own connections come and go makes
 * the counters move all the time, so walks draw on a budget of {@link #DUTY} of one core (their
 * thread's CPU time, which holds the kernel's share) with a burst of {@link #BURST}; a look that finds
 * it spent returns the last walk's counts, marked not fresh. Only {@link #lookFresh()}, the one look
 * a shutdown start needs, walks whatever the budget.
 *
 * <p>A walk that fails makes the count unknown, never zero: looks retry it, backing off from
 * {@link #RETRY_FIRST} to {@link #RETRY_MAX}, the first failure and the recovery are logged once, and
 * {@link #health()} shows the state for /status and /metrics.
 */
public final class AppConnections {
    private static final Logger log = LoggerFactory.getLogger("connections");
    static final Duration BACKSTOP = Duration.ofSeconds(5);
    static final double DUTY = 0.05;
    static final Duration BURST = Duration.ofMillis(200);
    static final Duration RETRY_FIRST = Duration.ofMillis(5);
    static final Duration RETRY_MAX = Duration.ofSeconds(1);

    private final List<Integer> ports;
    private final boolean[] portTable;
    private final ProcNetTcp table;
    private final TcpStats stats;
    private final Clock clock;
    private final LongSupplier cpuNanos;
    // All guarded by this.
    private ProcNetTcp.Counts counts;               // the last good walk; null before it or after a failed one
    private TcpStats.Signature walkedAt;            // the counters read just before that walk
    private long walkedAtNanos;
    private long tokens = BURST.toNanos();
    private long refilledAt;
    private String problem;                         // why the count is unknown; null while known
    private Instant unknownSince;
    private long retryAt;
    private long retryDelay = RETRY_FIRST.toNanos();
    private String gateProblem;
    private long looks;
    private long walks;
    private long failures;

    /** @param cpuNanos the calling thread's CPU time, what a walk is charged ({@link #threadCpuTime()}) */
    public AppConnections(List<Integer> ports, ProcNetTcp table, TcpStats stats, Clock clock, LongSupplier cpuNanos) {
        this.cpuNanos = cpuNanos;
        this.ports = List.copyOf(ports);
        this.portTable = ProcNetTcp.portTable(ports);
        this.table = table;
        this.stats = stats;
        this.clock = clock;
        this.refilledAt = clock.nanoTime();
    }

    /**
     * What a look saw. Empty counts: not known, and {@code why} says why. Not fresh: the last walk's
     * counts, the walk budget being spent; good for "still busy", never for "idle".
     */
    public record Look(Optional<ProcNetTcp.Counts> counts, boolean fresh, String why, boolean walked) {}

    /** The state for /status and /metrics. */
    public record Health(List<Integer> ports, Optional<Integer> established, Optional<String> unknownBecause,
                         Optional<Instant> unknownSince, Optional<String> countersUnreadable, long looks, long walks,
                         long failures) {}

    public List<Integer> ports() { return ports; }

    /** A periodic look: counters, and a walk if they moved and the budget allows. */
    public Look look() { return look(false); }

    /** A look that walks if the counters moved, whatever the budget: for the start of a shutdown. */
    public Look lookFresh() { return look(true); }

    private synchronized Look look(boolean mustWalk) {
        looks++;
        long now = clock.nanoTime();
        tokens = Math.min(BURST.toNanos(), tokens + (long) ((now - refilledAt) * DUTY));
        refilledAt = now;
        TcpStats.Signature sig = counters();
        boolean fresh = counts != null && sig != null && sig.equals(walkedAt) && now - walkedAtNanos < BACKSTOP.toNanos();
        if (fresh) return new Look(Optional.of(counts), true, "", false);
        if (problem != null && now - retryAt < 0) return new Look(Optional.empty(), false, problem, false);
        if (counts != null && tokens <= 0 && !mustWalk) {
            return new Look(Optional.of(counts), false, "walk budget spent", false);
        }
        long cpu = cpuNanos.getAsLong();
        try {
            counts = table.count(portTable);
            walkedAt = sig;
            walkedAtNanos = now;
            if (problem != null) {
                log.info("the app's connections can be read again, after {} unknown ({})",
                        Duration.between(unknownSince, clock.now()), problem);
            }
            problem = null;
            retryDelay = RETRY_FIRST.toNanos();
            return new Look(Optional.of(counts), true, "", true);
        } catch (IOException | RuntimeException e) {
            failures++;
            counts = null;
            if (problem == null) {
                unknownSince = clock.now();
                log.warn("cannot read the app's connections ({}): the count is unknown, so no wait ends on it;"
                        + " retrying, at most every {} ms", e.getMessage(), RETRY_MAX.toMillis());
            }
            problem = "cannot read /proc/net/tcp: " + e.getMessage();
            retryAt = clock.nanoTime() + retryDelay;
            retryDelay = Math.min(RETRY_MAX.toNanos(), retryDelay * 2);
            return new Look(Optional.empty(), false, problem, true);
        } finally {
            walks++;
            tokens -= cpuNanos.getAsLong() - cpu;
        }
    }

    /** The counters, or null when they cannot be read: then every look may walk, within the budget. */
    private TcpStats.Signature counters() {
        try {
            TcpStats.Signature s = stats.read();
            if (gateProblem != null) log.info("the TCP counters can be read again; walks resume only on change");
            gateProblem = null;
            return s;
        } catch (IOException | RuntimeException e) {
            if (gateProblem == null) {
                log.warn("cannot read the TCP counters ({}): walking the connection tables on every look instead,"
                        + " within {}% of the time", e.getMessage(), DUTY * 100);
            }
            gateProblem = e.getMessage();
            return null;
        }
    }

    /** The calling thread's CPU time, user and system; wall time where the JVM cannot tell. */
    public static LongSupplier threadCpuTime() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        return mx.isCurrentThreadCpuTimeSupported() ? mx::getCurrentThreadCpuTime : System::nanoTime;
    }

    public synchronized Health health() {
        return new Health(ports, counts == null ? Optional.empty() : Optional.of(counts.established()),
                Optional.ofNullable(problem), problem == null ? Optional.empty() : Optional.of(unknownSince),
                Optional.ofNullable(gateProblem), looks, walks, failures);
    }
}
