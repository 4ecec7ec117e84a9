package dev.gracekeeper.adopt.check;

import dev.gracekeeper.adopt.Tree;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The app has no business with the marker: mounted into it, the app can spoil the idempotency. */
final class StateDirShared extends Rule {
    StateDirShared() {
        super("GK07", "state-dir-shared", Severity.WARNING, "The state dir's volume is also mounted into another container.");
    }

    @Override
    void check(CheckedPod pod, List<Finding> out) {
        Map<String, Object> mount = StateDirNotEmptyDir.mount(pod);
        if (mount == null) return;
        String volume = Tree.str(mount, "name");
        List<Map<String, Object>> others = new ArrayList<>(pod.view.initContainers());
        others.addAll(pod.view.containers());
        for (Map<String, Object> c : others) {
            if (c == pod.sidecar) continue;
            if (Tree.maps(c, "volumeMounts").stream().anyMatch(m -> volume.equals(Tree.str(m, "name")))) {
                report(out, pod, c, "volumeMounts[" + volume + "]", "the sidecar's state volume is mounted here too",
                        "mount " + volume + " into the sidecar only");
            }
        }
    }
}
