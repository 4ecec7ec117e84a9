package dev.gracekeeper.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How the propagation wait ends: after the fixed delay, or when the pod's EndpointSlices say it is
 * out of rotation (then the delay is the cap and the fallback).
 *
 * @param margin            with ENDPOINTS, waited after the slices changed, for the data plane
 * @param serviceAccountDir where the token, CA bundle and namespace files are
 * @param apiHost           KUBERNETES_SERVICE_HOST; empty in DELAY mode when unset
 */
public record Propagation(Mode mode, Duration margin, Path serviceAccountDir, String apiHost, int apiPort) {
    public enum Mode {
        DELAY, ENDPOINTS;

        public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    /** The API server's base URL, an IPv6 literal in brackets. */
    public String apiBase() {
        String host = apiHost.contains(":") && !apiHost.startsWith("[") ? "[" + apiHost + "]" : apiHost;
        return "https://" + host + ":" + apiPort;
    }
}
