package dev.gracekeeper.app;

import dev.gracekeeper.lifecycle.Lifecycle;
import dev.gracekeeper.lifecycle.Phase;
import dev.gracekeeper.os.AppProcess;
import dev.gracekeeper.os.ProcNetTcp;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Never stuck unready: after a finished shutdown, a new app instance (the container restarted
 * after a liveness failure) must bring readiness back even when no postStart hook is configured,
 * or its postStart was lost. The instance being drained is noted when the shutdown starts; a new
 * one is the app's ports going from closed to listening, new listening sockets on them (the old
 * instance was replaced between two looks), or a process with a new start time.
 */
public final class RestartWatcher implements Runnable {
    private static final Logger log = LoggerFactory.getLogger("app");
    public static final Duration PERIOD = Duration.ofMillis(250);
    /**
     * A pod's own connections coming and going move the counters a look reads; a new app instance
     * need not be seen within 250 ms, so the tables are walked at most this often for it.
     */
    static final Duration WALK_AT_MOST_EVERY = Duration.ofSeconds(2);

    private final Lifecycle lifecycle;
    private final AppProbe probe;
    private boolean sawGone;                                      // guarded by this
    private Optional<AppProcess.Id> drainedProcess = Optional.empty();
    private ProcNetTcp.Inodes drainedListeners = ProcNetTcp.Inodes.NONE;

    public RestartWatcher(Lifecycle lifecycle, AppProbe probe) {
        this.lifecycle = lifecycle;
        this.probe = probe;
    }

    /** Notes which app instance the shutdown that is starting drains. */
    public synchronized void shutdownStarted() {
        drainedProcess = probe.processId();
        AppProbe.Look look = probe.lookFresh();
        drainedListeners = look.listeners();
        sawGone = look.presence() == AppProbe.Presence.GONE;
    }

    @Override
    public void run() {
        try {
            tick();
        } catch (RuntimeException e) {
            log.error("restart watcher failed; will retry", e);
        }
    }

    void tick() {
        newInstance().ifPresent(this::startGeneration);
    }

    /** Whether a new app instance appeared after the drain: why, once; the watch then starts afresh. */
    synchronized Optional<String> newInstance() {
        Phase phase = lifecycle.snapshot().phase();
        if (phase != Phase.DRAINED && phase != Phase.INTERRUPTED) return Optional.empty();
        AppProbe.Look look = probe.look(WALK_AT_MOST_EVERY);
        if (look.presence() == AppProbe.Presence.GONE) {
            sawGone = true;
            return Optional.empty();
        }
        if (look.presence() != AppProbe.Presence.PRESENT) return Optional.empty();
        Optional<AppProcess.Id> now = probe.processId();
        ProcNetTcp.Inodes listeners = look.listeners();
        boolean newProcess = now.isPresent() && drainedProcess.isPresent() && !now.equals(drainedProcess);
        // New only if a socket appeared that the drained instance did not have: the drained app
        // closing one of several listeners is not a new instance.
        boolean newListeners = !drainedListeners.isEmpty() && listeners.hasAnyNotIn(drainedListeners);
        if (!sawGone && !newProcess && !newListeners) return Optional.empty();
        String why = newProcess ? "a new app process " + now.get().pid() + " replaced " + drainedProcess.get().pid()
                : newListeners ? "new listening sockets on the app ports" : "the app is back after being gone";
        log.info("new app instance detected while {}: {}; starting a new generation", phase.label(), why);
        sawGone = false;
        return Optional.of(why);
    }

    /**
     * Starts the next generation, waiting (on the watcher's thread) until the marker holds it. Not
     * under the watcher's lock: a shutdown resumed meanwhile makes the postStart wait for it, and that
     * shutdown's start notes the drained instance here ({@link #shutdownStarted}), under that lock.
     */
    void startGeneration(String why) {
        lifecycle.poststart(" (no hook: " + why + ")").join();
    }
}
