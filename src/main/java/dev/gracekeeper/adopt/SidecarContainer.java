package dev.gracekeeper.adopt;

import java.util.List;
import java.util.Map;

/** The gracekeeper container, in the shape the examples prove. */
final class SidecarContainer {
    static final String STATE_VOLUME = "gracekeeper-state";
    static final String STATE_DIR = "/var/run/gracekeeper";
    /** The image's own user (distroless nonroot), for pods that would otherwise run it as root. */
    static final long IMAGE_UID = 65532;

    private SidecarContainer() {}

    static Map<String, Object> volume() {
        return Tree.of("name", STATE_VOLUME, "emptyDir", Tree.of("medium", "Memory", "sizeLimit", "1Mi"));
    }

    /**
     * @param runAsUser     a UID to set on the container (the app's, for a signal drain), or null
     * @param runAsNonRoot  whether the container must say runAsNonRoot itself (the pod does not)
     */
    static Map<String, Object> build(String image, boolean nativeSidecar, int port, List<Object> env,
                                     Map<String, Object> readinessProbe, Long runAsUser, boolean runAsNonRoot,
                                     boolean endpointsMode) {
        Map<String, Object> healthz = Tree.of("path", "/healthz", "port", port);
        return Tree.of(
                "name", PodView.SIDECAR,
                "image", image,
                "restartPolicy", nativeSidecar ? "Always" : null,
                "ports", Tree.listOf(Tree.of("name", PodView.SIDECAR, "containerPort", port)),
                "env", env,
                "startupProbe", Tree.of("httpGet", healthz, "periodSeconds", 1, "failureThreshold", 30),
                "livenessProbe", Tree.of("httpGet", Tree.of("path", "/healthz", "port", port), "periodSeconds", 10,
                        "failureThreshold", 3),
                "readinessProbe", readinessProbe,
                // The image with a drain action: 63-65 MiB steady, 76 at its peak (bench/README.md); the
                // endpoints mode's client adds about 11 MiB.
                "resources", Tree.of("requests", Tree.of("cpu", "10m", "memory", endpointsMode ? "80Mi" : "68Mi"),
                        "limits", Tree.of("memory", endpointsMode ? "128Mi" : "112Mi")),
                "securityContext", Tree.of(
                        "runAsNonRoot", runAsNonRoot ? Boolean.TRUE : null,
                        "runAsUser", runAsUser,
                        "readOnlyRootFilesystem", true,
                        "allowPrivilegeEscalation", false,
                        "capabilities", Tree.of("drop", Tree.listOf("ALL"))),
                "volumeMounts", Tree.listOf(Tree.of("name", STATE_VOLUME, "mountPath", STATE_DIR)));
    }

    /** A hook to the sidecar: by port number (a name resolves only in the hook's own container), with the token. */
    static Map<String, Object> hook(String path, int port, String token) {
        return Tree.of("httpGet", Tree.of("path", path, "port", port, "httpHeaders",
                Tree.listOf(Tree.of("name", "X-Gracekeeper-Token", "value", token))));
    }
}
