package dev.gracekeeper.lifecycle;

import java.util.Locale;

/** A number a step records about the shutdown; shown in /status under its key, some in /metrics. */
public enum Figure {
    /** App connections open when the idle wait began. */
    CONNECTIONS_AT_DRAIN_START,
    /** App connections still open when the idle wait ended, if the count was known. */
    CONNECTIONS_LEFT,
    /** How long after T0 the EndpointSlices showed the pod gone or not ready. */
    PROPAGATION_OBSERVED_MS,
    /** The status code of the app's drain endpoint. */
    APP_DRAIN_HTTP_STATUS,
    /** The pid the drain signal went to. */
    APP_DRAIN_SIGNAL_PID;

    /** e.g. {@code connections_at_drain_start}. */
    public String key() { return name().toLowerCase(Locale.ROOT); }
}
