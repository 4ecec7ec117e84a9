package dev.gracekeeper.adopt.check;

import dev.gracekeeper.adopt.Handlers;
import dev.gracekeeper.adopt.PodView;
import dev.gracekeeper.adopt.Tree;
import dev.gracekeeper.config.Durations;
import dev.gracekeeper.config.Var;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What every rule needs to know about a pod with gracekeeper, worked out once. */
final class CheckedPod {
    final PodView view;
    final Map<String, Object> sidecar;
    final Map<String, String> env;
    final List<String> unresolved = new ArrayList<>();
    final int port;

    CheckedPod(PodView view) {
        this.view = view;
        this.sidecar = view.sidecar().orElseThrow();
        this.env = view.sidecarEnv(unresolved);
        this.port = view.sidecarPort();
    }

    /**
     * The containers gracekeeper serves: those whose preStop calls the sidecar, or, if none does,
     * every regular container but the sidecar.
     */
    List<Map<String, Object>> apps() {
        List<Map<String, Object>> hooked = view.apps().stream().filter(c -> {
            Map<String, Object> get = Handlers.httpGet(Tree.child(Tree.child(c, "lifecycle"), "preStop"));
            return get != null && ("/shutdown".equals(Tree.str(get, "path"))
                    || PodView.port(c, get.get("port")).orElse(-1) == port);
        }).toList();
        return hooked.isEmpty() ? view.apps() : hooked;
    }

    /** A duration variable as the sidecar would read it: its literal value or the default; empty if unreadable. */
    Optional<Duration> duration(Var v) {
        if (unresolved.contains(v.envName())) return Optional.empty();
        String s = env.get(v.envName());
        return Durations.parse(s == null || s.isBlank() ? v.defaultValue() : s.trim());
    }

    String envOr(Var v) {
        String s = env.get(v.envName());
        return s == null || s.isBlank() ? v.defaultValue() : s.trim();
    }

    String name(Map<String, Object> c) {
        return PodView.name(c);
    }

    String field(Map<String, Object> c, String field) {
        if (c == null) return view.workload.field(field);
        String list = view.initContainers().stream().anyMatch(x -> x == c) ? "initContainers" : "containers";
        return view.workload.field(list + "[" + name(c) + "]" + (field.isEmpty() ? "" : "." + field));
    }

    boolean nativeSidecar() {
        return view.nativeSidecar();
    }
}
