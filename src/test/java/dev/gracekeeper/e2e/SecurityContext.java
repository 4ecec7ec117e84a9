package dev.gracekeeper.e2e;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A container's securityContext merged over its pod's, and its memory limit: what the bed applies.
 * podman applies all of it to an image; a container run as a process gets its user and
 * no-new-privileges (setpriv), so that a signal between containers needs the same UID, as in a pod.
 */
record SecurityContext(long runAsUser, long runAsGroup, boolean readOnlyRootFilesystem, boolean dropAllCapabilities,
                       boolean allowPrivilegeEscalation, Optional<String> memoryLimit) {

    /** What the examples set, for the given user: read-only root, no capabilities, no escalation, 128 MiB. */
    static SecurityContext restricted(long uid) {
        return new SecurityContext(uid, uid, true, true, false, Optional.of("128Mi"));
    }

    /** From a manifest: the container's fields where set, else the pod's; an unset user is an error here. */
    static SecurityContext of(PodSecurityContext pod, Container c) {
        io.fabric8.kubernetes.api.model.SecurityContext sc = c.getSecurityContext();
        Long user = sc != null && sc.getRunAsUser() != null ? sc.getRunAsUser() : pod == null ? null : pod.getRunAsUser();
        Long group = sc != null && sc.getRunAsGroup() != null ? sc.getRunAsGroup() : pod == null ? null : pod.getRunAsGroup();
        if (user == null) {
            throw new IllegalArgumentException("container " + c.getName() + ": no runAsUser in its or the pod's"
                    + " securityContext; the bed runs every container as a set user");
        }
        boolean drop = sc != null && sc.getCapabilities() != null && sc.getCapabilities().getDrop() != null
                && sc.getCapabilities().getDrop().contains("ALL");
        Quantity limit = c.getResources() == null || c.getResources().getLimits() == null ? null
                : c.getResources().getLimits().get("memory");
        return new SecurityContext(user, group == null ? user : group,
                sc != null && Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem()), drop,
                sc == null || !Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation()),
                Optional.ofNullable(limit).map(Quantity::toString));
    }

    /** podman run's flags for it; readOnlyRootFilesystem covers /tmp too, as in Kubernetes. */
    List<String> podmanFlags() {
        List<String> flags = new ArrayList<>(List.of("--user", runAsUser + ":" + runAsGroup));
        if (readOnlyRootFilesystem) flags.addAll(List.of("--read-only", "--read-only-tmpfs=false"));
        if (dropAllCapabilities) flags.add("--cap-drop=all");
        if (!allowPrivilegeEscalation) flags.addAll(List.of("--security-opt", "no-new-privileges"));
        memoryLimit.ifPresent(m -> flags.addAll(List.of("--memory", podmanMemory(m))));
        return flags;
    }

    /** The prefix that runs a process as this user, for a container that is not an image. */
    List<String> processPrefix() {
        List<String> prefix = new ArrayList<>(List.of("setpriv", "--reuid", Long.toString(runAsUser), "--regid",
                Long.toString(runAsGroup), "--clear-groups"));
        if (!allowPrivilegeEscalation) prefix.add("--no-new-privs");
        prefix.add("--");
        return prefix;
    }

    /** Kubernetes' binary suffixes as podman's: 128Mi is 128m. */
    private static String podmanMemory(String quantity) {
        for (String[] unit : new String[][] {{"Ki", "k"}, {"Mi", "m"}, {"Gi", "g"}}) {
            if (quantity.endsWith(unit[0])) return quantity.substring(0, quantity.length() - 2) + unit[1];
        }
        if (quantity.matches("[0-9]+")) return quantity;
        throw new IllegalArgumentException("memory limit " + quantity + ": the bed knows Ki, Mi, Gi or bytes");
    }
}
