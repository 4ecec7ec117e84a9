package dev.gracekeeper.adopt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gracekeeper.adopt.check.Rule;
import dev.gracekeeper.adopt.check.Rules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each rule, from a clean injected workload broken in exactly one way. */
class CheckRulesTest {
    static Map<String, Object> sidecar(Map<String, Object> spec) {
        return Stream.concat(Tree.maps(spec, "initContainers").stream(), Tree.maps(spec, "containers").stream())
                .filter(c -> "gracekeeper".equals(c.get("name"))).findFirst().orElseThrow();
    }

    static Map<String, Object> app(Map<String, Object> spec) {
        return Tree.maps(spec, "containers").stream().filter(c -> "app".equals(c.get("name"))).findFirst().orElseThrow();
    }

    static Consumer<Map<String, Object>> env(String name, String value) {
        return spec -> {
            List<Object> env = Tree.list(sidecar(spec).get("env"));
            env.removeIf(e -> name.equals(Tree.map(e).get("name")));
            env.add(0, Tree.of("name", name, "value", value));
        };
    }

    static Consumer<Map<String, Object>> preStopGet(String key, Object value) {
        return spec -> Tree.path(app(spec), "lifecycle.preStop.httpGet").put(key, value);
    }

    static Stream<Arguments> rules() {
        List<String> plain = List.of("--emit-secret");
        List<String> classic = List.of("--emit-secret", "--classic");
        List<String> signal = List.of("--emit-secret", "--drain-signal", "SIGQUIT", "--app-process", "app");
        return Stream.of(
                row("GK01", "grace period differs", plain, env("GRACEKEEPER_GRACE_PERIOD", "20s")),
                row("GK01", "grace period unset in the pod", plain, s -> s.remove("terminationGracePeriodSeconds")),
                row("GK02", "delay + reserve fill the grace period", plain, env("GRACEKEEPER_DRAIN_DELAY", "36s")),
                row("GK03", "no preStop", plain, s -> Tree.child(app(s), "lifecycle").remove("preStop")),
                row("GK03", "an exec preStop", plain, s -> Tree.child(app(s), "lifecycle").put("preStop",
                        Tree.of("exec", Tree.of("command", Tree.listOf("/bin/true"))))),
                row("GK03", "another port", plain, preStopGet("port", 9999)),
                row("GK03", "a named port, which resolves in the app", plain, preStopGet("port", "gracekeeper")),
                row("GK03", "another path", plain, preStopGet("path", "/stop")),
                row("GK03", "another host", plain, preStopGet("host", "10.0.0.1")),
                row("GK03", "no token header", plain, s -> Tree.path(app(s), "lifecycle.preStop.httpGet").remove("httpHeaders")),
                row("GK03", "a token header that differs", plain, env("GRACEKEEPER_HOOK_TOKEN", "another-token-0123456789")),
                row("GK04", "a classic sidecar and an app postStart to it", classic, s -> Tree.child(app(s), "lifecycle")
                        .put("postStart", Tree.of("httpGet", Tree.of("path", "/poststart", "port", 8686)))),
                row("GK05", "a signal drain without a shared process namespace", signal,
                        s -> s.remove("shareProcessNamespace")),
                row("GK06", "the state dir on a hostPath", plain, s -> Tree.maps(s, "volumes").get(0).put("emptyDir",
                        null)),
                row("GK06", "the state dir on no volume", plain, s -> sidecar(s).remove("volumeMounts")),
                row("GK06", "the state dir read-only", plain, s -> Tree.maps(sidecar(s), "volumeMounts").get(0)
                        .put("readOnly", true)),
                row("GK07", "the state volume mounted into the app", plain, s -> app(s).put("volumeMounts",
                        Tree.listOf(Tree.of("name", "gracekeeper-state", "mountPath", "/x")))),
                row("GK08", "readiness that ignores the shutdown", plain, s -> app(s).put("readinessProbe",
                        Tree.of("tcpSocket", Tree.of("port", 8080)))),
                row("GK09", "a native sidecar without a startupProbe", plain, s -> sidecar(s).remove("startupProbe")),
                row("GK10", "another container sleeps in its preStop", plain, s -> Tree.list(s.get("containers")).add(
                        Tree.of("name", "proxy", "image", "p:1", "lifecycle", Tree.of("preStop", Tree.of("exec",
                                Tree.of("command", Tree.listOf("sh", "-c", "sleep 5"))))))),
                row("GK11", "a misspelt variable", plain, env("GRACEKEEPER_DRAIN_METHD", "PUT")),
                row("GK11", "an uncatchable drain signal", signal, env("GRACEKEEPER_APP_DRAIN_SIGNAL", "SIGKILL")));
    }

