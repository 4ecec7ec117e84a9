package dev.gracekeeper.config;

import dev.gracekeeper.os.ProcessSelector;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the sidecar knows of the app container: how to tell it to drain, how to find it, how to
 * see that it is idle or ready.
 */
public record AppConfig(Optional<URI> drainUrl, String drainMethod, Optional<String> drainSignal,
                        Optional<ProcessSelector> process, List<Integer> ports, Optional<URI> readyUrl,
                        Duration poststartTimeout, boolean poststartFailOnTimeout, int drainExitAtConnections) {
    public AppConfig {
        ports = List.copyOf(ports);
    }

    /** Whether a configured feature calls native POSIX (kill): only the drain signal does. */
    public boolean needsNativePosix() {
        return drainSignal.isPresent();
    }

    /** Whether a configured feature calls the app over HTTP at all (the drain URL, the ready URL). */
    public boolean callsAppOverHttp() {
        return drainUrl.isPresent() || readyUrl.isPresent();
    }

    /** Whether a URL the sidecar calls is https: only then does its HTTP client need TLS. */
    public boolean callsAppOverTls() {
        return drainUrl.map(u -> "https".equals(u.getScheme())).orElse(false)
                || readyUrl.map(u -> "https".equals(u.getScheme())).orElse(false);
    }
}
