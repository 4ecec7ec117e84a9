package dev.gracekeeper.adopt;

import dev.gracekeeper.config.Var;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * A read-only look at one pod template as gracekeeper sees it: which container is the sidecar
 * (named {@code gracekeeper}, or configured with {@code GRACEKEEPER_*} variables), whether it
 * is native, which are the apps, and the sidecar's environment as the kubelet would pass it.
 */
public final class PodView {
    public static final String SIDECAR = "gracekeeper";
    /** What the kubelet sets in every container (the endpoints mode reads it): stand-ins for parsing. */
    public static final Map<String, String> KUBELET_ENV = Map.of("KUBERNETES_SERVICE_HOST", "kubernetes.default.svc",
            "KUBERNETES_SERVICE_PORT", "443");
    public static final int DEFAULT_GRACE_SECONDS = 30;
    /** Stands in for a value the kubelet fills in (downward API) or reads from a Secret. */
    public static final String PLACEHOLDER_TOKEN = "placeholder-token-from-a-secret";

    public final Workload workload;

    public PodView(Workload workload) {
        this.workload = workload;
    }

    public List<Map<String, Object>> containers() {
        return Tree.maps(workload.spec(), "containers");
    }

    public List<Map<String, Object>> initContainers() {
        return Tree.maps(workload.spec(), "initContainers");
    }

    public Optional<Map<String, Object>> sidecar() {
        return Stream.concat(initContainers().stream(), containers().stream()).filter(PodView::isSidecar).findFirst();
    }

    /** Named gracekeeper, or setting one of the sidecar's own variables (an app's GRACEKEEPER_URL is not one). */
    static boolean isSidecar(Map<String, Object> c) {
        return SIDECAR.equals(Tree.str(c, "name")) || Tree.maps(c, "env").stream()
                .anyMatch(e -> SIDECAR_VARS.contains(String.valueOf(e.get("name"))));
    }

    private static final java.util.Set<String> SIDECAR_VARS = java.util.Arrays.stream(Var.values())
            .map(Var::envName).filter(n -> n.startsWith(Var.PREFIX)).collect(java.util.stream.Collectors.toSet());

    /** An init container with restartPolicy: Always. */
    public boolean nativeSidecar() {
        return sidecar().map(s -> initContainers().contains(s) && "Always".equals(Tree.str(s, "restartPolicy")))
                .orElse(false);
    }

    /** The regular containers other than the sidecar. */
    public List<Map<String, Object>> apps() {
        List<Map<String, Object>> out = new ArrayList<>(containers());
        out.removeIf(PodView::isSidecar);
        return out;
    }

    public long gracePeriodSeconds() {
        Object g = workload.spec().get("terminationGracePeriodSeconds");
        return g instanceof Number n ? n.longValue() : DEFAULT_GRACE_SECONDS;
    }

    /**
     * The sidecar's env with literal values; downward-API fields and a token from a Secret become
     * placeholders; any other source (a ConfigMap...) is left out and listed in {@code unresolved}.
     */
    public Map<String, String> sidecarEnv(List<String> unresolved) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Map<String, Object> e : Tree.maps(sidecar().orElse(Map.of()), "env")) {
            String name = Tree.str(e, "name");
            Map<String, Object> from = Tree.child(e, "valueFrom");
            if (from == null) {
                env.put(name, Tree.str(e, "value") == null ? "" : Tree.str(e, "value"));
            } else if (Tree.child(from, "fieldRef") != null) {
                env.put(name, "from-" + Tree.str(Tree.child(from, "fieldRef"), "fieldPath"));
            } else if (Var.HOOK_TOKEN.envName().equals(name) && Tree.child(from, "secretKeyRef") != null) {
                env.put(name, PLACEHOLDER_TOKEN);
            } else {
                unresolved.add(name);
            }
        }
        return env;
    }

    /** The sidecar's port: GRACEKEEPER_PORT when set literally, else its default. */
    public int sidecarPort() {
        String p = sidecarEnv(new ArrayList<>()).get(Var.PORT.envName());
        return p != null && p.matches("[0-9]{1,5}") ? Integer.parseInt(p) : Integer.parseInt(Var.PORT.defaultValue());
    }

    /** A probe's or hook's port as the kubelet resolves it: a number, or a name among that container's ports. */
    public static OptionalInt port(Map<String, Object> container, Object port) {
        if (port instanceof Number n) return OptionalInt.of(n.intValue());
        String s = port == null ? null : String.valueOf(port);
        if (s == null) return OptionalInt.empty();
        if (s.matches("[0-9]{1,5}")) return OptionalInt.of(Integer.parseInt(s));
        for (Map<String, Object> p : Tree.maps(container, "ports")) {
            if (s.equals(Tree.str(p, "name")) && p.get("containerPort") instanceof Number n) return OptionalInt.of(n.intValue());
        }
        return OptionalInt.empty();
    }

    public static String name(Map<String, Object> container) {
        return Tree.str(container, "name");
    }
}
