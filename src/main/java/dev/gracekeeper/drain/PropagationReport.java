package dev.gracekeeper.drain;

import java.util.Optional;

/**
 * What the last propagation wait did, for {@code /status}: the mode configured, the mode actually
 * used (a fallback says why), and how long after T0 the control plane was seen to drop the pod.
 */
public final class PropagationReport {
    /** @param observedMs T0 to the EndpointSlice change, or empty when it was not seen */
    public record Last(String used, String detail, Optional<Long> observedMs) {}

    private final String configured;
    private volatile Last last;

    public PropagationReport(String configured) { this.configured = configured; }

    public String configured() { return configured; }

    /** Empty until a wait of this process has run (or started). */
    public Optional<Last> last() { return Optional.ofNullable(last); }

    void record(String used, String detail, Optional<Long> observedMs) {
        last = new Last(used, detail, observedMs);
    }
}
