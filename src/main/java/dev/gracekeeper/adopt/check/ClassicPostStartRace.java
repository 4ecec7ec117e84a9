package dev.gracekeeper.adopt.check;

import dev.gracekeeper.adopt.Handlers;
import dev.gracekeeper.adopt.PodView;
import dev.gracekeeper.adopt.Tree;
import java.util.List;
import java.util.Map;

/**
 * A classic sidecar is started, not awaited: the app's postStart can reach its port before it
 * listens, and the kubelet then kills the app (FailedPostStartHook).
 */
final class ClassicPostStartRace extends Rule {
    ClassicPostStartRace() {
        super("GK04", "classic-poststart-race", Severity.ERROR, "A classic sidecar and an app postStart to it:"
                + " the hook can run before the sidecar listens, and the app is killed.");
    }

    @Override
    void check(CheckedPod pod, List<Finding> out) {
        if (pod.nativeSidecar()) return;
        for (Map<String, Object> app : pod.view.apps()) {
            Map<String, Object> get = Handlers.httpGet(Tree.child(Tree.child(app, "lifecycle"), "postStart"));
            if (get == null) continue;
            boolean toSidecar = PodView.port(app, get.get("port")).orElse(-1) == pod.port
                    || "/poststart".equals(Tree.str(get, "path"));
            if (!toSidecar) continue;
            report(out, pod, app, "lifecycle.postStart", "calls the classic sidecar, which may not listen yet:"
                    + " a failed postStart makes the kubelet kill the app",
                    "make gracekeeper a native sidecar (initContainers, restartPolicy: Always, a startupProbe;"
                            + " `inject` does this), or remove the app's postStart");
        }
    }
}
