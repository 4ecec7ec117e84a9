package dev.gracekeeper.config;

import java.nio.file.Path;
import java.time.Duration;

/** The propagation wait's mode and, for the endpoints mode, how to reach the API server. */
final class PropagationParser {
    private PropagationParser() {}

    static Propagation parse(EnvReader r, Budget budget, Config.Pod pod) {
        Propagation.Mode mode;
        switch (r.raw(Var.PROPAGATION)) {
            case "delay": mode = Propagation.Mode.DELAY; break;
            case "endpoints": mode = Propagation.Mode.ENDPOINTS; break;
            default:
                r.problem(Var.PROPAGATION, "is not a known mode");
                mode = Propagation.Mode.DELAY;
        }
        Duration margin = r.duration(Var.PROPAGATION_MARGIN, Duration.ZERO, ConfigParser.MAX_DRAIN_DELAY);
        Path dir = Path.of(r.raw(Var.SERVICEACCOUNT_DIR));
        if (!dir.isAbsolute()) r.problem(Var.SERVICEACCOUNT_DIR, "is not an absolute path");
        String host = r.raw(Var.KUBERNETES_SERVICE_HOST);
        String portText = r.raw(Var.KUBERNETES_SERVICE_PORT);
        int apiPort = 0;
        if (portText.matches("[0-9]{1,5}") && Integer.parseInt(portText) >= 1 && Integer.parseInt(portText) <= 65535) {
            apiPort = Integer.parseInt(portText);
        } else {
            r.problem(Var.KUBERNETES_SERVICE_PORT, "is not a port number");
        }
        if (mode == Propagation.Mode.ENDPOINTS) {
            if (!r.anyRefused(Var.PROPAGATION_MARGIN, Var.DRAIN_DELAY)
                    && margin.compareTo(budget.drainDelay()) > 0) {
                r.add(Var.PROPAGATION_MARGIN.envName() + " " + Durations.format(margin) + " is longer than its"
                        + " cap " + Var.DRAIN_DELAY.envName() + " " + Durations.format(budget.drainDelay())
                        + ", so the endpoints could never end the wait early; valid: a margin of at most "
                        + Durations.format(budget.drainDelay()) + ", or a longer " + Var.DRAIN_DELAY.envName());
            }
            if (pod.uid().isEmpty()) {
                r.add(Var.PROPAGATION.envName() + "=endpoints needs " + Var.POD_UID.envName() + " to find the"
                        + " pod in its EndpointSlices; valid: add to the sidecar's env: {name: POD_UID, valueFrom:"
                        + " {fieldRef: {fieldPath: metadata.uid}}}");
            }
            if (host.isEmpty()) {
                r.add(Var.PROPAGATION.envName() + "=endpoints needs " + Var.KUBERNETES_SERVICE_HOST.envName()
                        + ", which the kubelet sets in every container of a pod; valid: run in a pod, or set it to"
                        + " the API server's address");
            }
        }
        return new Propagation(mode, margin, dir, host, apiPort);
    }
}
