package dev.gracekeeper.adopt.check;

import dev.gracekeeper.config.ConfigException;
import dev.gracekeeper.config.ConfigParser;
import dev.gracekeeper.config.Var;
import java.util.LinkedHashMap;
import java.util.List;
import dev.gracekeeper.adopt.PodView;
import java.util.Map;

/** The sidecar's own parser reads the env as the kubelet would pass it: what it refuses, the pod never runs. */
final class SidecarConfigRejected extends Rule {
    private static final java.util.regex.Pattern VAR = java.util.regex.Pattern.compile("(GRACEKEEPER|POD)_[A-Z_]+");

    SidecarConfigRejected() {
        super("GK11", "sidecar-config-rejected", Severity.ERROR,
                "The sidecar's env is one its parser refuses: the sidecar would exit 2 at startup.");
    }

    @Override
    void check(CheckedPod pod, List<Finding> out) {
        Map<String, String> env = new LinkedHashMap<>(pod.env);
        PodView.KUBELET_ENV.forEach(env::putIfAbsent);
        try {
            ConfigParser.parse(env);
        } catch (ConfigException e) {
            for (String p : e.problems()) {
                // The budget arithmetic is GK02's, with the pod's grace period.
                if (p.startsWith(Var.DRAIN_DELAY.envName() + " ") || p.startsWith(Var.STOP_RESERVE.envName() + " ")) continue;
                String line = p.lines().findFirst().orElse(p);
                int valid = line.lastIndexOf("; valid: ");
                java.util.regex.Matcher var = VAR.matcher(line);
                report(out, pod, pod.sidecar, var.lookingAt() ? "env[" + var.group() + "]" : "env", valid < 0 ? line : line.substring(0, valid),
                        valid < 0 ? "see the README's configuration table" : line.substring(valid + "; valid: ".length()));
            }
        }
    }
}
