package dev.gracekeeper.lifecycle;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where the sidecar stands with the current app generation. Legal transitions:
 *
 * <pre>
 *   SERVING     --poststart-->  SERVING      (a new app instance: generation + 1)
 *   SERVING     --trigger---->  DRAINING     (/shutdown, SIGTERM or SIGINT; first one wins)
 *   INTERRUPTED --trigger---->  DRAINING     (resumes on the original deadline, skips done steps)
 *   INTERRUPTED --poststart-->  SERVING      (the old app is gone: generation + 1)
 *   DRAINING    --finished--->  DRAINED
 *   DRAINED     --poststart-->  SERVING      (the app container restarted: generation + 1)
 * </pre>
 *
 * Readiness is 200 only in {@link #SERVING}.
 */
public enum Phase {
    /** The app generation is in rotation; readiness 200. */
    SERVING,
    /** A shutdown of the current generation is running; readiness 503. */
    DRAINING,
    /** The shutdown finished; readiness stays 503 until a new generation starts. */
    DRAINED,
    /** The marker shows a shutdown that an earlier sidecar process did not finish; readiness 503. */
    INTERRUPTED;

    public Set<Phase> next() {
        switch (this) {
            case SERVING: return EnumSet.of(SERVING, DRAINING);
            case INTERRUPTED: return EnumSet.of(DRAINING, SERVING);
            case DRAINING: return EnumSet.of(DRAINED);
            case DRAINED: return EnumSet.of(SERVING);
            default: throw new AssertionError(this);
        }
    }

    public boolean ready() { return this == SERVING; }

    public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
}
