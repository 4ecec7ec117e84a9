package dev.gracekeeper.adopt;

import java.util.List;
import java.util.Map;

/** Which user the sidecar runs as. */
final class Identity {
    private Identity() {}

    static boolean podNonRoot(Workload w) {
        return Boolean.TRUE.equals(Tree.child(w.spec(), "securityContext") == null ? null
                : Tree.child(w.spec(), "securityContext").get("runAsNonRoot"));
    }

    /**
     * A UID for the sidecar's securityContext, or null to inherit the pod's. A signal drain needs
     * the app's UID (the sidecar drops CAP_KILL); a pod that runs as root gets the image's user.
     */
    static Long sidecarUid(Workload w, Map<String, Object> app, boolean signal, List<String> notes) {
        Long podUid = uid(Tree.child(w.spec(), "securityContext"));
        Long appUid = uid(Tree.child(app, "securityContext"));
        Long mine = podUid;
        if (signal && appUid != null && !appUid.equals(podUid)) mine = appUid;
        if (signal && appUid == null && podUid == null) {
            notes.add("WARNING: the signal drain needs the sidecar and the app to run as one UID, and neither the"
                    + " pod nor the app sets runAsUser: set securityContext.runAsUser on the pod");
        }
        if (mine != null && mine == 0) {
            if (signal) notes.add("WARNING: the app runs as root; the sidecar runs as " + SidecarContainer.IMAGE_UID
                    + " and cannot signal it without CAP_KILL");
            return SidecarContainer.IMAGE_UID;
        }
        return java.util.Objects.equals(mine, podUid) ? null : mine;
    }

    private static Long uid(Map<String, Object> sc) {
        return sc != null && sc.get("runAsUser") instanceof Number n ? n.longValue() : null;
    }
}
