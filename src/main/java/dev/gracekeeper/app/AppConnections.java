package dev.gracekeeper.app;

import dev.gracekeeper.lifecycle.Clock;
import dev.gracekeeper.os.ProcNetTcp;
import dev.gracekeeper.os.TcpCloseEvents;
import dev.gracekeeper.os.TcpStats;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The app's connections and listeners, as every periodic look of the sidecar sees them (idle wait,
 * restart watch, readiness, app gone), at a bounded cost. Walking the connection tables costs
 * milliseconds of kernel time however few sockets the pod has ({@link ProcNetTcp}); reading the
 * namespace's counters costs microseconds ({@link TcpStats}). So a look reads the counters and walks
 * only when they moved since the last walk, or when that walk is {@link #BACKSTOP} old (what the
 * counters cannot see: ESTABLISHED to CLOSE-WAIT; {@link #LISTENERS_BACKSTOP} for looks at
 * listeners). A pod whose own connections come and go makes the counters move all the time, so
 * walks draw on a budget ({@link WalkBudget}); a look that finds
 * it spent returns the last walk's counts, marked not fresh. Only {@link #lookFresh()}, the one look
 * a shutdown start needs, walks whatever the budget.
 *
 * <p>A walk that fails makes the count unknown, never zero: looks retry it with a back-off
 * ({@link UnknownCount}), and {@link #health()} shows the state for /status and /metrics.
 */
public final class AppConnections {
    private static final Logger log = LoggerFactory.getLogger("connections");
    static final Duration BACKSTOP = Duration.ofSeconds(5);
    /**
     * The backstop of looks that only need the listeners (readiness, presence, the restart watch):
     * every listen() and every listener's close moves the counters, so only a listener replaced
     * between two looks, with nothing else moving, waits for this.
     */
    static final Duration LISTENERS_BACKSTOP = Duration.ofSeconds(30);
    /** Added to the departures the counters can prove, for the handshakes a walk and a read straddle. */
    static final int SLACK = 2;

    private final List<Integer> ports;
    private final boolean[] portTable;
    private final ProcNetTcp table;
    private final TcpStats stats;
    private final Clock clock;
    private final LongSupplier cpuNanos;
    private final CloseNotices closeNotices;
    // All guarded by this.
    private ProcNetTcp.Counts counts;               // the last good walk; null before it or after a failed one
    private TcpStats.Signature walkedAt;            // the counters read just before that walk
    private long walkedAtNanos;
    private Set<String> left;                       // the last wait's walk's connections, less those gone since
    private int appTables;                          // the tables that held an app socket at the last full walk
    private long appTablesAt;
    private boolean lastWalkPartial;
    private final WalkBudget budget;
    private final UnknownCount unknown;
    private String gateProblem;
    private long looks;
    private long walks;

    /** @param cpuNanos the calling thread's CPU time, what a walk is charged ({@link #threadCpuTime()}) */
    public AppConnections(List<Integer> ports, ProcNetTcp table, TcpStats stats, Clock clock, LongSupplier cpuNanos) {
        this(ports, table, stats, clock, cpuNanos, () -> TcpCloseEvents.open(List.copyOf(ports)));
    }

    public AppConnections(List<Integer> ports, ProcNetTcp table, TcpStats stats, Clock clock, LongSupplier cpuNanos,
                          CloseNotices.Opener opener) {
        this.closeNotices = new CloseNotices(opener);
        this.cpuNanos = cpuNanos;
        this.ports = List.copyOf(ports);
        this.portTable = ProcNetTcp.portTable(ports);
        this.table = table;
        this.stats = stats;
        this.clock = clock;
        this.budget = new WalkBudget(clock.nanoTime());
        this.unknown = new UnknownCount(clock);
    }

    /**
     * What a look saw. Empty counts: not known, and {@code why} says why. Not fresh: the last walk's
     * counts, kept because the walk budget is spent, the caller asked for fewer walks, or too few
     * connections can have gone to matter; good for "still busy", never for "idle".
     */
    public record Look(Optional<ProcNetTcp.Counts> counts, boolean fresh, String why, boolean walked) {}

    /** The state for /status and /metrics. */
    public record Health(List<Integer> ports, Optional<Integer> established, Optional<String> unknownBecause,
                         Optional<Instant> unknownSince, Optional<String> countersUnreadable, long looks, long walks,
                         long failures, Optional<String> closeEvents) {}

    public List<Integer> ports() { return ports; }

    /** The ports as a lookup table indexed by port, for {@link TcpCloseEvents#await}. */
    public boolean[] portTable() { return portTable.clone(); }

    /** The kernel's close notices for these ports, which the idle wait sleeps on. */
    public CloseNotices closeNotices() { return closeNotices; }

    /** A periodic look: counters, and a walk if they moved and the budget allows. */
    public Look look() { return look(false, Duration.ZERO, -1); }

    /** A look that walks at most this often, for a watch that can wait for its answer: the restart watch. */
    public Look look(Duration walkAtMostEvery) { return look(false, walkAtMostEvery, -1); }

    /**
     * A look for a wait that ends once no more than {@code exitAt} connections are left: it walks only
     * when the counters allow that many to have gone. Connections that come and go elsewhere in the
     * namespace then cost a walk only once enough of them add up, not on every look.
     */
    public Look lookUntil(int exitAt) { return look(false, Duration.ZERO, exitAt); }

    /** A look that walks if the counters moved, whatever the budget: for the start of a shutdown. */
    public Look lookFresh() { return look(true, Duration.ZERO, -1); }

    private synchronized Look look(boolean mustWalk, Duration walkAtMostEvery, int exitAt) {
        looks++;
        long now = clock.nanoTime();
        budget.refill(now);
        TcpStats.Signature sig = counters();
        long backstop = (exitAt >= 0 || mustWalk ? BACKSTOP : LISTENERS_BACKSTOP).toNanos();
        boolean listenersLook = exitAt < 0 && !mustWalk;
        boolean fresh = counts != null && sig != null && sig.equals(walkedAt) && now - walkedAtNanos < backstop
                && !(listenersLook && lastWalkPartial);
        if (fresh) return new Look(Optional.of(counts), true, "", false);
        if (exitAt >= 0 && left != null && left.size() <= exitAt && left.size() < counts.established()
                && nothingArrived(sig)) {
            return new Look(Optional.of(counts.withEstablished(List.copyOf(left))), true, "", false);
        }
        if (exitAt >= 0 && counts != null && sig != null && walkedAt != null && now - walkedAtNanos < BACKSTOP.toNanos()
                && departuresAtMost(sig) < counts.established() - exitAt) {
            return new Look(Optional.of(counts), false, "", false);
        }
        Optional<String> notDue = unknown.retryNotDue(now);
        if (notDue.isPresent()) return new Look(Optional.empty(), false, notDue.get(), false);
        if (counts != null && !mustWalk && (budget.spent() || now - walkedAtNanos < walkAtMostEvery.toNanos())) {
            return new Look(Optional.of(counts), false, "walk budget spent", false);
        }
        long cpu = cpuNanos.getAsLong();
        try {
            int tables = table.allTables();
            // A wait's walk reads only the tables the app's sockets are in. It gains sockets in another
            // table only through a new listener there: a shutdown start trusts the last full walk for
            // LISTENERS_BACKSTOP, as the listeners' looks do, and a wait walks every table once the last
            // full walk is BACKSTOP old.
            long sinceFull = now - appTablesAt;
            boolean partial = appTables != 0 && sinceFull < LISTENERS_BACKSTOP.toNanos()
                    && (mustWalk || exitAt >= 0 && sinceFull < BACKSTOP.toNanos());
            boolean keys = exitAt >= 0 || mustWalk;
            counts = table.count(portTable, partial ? appTables : tables, keys);
            left = keys ? new HashSet<>(counts.connections()) : null;
            // Two connections of one name cannot be told apart by the kernel's notices: walk instead.
            if (left != null && left.size() < counts.connections().size()) left = null;
            lastWalkPartial = partial;
            if (!partial) {
                appTables = counts.tablesWithPorts();
                appTablesAt = now;
            }
            walkedAt = sig;
            walkedAtNanos = now;
            unknown.known();
            return new Look(Optional.of(counts), true, "", true);
        } catch (IOException | RuntimeException e) {
            counts = null;
            left = null;
            return new Look(Optional.empty(), false, unknown.failed(e), true);
        } finally {
            walks++;
            // A shutdown start's walk is not charged: a run of hooks would otherwise leave the budget
            // so far below zero that the looks after it (the app gone, readiness) went stale for seconds.
            if (!mustWalk) budget.charge(cpuNanos.getAsLong() - cpu);
        }
    }

    /**
     * A connection of the last wait's walk that the kernel reports gone ({@link TcpCloseEvents}), as
     * {@link ProcNetTcp#key}: once enough are gone, and nothing can have arrived since that walk, the
     * wait knows it is over without another walk. A key that walk did not count changes nothing.
     */
    public synchronized void gone(String key) {
        if (left != null) left.remove(key);
    }

    /**
     * Whether no connection can have become ESTABLISHED since the last walk: no open of either kind
     * counted (a passive one is counted when the handshake completes), and none under way then.
     */
    private boolean nothingArrived(TcpStats.Signature sig) {
        return sig != null && walkedAt != null && counts.handshakes() == 0
                && sig.passiveOpens() == walkedAt.passiveOpens() && sig.activeOpens() == walkedAt.activeOpens();
    }

    /**
     * How many connections can have left ESTABLISHED since the last walk: each arrival (at most the
     * opens counted since, plus the handshakes under way then) raised CurrEstab by one, and each
     * departure lowered it by one (except ESTABLISHED to CLOSE-WAIT on Linux 6.10+, seen once the app
     * closes its end, or by the backstop walk).
     */
    private long departuresAtMost(TcpStats.Signature sig) {
        long opens = sig.activeOpens() + sig.passiveOpens() - walkedAt.activeOpens() - walkedAt.passiveOpens();
        return opens + counts.handshakes() + SLACK - (sig.currEstab() - walkedAt.currEstab());
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
                        + " within {}% of the time", e.getMessage(), WalkBudget.DUTY * 100);
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
                unknown.why(), unknown.since(), Optional.ofNullable(gateProblem), looks, walks, unknown.failures(),
                closeNotices.state());
    }
}
