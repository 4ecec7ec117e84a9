package dev.gracekeeper.adopt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gracekeeper.config.Config;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every workload kind inject knows, and every shape of input it reads. */
class InjectShapesTest {
    static final String APP = Fixtures.POD_SPEC.replace("  x-vendor-field: kept\n", "");

    static Stream<String> kinds() {
        return Workloads.KINDS.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void everyWorkloadKindGetsTheProvenShape(String kind) throws Exception {
        Cli r = Cli.inject(Fixtures.workload(kind), "--emit-secret");
        assertEquals(0, r.exit(), r.toString());
        Typed t = new Typed(r.out().replaceAll("(?m)^\\s*x-vendor-field: kept\n", ""));
        PodSpec pod = t.pod();
        Container sidecar = t.container("gracekeeper");
        assertEquals(List.of(sidecar), pod.getInitContainers(), kind + ": a native sidecar, the only init container");
        assertEquals("Always", sidecar.getRestartPolicy());
        assertEquals("/healthz", sidecar.getStartupProbe().getHttpGet().getPath());
        Config c = t.config();
        assertEquals(Duration.ofSeconds(40), c.budget().gracePeriod(), "from terminationGracePeriodSeconds");
        assertEquals(List.of(8080), c.app().ports(), "the app's TCP ports only");
        assertTrue(c.hookToken().isPresent());
        Container app = t.container("app");
        for (HTTPGetAction hook : List.of(app.getLifecycle().getPreStop().getHttpGet(),
                app.getLifecycle().getPostStart().getHttpGet())) {
            assertEquals(c.port(), hook.getPort().getIntVal(), "by number");
            assertEquals("X-Gracekeeper-Token", hook.getHttpHeaders().get(0).getName());
            assertTrue(c.hookToken().get().matches(hook.getHttpHeaders().get(0).getValue()), "the Secret's token");
        }
        assertEquals("/readyz", app.getReadinessProbe().getHttpGet().getPath());
        Volume state = pod.getVolumes().stream().filter(v -> v.getName().equals("gracekeeper-state")).findFirst().orElseThrow();
        assertEquals("Memory", state.getEmptyDir().getMedium());
        assertTrue(app.getVolumeMounts().isEmpty(), "the state dir is the sidecar's only");
        assertEquals("/var/run/gracekeeper", sidecar.getVolumeMounts().get(0).getMountPath());
        assertEquals(c.stateDir().toString(), sidecar.getVolumeMounts().get(0).getMountPath());
        assertEquals("kept", Tree.maps(Fixtures.podSpec(r.out()), "containers").get(0).get("x-vendor-field"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void injectOnItsOwnOutputChangesNothingAndSaysSo(String kind) {
        Cli once = Cli.inject(Fixtures.workload(kind), "--emit-secret");
        Cli twice = Cli.inject(once.out(), "--emit-secret");
        assertEquals(0, twice.exit(), twice.toString());
        assertEquals(once.out(), twice.out());
        assertTrue(twice.err().contains("already has gracekeeper"), twice.err());
        assertTrue(twice.err().contains("nothing to change"), twice.err());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void checkFindsNothingInInjectsOutput(String kind) {
        for (String[] options : List.of(new String[] {"--emit-secret"}, new String[] {"--emit-secret", "--classic",
                "--drain-signal", "SIGQUIT", "--app-process", "app"})) {
            Cli r = Cli.inject(Fixtures.workload(kind), options);
            if (List.of("Job", "CronJob").contains(kind) && List.of(options).contains("--classic")) {
                assertEquals(1, r.exit(), "a classic sidecar would keep the Job running: " + r);
                continue;
            }
            assertEquals(0, r.exit(), r.toString());
            Cli check = Cli.check(r.out());
            assertEquals(0, check.exit(), check.toString());
            assertTrue(check.out().contains("0 error(s), 0 warning(s)"), check.toString());
            assertTrue(check.out().lines().count() == 1, "no finding at all: " + check);
        }
    }

    @Test
    void otherObjectsPassThroughUnchanged() throws Exception {
        String others = """
                apiVersion: v1
                kind: Service
                metadata: {name: web, annotations: {x: 'on'}}
                spec: {ports: [{port: 80, targetPort: http}]}
                ---
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: w}
                spec: {template: {spec: {containers: [{name: not-a-pod}]}}}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: c}
                data: {a: '1', b: 'yes'}
                """;
        Cli r = Cli.inject(others + "---\n" + Fixtures.workload("Deployment"), "--emit-secret");
        assertEquals(0, r.exit(), r.toString());
        List<Object> in = Manifest.read(others, "in").documents();
        List<Object> out = Manifest.read(r.out(), "out").documents();
        assertEquals(5, out.size(), "the Secret, three objects, the Deployment");
        assertEquals(in, out.subList(1, 4));
    }

    @Test
    void aListIsInjectedInPlaceAndTheSecretJoinsItsItems() throws Exception {
        String list = "apiVersion: v1\nkind: List\nitems:\n" + Fixtures.indent("- " + Fixtures.workload("Deployment", APP)
                .replace("\n", "\n  "), 0);
        Cli r = Cli.inject(list, "--emit-secret");
        assertEquals(0, r.exit(), r.toString());
        Map<String, Object> doc = Tree.map(Manifest.read(r.out(), "out").documents().get(0));
        assertEquals("List", doc.get("kind"));
        List<Object> items = Tree.list(doc.get("items"));
        assertEquals("Secret", Tree.map(items.get(0)).get("kind"));
        assertEquals("Deployment", Tree.map(items.get(1)).get("kind"));
        new Typed(r.out()).config();
    }

    @Test
    void jsonInJsonOut() throws Exception {
        String json = Json.write(Manifest.read(Fixtures.workload("Deployment", APP), "in").documents().get(0));
        Cli r = Cli.inject(json, "--emit-secret");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\""), r.out());
        assertTrue(Manifest.read(r.out(), "out").json());
        new Typed(r.out()).config();
        Cli again = Cli.inject(r.out());
        assertEquals(r.out(), again.out(), "idempotent on JSON too");
    }

    @Test
    void theSecretGoesToEachNamespaceOnce() throws Exception {
        String two = Fixtures.workload("Deployment") + "---\n" + Fixtures.workload("StatefulSet").replace("name: web",
                "name: db") + "---\n" + Fixtures.workload("DaemonSet").replace("namespace: shop", "namespace: ops");
        Cli r = Cli.inject(two, "--emit-secret");
        assertEquals(0, r.exit(), r.toString());
        List<Object> docs = Manifest.read(r.out(), "out").documents();
        assertEquals("Secret", Tree.map(docs.get(0)).get("kind"));
        assertEquals("Secret", Tree.map(docs.get(1)).get("kind"));
        assertEquals("Deployment", Tree.map(docs.get(2)).get("kind"));
        assertEquals(List.of("shop", "ops"), docs.subList(0, 2).stream()
                .map(d -> Tree.path(Tree.map(d), "metadata").get("namespace")).toList());
        assertNull(Tree.map(docs.get(2)).get("stringData"));
    }
}
