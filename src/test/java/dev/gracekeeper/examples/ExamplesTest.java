package dev.gracekeeper.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gracekeeper.config.Config;
import dev.gracekeeper.config.ConfigException;
import dev.gracekeeper.config.ConfigParser;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What users copy from {@code examples/} must be right: each manifest is read into the real
 * Kubernetes API types (no unknown field), its gracekeeper env goes through the sidecar's own
 * parser, and the parts that must agree with each other (hooks and the sidecar's port and
 * token, the grace period and the budget, probes and endpoints, the state dir and its volume,
 * the signal drain and a shared process namespace) do.
 */
class ExamplesTest {
    static final Map<String, String> DOWNWARD = Map.of("metadata.name", "web-7c9d-x2k4p", "metadata.namespace",
            "default", "metadata.uid", "0b7a3c1e-5f2d-4e8a-9c6b-1d2e3f4a5b6c");

    /** What the kubelet sets in every container, which endpoints mode reads. */
    static final Map<String, String> KUBELET = Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1",
            "KUBERNETES_SERVICE_PORT", "443");

    static Config config(Example e) throws ConfigException {
        Map<String, String> env = new java.util.HashMap<>(e.sidecarEnv(DOWNWARD));
        env.putAll(KUBELET);
        return ConfigParser.parse(env);
    }

    static Stream<String> examples() {
        return Example.names().stream();
    }

    @Test
    void theThreeExamplesTheReadmePromisesExist() {
        assertEquals(List.of("classic-sidecar", "http-drain", "native-sidecar"), Example.names());
        for (String n : Example.names()) {
            assertTrue(Files.isRegularFile(Example.ROOT.resolve(n).resolve("README.md")), n + "/README.md");
            assertTrue(Files.isRegularFile(Example.ROOT.resolve(n).resolve("run.log")), n + "/run.log: a captured run");
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void sidecarEnvParsesWithTheSidecarsOwnParser(String name) throws ConfigException {
        Example e = Example.load(name);
        Config c = config(e);
        assertEquals("web-7c9d-x2k4p", c.pod().name());
        for (String var : e.sidecarEnv(DOWNWARD).keySet()) {
            assertTrue(var.startsWith("GRACEKEEPER_") || var.startsWith("POD_"), name + ": unexpected env " + var);
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void hooksReachTheSidecarWithItsToken(String name) throws ConfigException {
        Example e = Example.load(name);
        Config c = config(e);
        assertTrue(c.hookToken().isPresent(), name + ": the examples set a token");
        assertTrue(e.sidecar().getPorts().stream().anyMatch(p -> p.getContainerPort() == c.port()),
                name + ": the sidecar declares its port " + c.port());
        for (Container app : e.apps()) {
            assertNotNull(app.getLifecycle(), name + "/" + app.getName() + ": lifecycle hooks");
            LifecycleHandler preStop = app.getLifecycle().getPreStop();
            assertHook(name, c, preStop, "/shutdown");
            if (app.getLifecycle().getPostStart() != null) {
                assertTrue(e.nativeSidecar(), name + ": an app postStart needs a native sidecar; with a classic"
                        + " one it can hit a port not yet listening (FailedPostStartHook), see the README");
                assertHook(name, c, app.getLifecycle().getPostStart(), "/poststart");
            }
        }
    }

    private static void assertHook(String name, Config c, LifecycleHandler h, String path) {
        assertNotNull(h, name + ": hook " + path);
        HTTPGetAction get = h.getHttpGet();
        assertNotNull(get, name + ": " + path + " must be an httpGet hook");
        assertEquals(path, get.getPath(), name);
        assertEquals(c.port(), get.getPort().getIntVal(), name + ": " + path + " by port number: a named port"
                + " resolves against the hook's own container, not the sidecar");
        Optional<String> token = Optional.ofNullable(get.getHttpHeaders()).orElse(List.of()).stream()
                .filter(x -> x.getName().equalsIgnoreCase("X-Gracekeeper-Token")).map(HTTPHeader::getValue).findFirst();
        assertTrue(token.isPresent() && c.hookToken().get().matches(token.get()),
                name + ": " + path + " must send X-Gracekeeper-Token equal to GRACEKEEPER_HOOK_TOKEN");
    }

    @ParameterizedTest
    @MethodSource("examples")
    void gracePeriodAndBudgetAgree(String name) throws ConfigException {
        Example e = Example.load(name);
        Config c = config(e);
        Long grace = e.pod().getTerminationGracePeriodSeconds();
        assertNotNull(grace, name + ": set terminationGracePeriodSeconds explicitly");
        assertEquals(grace.longValue(), c.budget().gracePeriod().toSeconds(),
                name + ": GRACEKEEPER_GRACE_PERIOD must equal terminationGracePeriodSeconds");
        assertEquals(0, c.budget().gracePeriod().toNanosPart(), name + ": whole seconds, as the pod spec has");
    }

    @ParameterizedTest
    @MethodSource("examples")
    void probesUseTheSidecarsEndpoints(String name) throws ConfigException {
        Example e = Example.load(name);
        Config c = config(e);
        for (Container app : e.apps()) {
            assertProbe(name + "/" + app.getName() + " readinessProbe", app.getReadinessProbe(), "/readyz", c.port());
        }
        assertProbe(name + " sidecar startupProbe", e.sidecar().getStartupProbe(), "/healthz", c.port());
        assertProbe(name + " sidecar livenessProbe", e.sidecar().getLivenessProbe(), "/healthz", c.port());
    }

    private static void assertProbe(String what, Probe p, String path, int port) {
        assertNotNull(p, what);
        assertNotNull(p.getHttpGet(), what + " httpGet");
        assertEquals(path, p.getHttpGet().getPath(), what);
        assertEquals(port, p.getHttpGet().getPort().getIntVal(), what);
    }

    @ParameterizedTest
    @MethodSource("examples")
    void appPortsAndDrainMatchTheApp(String name) throws ConfigException {
        Example e = Example.load(name);
        Config c = config(e);
        List<Integer> declared = e.apps().stream().flatMap(a -> a.getPorts().stream())
                .map(ContainerPort::getContainerPort).toList();
        assertFalse(c.app().ports().isEmpty(), name + ": GRACEKEEPER_APP_PORTS: the idle wait and the exit need them");
        assertTrue(declared.containsAll(c.app().ports()), name + ": GRACEKEEPER_APP_PORTS " + c.app().ports()
                + " must be ports the app declares " + declared);
        assertTrue(c.app().drainUrl().isPresent() || c.app().drainSignal().isPresent(), name + ": a drain action");
        if (c.app().drainSignal().isPresent()) {
            assertEquals(Boolean.TRUE, e.pod().getShareProcessNamespace(),
                    name + ": the signal drain needs shareProcessNamespace: true");
            assertTrue(c.app().process().isPresent(), name + ": the signal drain needs GRACEKEEPER_APP_PROCESS");
            assertEquals(uid(e.pod(), e.sidecar()), e.apps().stream().map(a -> uid(e.pod(), a)).findFirst().orElseThrow(),
                    name + ": a signal needs the same UID (the sidecar drops CAP_KILL)");
            assertNotNull(uid(e.pod(), e.sidecar()), name + ": set the UID explicitly so it is known to match");
        }
        c.app().drainUrl().ifPresent(u -> assertTrue(declared.contains(u.getPort()),
                name + ": the drain URL's port " + u.getPort() + " is an app port"));
    }

    private static Long uid(PodSpec pod, Container c) {
        if (c.getSecurityContext() != null && c.getSecurityContext().getRunAsUser() != null) {
            return c.getSecurityContext().getRunAsUser();
        }
        return pod.getSecurityContext() == null ? null : pod.getSecurityContext().getRunAsUser();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void stateDirIsAnEmptyDirMountedInTheSidecar(String name) throws ConfigException {
        Example e = Example.load(name);
        Config c = config(e);
        VolumeMount mount = e.sidecar().getVolumeMounts().stream()
                .filter(m -> c.stateDir().startsWith(Path.of(m.getMountPath()))).findFirst()
                .orElseThrow(() -> new AssertionError(name + ": GRACEKEEPER_STATE_DIR " + c.stateDir()
                        + " is on no volume: with a read-only root it cannot be written, and a sidecar restart loses it"));
        assertFalse(Boolean.TRUE.equals(mount.getReadOnly()), name + ": the state dir must be writable");
        Volume v = e.pod().getVolumes().stream().filter(x -> x.getName().equals(mount.getName())).findFirst()
                .orElseThrow(() -> new AssertionError(name + ": no volume " + mount.getName()));
        assertNotNull(v.getEmptyDir(), name + ": the state dir is an emptyDir: it survives a sidecar restart");
    }

    @ParameterizedTest
    @MethodSource("examples")
    void sidecarIsLockedDownAndSized(String name) {
        Example e = Example.load(name);
        Container s = e.sidecar();
        SecurityContext sc = s.getSecurityContext();
        assertNotNull(sc, name + ": sidecar securityContext");
        assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem(), name + ": readOnlyRootFilesystem");
        assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation(), name + ": allowPrivilegeEscalation");
        assertEquals(List.of("ALL"), sc.getCapabilities().getDrop(), name + ": capabilities dropped");
        assertTrue(sc.getCapabilities().getAdd() == null || sc.getCapabilities().getAdd().isEmpty(), name);
        PodSecurityContext psc = e.pod().getSecurityContext();
        boolean nonRoot = Boolean.TRUE.equals(sc.getRunAsNonRoot())
                || (psc != null && Boolean.TRUE.equals(psc.getRunAsNonRoot()));
        assertTrue(nonRoot, name + ": runAsNonRoot");
        Long uid = uid(e.pod(), s);
        assertTrue(uid == null || uid != 0, name + ": not UID 0");
        assertNotNull(s.getResources().getRequests().get("memory"), name + ": memory request");
        assertNotNull(s.getResources().getLimits().get("memory"), name + ": memory limit");
        assertNotNull(s.getResources().getRequests().get("cpu"), name + ": cpu request");
    }

    @ParameterizedTest
    @MethodSource("examples")
    void nativeSidecarIsStartedFirstAndProbed(String name) {
        Example e = Example.load(name);
        if (!e.nativeSidecar()) {
            assertTrue(e.pod().getContainers().get(0).getName().equals(Example.SIDECAR),
                    name + ": a classic sidecar is listed first, so it starts first");
            return;
        }
        assertNotNull(e.sidecar().getStartupProbe(), name + ": the app starts only after the sidecar's startupProbe");
    }

    @ParameterizedTest
    @MethodSource("examples")
    void serviceSelectsThePods(String name) {
        Example e = Example.load(name);
        Deployment d = e.deployment;
        e.service.ifPresent(s -> {
            Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
            s.getSpec().getSelector().forEach((k, v) -> assertEquals(v, labels.get(k), name + ": selector " + k));
            s.getSpec().getPorts().forEach(p -> assertTrue(e.apps().stream().flatMap(a -> a.getPorts().stream())
                    .anyMatch(cp -> Objects.equals(cp.getName(), p.getTargetPort().getStrVal())
                            || Objects.equals(cp.getContainerPort(), p.getTargetPort().getIntVal())),
                    name + ": targetPort " + p.getTargetPort() + " is an app port"));
        });
        assertEquals(d.getSpec().getSelector().getMatchLabels(), d.getSpec().getTemplate().getMetadata().getLabels(),
                name + ": the selector matches the template");
    }

    @ParameterizedTest
    @MethodSource("examples")
    void endpointsModeComesWithTheRbacItNeeds(String name) throws Exception {
        Example e = Example.load(name);
        Path rbac = e.dir.resolve("rbac.yaml");
        if (config(e).propagation().mode() != dev.gracekeeper.config.Propagation.Mode.ENDPOINTS) {
            assertFalse(Files.exists(rbac), name + ": rbac.yaml only where endpoints mode needs it");
            return;
        }
        String account = e.pod().getServiceAccountName();
        assertNotNull(account, name + ": the pod names its ServiceAccount");
        Map<String, com.fasterxml.jackson.databind.JsonNode> docs = new java.util.HashMap<>();
        try (com.fasterxml.jackson.databind.MappingIterator<com.fasterxml.jackson.databind.JsonNode> it =
                new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                        .readerFor(com.fasterxml.jackson.databind.JsonNode.class).readValues(rbac.toFile())) {
            while (it.hasNext()) {
                com.fasterxml.jackson.databind.JsonNode d = it.next();
                docs.put(d.path("kind").asText(), d);
            }
        }
        assertEquals(java.util.Set.of("ServiceAccount", "Role", "RoleBinding"), docs.keySet(), name + "/rbac.yaml");
        assertEquals(account, docs.get("ServiceAccount").path("metadata").path("name").asText());
        var rule = docs.get("Role").path("rules").get(0);
        assertEquals("[\"discovery.k8s.io\"]", rule.path("apiGroups").toString());
        assertEquals("[\"endpointslices\"]", rule.path("resources").toString());
        assertEquals("[\"get\",\"list\",\"watch\"]", rule.path("verbs").toString(), "get, list and watch, no more");
        var binding = docs.get("RoleBinding");
        assertEquals(docs.get("Role").path("metadata").path("name").asText(), binding.path("roleRef").path("name").asText());
        assertEquals("Role", binding.path("roleRef").path("kind").asText());
        assertEquals("ServiceAccount", binding.path("subjects").get(0).path("kind").asText());
        assertEquals(account, binding.path("subjects").get(0).path("name").asText());
    }

    @Test
    void aFieldTheApiDoesNotKnowIsRejected() throws Exception {
        String yaml = Files.readString(Example.ROOT.resolve("classic-sidecar").resolve("deployment.yaml"))
                .replace("readinessProbe:", "readinesProbe:");
        Deployment typo = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readValue(yaml.substring(0, yaml.indexOf("\n---")), Deployment.class);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Example.strict(typo, "typo"));
        assertTrue(e.getMessage().contains("readinesProbe"), e.getMessage());
    }
}
