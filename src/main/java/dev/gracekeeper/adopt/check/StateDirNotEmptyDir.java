package dev.gracekeeper.adopt.check;

import dev.gracekeeper.adopt.Tree;
import dev.gracekeeper.config.Var;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The marker must survive a sidecar restart and only the pod's life: an emptyDir mounted into the sidecar. */
final class StateDirNotEmptyDir extends Rule {
    StateDirNotEmptyDir() {
        super("GK06", "state-dir-not-emptydir", Severity.ERROR,
                "GRACEKEEPER_STATE_DIR is on no volume, or on one that is not an emptyDir.");
    }

    /** The sidecar's mount that holds the state dir, or null. */
    static Map<String, Object> mount(CheckedPod pod) {
        Path dir = Path.of(pod.envOr(Var.STATE_DIR));
        for (Map<String, Object> m : Tree.maps(pod.sidecar, "volumeMounts")) {
            String at = Tree.str(m, "mountPath");
            if (at != null && dir.startsWith(Path.of(at))) return m;
        }
        return null;
    }

    static Map<String, Object> volume(CheckedPod pod, String name) {
        return Tree.maps(pod.view.workload.spec(), "volumes").stream().filter(v -> name.equals(Tree.str(v, "name")))
                .findFirst().orElse(null);
    }

    @Override
    void check(CheckedPod pod, List<Finding> out) {
        if (pod.unresolved.contains(Var.STATE_DIR.envName())) return;
        String dir = pod.envOr(Var.STATE_DIR);
        Map<String, Object> mount = mount(pod);
        String fix = "mount an emptyDir (medium: Memory) at " + dir + " in the sidecar only";
        if (mount == null) {
            report(out, pod, pod.sidecar, "volumeMounts", Var.STATE_DIR.envName() + " " + dir + " is on no volume:"
                    + " the sidecar does not start (it never creates it), or a restart loses the marker", fix);
            return;
        }
        Map<String, Object> volume = volume(pod, Tree.str(mount, "name"));
        if (volume == null || Tree.child(volume, "emptyDir") == null) {
            report(out, pod, null, "volumes[" + Tree.str(mount, "name") + "]", "the state dir's volume is "
                    + (volume == null ? "not declared" : "not an emptyDir") + ": the marker must live exactly as"
                    + " long as the pod", fix);
        }
        if (Boolean.TRUE.equals(mount.get("readOnly"))) {
            report(out, pod, pod.sidecar, "volumeMounts[" + Tree.str(mount, "name") + "].readOnly",
                    "the state dir is read-only: no marker can be written", "remove readOnly");
        }
    }
}
