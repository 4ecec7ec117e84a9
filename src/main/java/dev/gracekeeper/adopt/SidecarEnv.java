package dev.gracekeeper.adopt;

import dev.gracekeeper.config.ConfigException;
import dev.gracekeeper.config.ConfigParser;
import dev.gracekeeper.config.Var;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sidecar's environment for one workload, and its proof: the sidecar's own parser reads it
 * (token and downward-API values as the kubelet would give them) before anything is written,
 * so inject never emits a configuration the sidecar would refuse at startup.
 */
final class SidecarEnv {
    /** Written in this order, as the examples have them. */
    private static final List<Var> ORDER = List.of(Var.PORT, Var.STATE_DIR, Var.GRACE_PERIOD, Var.PROPAGATION,
            Var.PROPAGATION_MARGIN, Var.DRAIN_DELAY,
            Var.STOP_RESERVE, Var.DRAIN_TIMEOUT, Var.APP_PORTS, Var.APP_DRAIN_SIGNAL, Var.APP_PROCESS, Var.APP_DRAIN_URL,
            Var.APP_DRAIN_METHOD, Var.APP_READY_URL, Var.POSTSTART_TIMEOUT);
    private static final Map<Var, String> DOWNWARD = Map.of(Var.POD_NAME, "metadata.name", Var.POD_NAMESPACE,
            "metadata.namespace", Var.POD_UID, "metadata.uid");

    private final Map<Var, String> values = new EnumMap<>(Var.class);
    private final Map<Var, String> origin = new EnumMap<>(Var.class);

    /** Sets {@code v}, remembering where the value came from for error messages. */
    SidecarEnv set(Var v, String value, String from) {
        values.put(v, value);
        origin.put(v, from);
        return this;
    }

    /** Whether the endpoint-aware wait is configured: its client costs about 11 MiB more. */
    boolean endpointsMode() {
        return "endpoints".equals(values.get(Var.PROPAGATION));
    }

    boolean has(Var v) {
        return values.containsKey(v);
    }

    String get(Var v) {
        return values.getOrDefault(v, v.defaultValue());
    }

    /** Parses the env with the sidecar's parser; every problem, with the option or field it came from. */
    void validate(Workload w, String token) throws InjectException {
        Map<String, String> env = new LinkedHashMap<>();
        values.forEach((v, s) -> env.put(v.envName(), s));
        env.put(Var.HOOK_TOKEN.envName(), token);
        DOWNWARD.forEach((v, field) -> env.put(v.envName(), "from-" + field));
        PodView.KUBELET_ENV.forEach(env::putIfAbsent);
        try {
            ConfigParser.parse(env);
        } catch (ConfigException e) {
            List<String> lines = new ArrayList<>();
            for (String p : e.problems()) {
                String from = "";
                for (Map.Entry<Var, String> o : origin.entrySet()) {
                    if (p.startsWith(o.getKey().envName())) from = " [" + o.getKey().envName() + " from " + o.getValue() + "]";
                }
                lines.add("  " + p + from);
            }
            throw new InjectException(w, "the sidecar would refuse this configuration:\n" + String.join("\n", lines));
        }
    }

    /** The env list of the container: literal values, the token from its Secret, the pod's identity. */
    List<Object> entries(String tokenSecret) {
        List<Object> out = new ArrayList<>();
        for (Var v : ORDER) if (values.containsKey(v)) out.add(Tree.of("name", v.envName(), "value", values.get(v)));
        for (Var v : values.keySet()) {
            if (!ORDER.contains(v)) out.add(Tree.of("name", v.envName(), "value", values.get(v)));
        }
        out.add(Tree.of("name", Var.HOOK_TOKEN.envName(), "valueFrom",
                Tree.of("secretKeyRef", Tree.of("name", tokenSecret, "key", Tokens.KEY))));
        for (Var v : List.of(Var.POD_NAME, Var.POD_NAMESPACE, Var.POD_UID)) {
            out.add(Tree.of("name", v.envName(), "valueFrom", Tree.of("fieldRef", Tree.of("fieldPath", DOWNWARD.get(v)))));
        }
        return out;
    }
}
