package dev.gracekeeper.app;

import dev.gracekeeper.lifecycle.Lifecycle;
import dev.gracekeeper.lifecycle.Phase;
import dev.gracekeeper.os.AppProcess;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Never stuck unready: after a finished shutdown, a new app instance (the container restarted
 * after a liveness failure) must bring readiness back even when no postStart hook is configured,
 * or its postStart was lost. A new instance is the app's ports going from closed to listening,
 * or a process with a new start time.
 */
public final class RestartWatcher implements Runnable {
    private static final Logger log = LoggerFactory.getLogger("app");
    public static final Duration PERIOD = Duration.ofMillis(250);

    private final Lifecycle lifecycle;
    private final AppProbe probe;
    private boolean sawGone;
    private Optional<AppProcess.Id> lastProcess = Optional.empty();

    public RestartWatcher(Lifecycle lifecycle, AppProbe probe) {
        this.lifecycle = lifecycle;
        this.probe = probe;
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
        Phase phase = lifecycle.snapshot().phase();
        if (phase == Phase.SERVING || phase == Phase.DRAINING) {
            sawGone = false;
            Optional<AppProcess.Id> now = probe.processId();
            if (now.isPresent()) lastProcess = now;
            return;
        }
        AppProbe.Presence presence = probe.presence();
        if (presence == AppProbe.Presence.GONE) {
            sawGone = true;
            return;
        }
        if (presence != AppProbe.Presence.PRESENT) return;
        Optional<AppProcess.Id> now = probe.processId();
        boolean newProcess = now.isPresent() && lastProcess.isPresent() && !now.equals(lastProcess);
        if (sawGone || newProcess) {
            String why = newProcess ? "a new app process " + now.get().pid() + " replaced " + lastProcess.get().pid()
                    : "the app is back after being gone";
            log.info("new app instance detected while {}: {}; starting a new generation", phase.label(), why);
            lifecycle.poststart(" (no hook: " + why + ")");
            sawGone = false;
            lastProcess = now;
        }
    }
}