    static Arguments row(String id, String what, List<String> options, Consumer<Map<String, Object>> breakIt) {
        return Arguments.of(id, what, options, breakIt);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("rules")
    void eachRuleFindsItsProblemAndNoOtherRuleDoes(String id, String what, List<String> options,
                                                   Consumer<Map<String, Object>> breakIt) throws Exception {
        Cli injected = Cli.inject(Fixtures.workload("Deployment", InjectShapesTest.APP), options.toArray(String[]::new));
        assertEquals(0, injected.exit(), injected.toString());
        Manifest m = Manifest.read(injected.out(), "injected");
        breakIt.accept(Workloads.find(m.documents()).get(0).spec());
        Cli r = Cli.check(m.write(m.documents()), "--output", "json");
        List<Map<String, Object>> findings = Tree.maps(Tree.map(Manifest.read(r.out(), "json").documents().get(0)),
                "findings");
        Set<String> ids = new TreeSet<>();
        findings.forEach(f -> ids.add((String) f.get("id")));
        assertEquals(Set.of(id), ids, what + ":\n" + r);
        Map<String, Object> f = findings.get(0);
        assertEquals("Deployment shop/web", f.get("object"), what);
        assertTrue(((String) f.get("field")).startsWith("spec.template.spec"), what + ": " + f);
        assertTrue(!((String) f.get("fix")).isBlank() && !((String) f.get("problem")).isBlank(), what + ": " + f);
        boolean error = "error".equals(f.get("severity"));
        assertEquals(error ? 1 : 0, r.exit(), what + ": exit 1 on errors only");
        Cli text = Cli.check(m.write(m.documents()));
        assertTrue(text.out().startsWith(f.get("severity") + " " + id + " "), text.out());
    }

    @Test
    void everyRuleIsTestedAboveAndHasAnIdOfItsOwn() {
        Set<String> tested = new TreeSet<>(rules().map(a -> (String) a.get()[0]).toList());
        tested.add("GK00");
        Set<String> ids = new TreeSet<>(Rules.ALL.stream().map(r -> r.id).toList());
        assertEquals(Rules.ALL.size(), ids.size(), "unique ids");
        assertEquals(ids, tested);
        for (Rule r : Rules.ALL) assertTrue(CheckCommand.HELP.contains(r.id + " " + r.name), r.id);
    }

    @Test
    void aWorkloadWithoutGracekeeperIsOnlyInformation() {
        Cli r = Cli.check(Fixtures.workload("Deployment", InjectShapesTest.APP));
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("info GK00 no-sidecar: Deployment shop/web spec.template.spec: "), r.out());
    }

    @Test
    void theExamplesAreClean() throws Exception {
        for (String name : List.of("classic-sidecar", "native-sidecar", "http-drain")) {
            Path file = Path.of("examples", name, "deployment.yaml");
            Cli r = Cli.run("", "check", file.toString());
            assertEquals(0, r.exit(), name + ": " + r);
            assertEquals("1 workload(s) checked: 0 error(s), 0 warning(s)\n", r.out(), name);
            assertTrue(Files.exists(file));
        }
    }

    @Test
    void exitCodesSayCleanErrorsOrUnreadable() {
        assertEquals(2, Cli.check("kind: [").exit(), "unreadable");
        assertEquals(2, Cli.run("", "check", "/nonexistent.yaml").exit(), "missing file");
        assertEquals(2, Cli.check("kind: Service", "--output", "xml").exit(), "unknown format");
        assertEquals(0, Cli.check("kind: Service").exit(), "nothing to check is clean");
    }
}
