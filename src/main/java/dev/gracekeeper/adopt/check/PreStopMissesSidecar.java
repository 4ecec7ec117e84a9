package dev.gracekeeper.adopt.check;

import dev.gracekeeper.adopt.Handlers;
import dev.gracekeeper.adopt.PodView;
import dev.gracekeeper.adopt.Tree;
import dev.gracekeeper.config.Var;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The app's preStop must reach the sidecar's /shutdown: by port number (the kubelet resolves a
 * named port in the hook's own container, not the sidecar's), with the token when one is set.
 */
final class PreStopMissesSidecar extends Rule {
    static final String HEADER = "X-Gracekeeper-Token";

    PreStopMissesSidecar() {
        super("GK03", "prestop-misses-sidecar", Severity.ERROR, "The app's preStop does not reach the sidecar's"
                + " /shutdown: no httpGet, another port, a named port, another path, or no token header.");
    }

    @Override
    void check(CheckedPod pod, List<Finding> out) {
        String want = "preStop.httpGet {path: /shutdown, port: " + pod.port + "}";
        for (Map<String, Object> app : pod.apps()) {
            Map<String, Object> preStop = Tree.child(Tree.child(app, "lifecycle"), "preStop");
            Map<String, Object> get = Handlers.httpGet(preStop);
            if (get == null) {
                report(out, pod, app, "lifecycle.preStop", (preStop == null ? "no preStop" : "preStop is "
                        + Handlers.describe(preStop)) + ": the kubelet never calls the sidecar, the app gets SIGTERM"
                        + " with requests still on their way", "a " + want + " with header " + HEADER);
                continue;
            }
            Object port = get.get("port");
            OptionalInt resolved = PodView.port(app, port);
            if (!(port instanceof Number) && !String.valueOf(port).matches("[0-9]+")) {
                report(out, pod, app, "lifecycle.preStop.httpGet.port", "the named port '" + port + "' resolves"
                        + " among container " + pod.name(app) + "'s own ports, not the sidecar's" + (resolved.isPresent()
                        ? " (here to " + resolved.getAsInt() + ")" : " (here to none)"), "port: " + pod.port);
            } else if (resolved.orElse(-1) != pod.port) {
                report(out, pod, app, "lifecycle.preStop.httpGet.port", "port " + port
                        + " is not the sidecar's port " + pod.port, "port: " + pod.port);
            }
            if (!"/shutdown".equals(Tree.str(get, "path"))) {
                report(out, pod, app, "lifecycle.preStop.httpGet.path", "path " + Tree.str(get, "path")
                        + " is not the sidecar's /shutdown", "path: /shutdown");
            }
            if (Tree.str(get, "host") != null && !Tree.str(get, "host").isEmpty()) {
                report(out, pod, app, "lifecycle.preStop.httpGet.host", "host " + Tree.str(get, "host")
                        + " sends the hook away from the pod", "remove host (the kubelet then calls the pod IP)");
            }
            token(pod, app, get, out);
        }
    }

    private void token(CheckedPod pod, Map<String, Object> app, Map<String, Object> get, List<Finding> out) {
        String token = pod.env.get(Var.HOOK_TOKEN.envName());
        if (token == null || token.isBlank()) return;
        String sent = Handlers.header(get, HEADER);
        boolean literal = !PodView.PLACEHOLDER_TOKEN.equals(token);
        if (sent == null) {
            report(out, pod, app, "lifecycle.preStop.httpGet.httpHeaders", "no " + HEADER + " header, but "
                    + Var.HOOK_TOKEN.envName() + " is set: the sidecar answers 401 and the kubelet, which ignores"
                    + " status codes, goes on to SIGTERM", "add httpHeaders: [{name: " + HEADER + ", value: <the token>}]");
        } else if (literal && !token.trim().equals(sent)) {
            report(out, pod, app, "lifecycle.preStop.httpGet.httpHeaders", HEADER + " differs from "
                    + Var.HOOK_TOKEN.envName() + ": the sidecar answers 401", "send the same token in both places");
        }
    }
}
