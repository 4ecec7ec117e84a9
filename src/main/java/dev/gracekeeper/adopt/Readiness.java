package dev.gracekeeper.adopt;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How the pod's readiness comes to reflect a shutdown without losing the app's own readiness.
 * <ul>
 *   <li>no readinessProbe: the app gets one on the sidecar's {@code /readyz};
 *   <li>an httpGet probe on the pod's loopback (plain HTTP, no host, no headers): its URL moves to
 *       {@code GRACEKEEPER_APP_READY_URL} and the probe points at {@code /readyz}, which includes it;
 *   <li>anything else (exec, tcpSocket, grpc, HTTPS, a host or headers): the app keeps its probe
 *       as it is, and the sidecar gets a readinessProbe on {@code /readyz}. A pod is ready only
 *       when every container is, so it leaves rotation when a shutdown starts all the same.
 * </ul>
 *
 * @param readyUrl     the value for GRACEKEEPER_APP_READY_URL when the app's probe moves
 * @param sidecarProbe the readinessProbe for the sidecar when the app keeps its own
 */
record Readiness(boolean addToApp, Optional<String> readyUrl, Optional<Map<String, Object>> sidecarProbe,
                 String note) {

    static Map<String, Object> readyz(int port) {
        return Tree.of("httpGet", Tree.of("path", "/readyz", "port", port), "periodSeconds", 2);
    }

    static Readiness plan(Map<String, Object> app, int sidecarPort) {
        Map<String, Object> probe = Tree.child(app, "readinessProbe");
        if (probe == null) {
            return new Readiness(true, Optional.empty(), Optional.empty(), "readinessProbe on the sidecar's /readyz");
        }
        Map<String, Object> get = Handlers.httpGet(probe);
        OptionalInt port = get == null ? OptionalInt.empty() : PodView.port(app, get.get("port"));
        String scheme = get == null ? null : Tree.str(get, "scheme");
        boolean movable = get != null && port.isPresent() && get.get("host") == null
                && Tree.maps(get, "httpHeaders").isEmpty() && (scheme == null || scheme.equalsIgnoreCase("HTTP"));
        if (!movable) {
            return new Readiness(false, Optional.empty(), Optional.of(readyz(sidecarPort)), "the app keeps its "
                    + Handlers.describe(probe) + " readinessProbe, the sidecar has one on /readyz");
        }
        String path = Tree.str(get, "path") == null ? "/" : Tree.str(get, "path");
        String url = "http://127.0.0.1:" + port.getAsInt() + (path.startsWith("/") ? path : "/" + path);
        return new Readiness(false, Optional.of(url), Optional.empty(), "readinessProbe moved to"
                + " GRACEKEEPER_APP_READY_URL=" + url + ", the probe asks /readyz");
    }

    /** Changes the app's probe; a moved probe keeps its timing fields where the user had them. */
    void apply(Map<String, Object> app, int sidecarPort) {
        if (addToApp) app.put("readinessProbe", readyz(sidecarPort));
        if (readyUrl.isPresent()) {
            Tree.child(app, "readinessProbe").put("httpGet", Tree.of("path", "/readyz", "port", sidecarPort));
        }
    }
}
