package dev.gracekeeper.adopt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gracekeeper.examples.Example;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * inject produces the shape the examples prove: each example with gracekeeper taken out (what a
 * user starts from), injected with the options that example chose, gives the example back, field
 * for field, with the token read from a Secret instead of written in.
 */
class InjectExamplesTest {
    static Stream<String> examples() {
        return Example.names().stream();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void injectingTheAppOnlyVersionGivesTheExampleBack(String name) throws Exception {
        Path file = Example.ROOT.resolve(name).resolve("deployment.yaml");
        Manifest example = Manifest.read(Files.readString(file), file.toString());
        Workload w = Workloads.find(example.documents()).get(0);
        Map<String, String> env = new PodView(w).sidecarEnv(new ArrayList<>());
        List<String> options = options(new PodView(w), env);
        Path token = Files.createTempFile("token", "");
        Files.writeString(token, env.get("GRACEKEEPER_HOOK_TOKEN"));
        options.addAll(List.of("--token-file", token.toString()));

        Manifest appOnly = Manifest.read(Files.readString(file), file.toString());
        AppOnly.strip(Workloads.find(appOnly.documents()).get(0).spec());
        Cli r = Cli.inject(appOnly.write(appOnly.documents()), options.toArray(String[]::new));
        assertEquals(0, r.exit(), r.toString());

        Map<String, Object> expected = w.spec();
        for (Map<String, Object> e : Tree.maps(sidecar(expected), "env")) {
            if (e.get("name").equals("GRACEKEEPER_HOOK_TOKEN")) {
                e.remove("value");
                e.put("valueFrom", Tree.of("secretKeyRef", Tree.of("name", "gracekeeper", "key", "token")));
            }
        }
        Map<String, Object> actual = Fixtures.podSpec(r.out());
        sortVolumes(expected);
        sortVolumes(actual);
        assertEquals(expected, actual, name + ": injected\n" + r.out());
        assertEquals(example.documents().subList(1, example.documents().size()),
                Manifest.read(r.out(), "out").documents().subList(1, example.documents().size()), "the Service");
    }

    /** The options that reproduce the example's choices. */
    static List<String> options(PodView pod, Map<String, String> env) {
        List<String> o = new ArrayList<>();
        if (!pod.nativeSidecar()) o.add("--classic");
        InjectOptions.ENV_OPTIONS.forEach((option, v) -> {
            String value = env.get(v.envName());
            boolean derived = v == dev.gracekeeper.config.Var.APP_PORTS;
            if (value != null && !derived) o.addAll(List.of(option, value));
        });
        return o;
    }

    static Map<String, Object> sidecar(Map<String, Object> spec) {
        return CheckRulesTest.sidecar(spec);
    }

    static void sortVolumes(Map<String, Object> spec) {
        Tree.list(spec.get("volumes")).sort(Comparator.comparing(v -> String.valueOf(Tree.map(v).get("name"))));
    }

    /** Takes gracekeeper out of a pod spec, as it was before it was added. */
    static final class AppOnly {
        static void strip(Map<String, Object> spec) {
            Map<String, Object> sidecar = sidecar(spec);
            Map<String, String> env = new PodView(new Workload("Deployment", null, "x", "x", "spec", spec, false))
                    .sidecarEnv(new ArrayList<>());
            for (String list : List.of("initContainers", "containers")) {
                if (Tree.list(spec.get(list)) != null) Tree.list(spec.get(list)).removeIf(c -> c == sidecar);
            }
            if (Tree.list(spec.get("initContainers")) != null && Tree.list(spec.get("initContainers")).isEmpty()) {
                spec.remove("initContainers");
            }
            Tree.list(spec.get("volumes")).removeIf(v -> "gracekeeper-state".equals(Tree.map(v).get("name")));
            if (env.containsKey("GRACEKEEPER_APP_DRAIN_SIGNAL")) spec.remove("shareProcessNamespace");
            for (Map<String, Object> app : Tree.maps(spec, "containers")) {
                app.remove("lifecycle");
                String ready = env.get("GRACEKEEPER_APP_READY_URL");
                if (ready == null) {
                    app.remove("readinessProbe");
                } else {
                    URI u = URI.create(ready);
                    Tree.child(app, "readinessProbe").put("httpGet", Tree.of("path", u.getPath(), "port", u.getPort()));
                }
            }
        }
    }
}
