package dev.gracekeeper.adopt.check;

import dev.gracekeeper.adopt.Handlers;
import dev.gracekeeper.adopt.PodView;
import dev.gracekeeper.adopt.Tree;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Something must take the pod out of rotation when a shutdown starts: a readinessProbe on the
 * sidecar's /readyz, on the app or on the sidecar itself (a pod is ready only if all its
 * containers are).
 */
final class ReadinessIgnoresShutdown extends Rule {
    ReadinessIgnoresShutdown() {
        super("GK08", "readiness-ignores-shutdown", Severity.ERROR,
                "No readinessProbe asks the sidecar's /readyz, so the pod stays in rotation while it shuts down.");
    }

    @Override
    void check(CheckedPod pod, List<Finding> out) {
        List<Map<String, Object>> all = new ArrayList<>(pod.view.containers());
        all.add(pod.sidecar);
        for (Map<String, Object> c : all) {
            Map<String, Object> get = Handlers.httpGet(Tree.child(c, "readinessProbe"));
            if (get != null && "/readyz".equals(Tree.str(get, "path"))
                    && PodView.port(c, get.get("port")).orElse(-1) == pod.port) {
                return;
            }
        }
        for (Map<String, Object> app : pod.apps()) {
            Map<String, Object> probe = Tree.child(app, "readinessProbe");
            report(out, pod, app, "readinessProbe", (probe == null ? "none" : Handlers.describe(probe))
                    + ": readiness never turns 503 when a shutdown starts, so traffic keeps coming until the app stops",
                    "probe httpGet {path: /readyz, port: " + pod.port + "} (an httpGet probe's URL moves to"
                            + " GRACEKEEPER_APP_READY_URL), or give the sidecar that readinessProbe");
        }
    }
}
