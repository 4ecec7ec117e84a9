package dev.gracekeeper.config;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole configuration, parsed once at startup from the environment and never changed.
 *
 * @param bindAddress empty means all interfaces
 * @param effective   each variable's effective value as text, secrets masked, for the startup log
 */
public record Config(
        int port,
        Optional<InetAddress> bindAddress,
        Path stateDir,
        Optional<Secret> hookToken,
        List<Cidr> hookAllowFrom,
        HookAuth hookAuth,
        Budget budget,
        AppConfig app,
        Path terminationMessagePath,
        Pod pod,
        Map<Var, String> effective,
        Propagation propagation) {

    public Config {
        hookAllowFrom = List.copyOf(hookAllowFrom);
        effective = Map.copyOf(effective);
    }

    public enum HookAuth { AUTO, NONE }

    public Duration drainDelay() { return budget.drainDelay(); }

    /** Downward-API identity of the pod; fields are empty when not provided. */
    public record Pod(String name, String namespace, String uid) {
        public String describe() {
            if (name.isEmpty()) return "(pod unknown)";
            return (namespace.isEmpty() ? "" : namespace + "/") + name;
        }
    }

    /**
     * Whether a missing termination-message file may be created: yes for a path the user chose;
     * no for the default {@code /dev/termination-log}, which the kubelet creates itself (outside
     * Kubernetes, creating it would litter the host's /dev).
     */
    public boolean terminationMessageMayBeCreated() {
        return !terminationMessagePath.toString().equals(Var.TERMINATION_MESSAGE_PATH.defaultValue());
    }

    /** True when the hook port can be reached from outside the pod's loopback. */
    public boolean reachableBeyondLoopback() {
        return bindAddress.map(a -> !a.isLoopbackAddress()).orElse(true);
    }
}
