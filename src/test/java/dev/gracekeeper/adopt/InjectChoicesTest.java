package dev.gracekeeper.adopt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gracekeeper.config.Config;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Probe;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The choices inject makes, and the options that change them; every output is typed and parsed. */
class InjectChoicesTest {
    static final String APP = InjectShapesTest.APP;

    static Typed inject(String podSpec, String... options) throws Exception {
        Cli r = Cli.inject(Fixtures.workload("Deployment", podSpec), options);
        assertEquals(0, r.exit(), r.toString());
        assertEquals(0, Cli.check(r.out()).exit(), "check is clean on inject's output: " + Cli.check(r.out()));
        return new Typed(r.out());
    }

    static String probe(String probe) {
        return APP + "  readinessProbe:\n    " + probe + "\n    periodSeconds: 7\n";
    }

    static Stream<Arguments> readiness() {
        return Stream.of(
                Arguments.of("no probe: the app gets /readyz", APP, null, false),
                Arguments.of("httpGet on a named port moves to the ready URL", probe("httpGet: {path: /ready, port: http}"),
                        "http://127.0.0.1:8080/ready", false),
                Arguments.of("httpGet on a number moves too", probe("httpGet: {path: health, port: 8080}"),
                        "http://127.0.0.1:8080/health", false),
                Arguments.of("exec stays; the sidecar gets /readyz", probe("exec: {command: [cat, /tmp/ready]}"), null, true),
                Arguments.of("tcpSocket stays; the sidecar gets /readyz", probe("tcpSocket: {port: 8080}"), null, true),
                Arguments.of("HTTPS stays (the sidecar would verify the certificate)",
                        probe("httpGet: {path: /ready, port: 8080, scheme: HTTPS}"), null, true),
                Arguments.of("headers stay (the ready URL sends none)",
                        probe("httpGet: {path: /ready, port: 8080, httpHeaders: [{name: A, value: b}]}"), null, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("readiness")
    void readinessReflectsTheShutdownAndKeepsTheAppsOwn(String what, String podSpec, String readyUrl,
                                                       boolean sidecarProbe) throws Exception {
        Typed t = inject(podSpec, "--emit-secret");
        Config c = t.config();
        assertEquals(Optional.ofNullable(readyUrl), c.app().readyUrl().map(Object::toString), what);
        Probe app = t.container("app").getReadinessProbe();
        Probe sidecar = t.container("gracekeeper").getReadinessProbe();
        if (sidecarProbe) {
            assertEquals("/readyz", sidecar.getHttpGet().getPath(), what);
            assertEquals(7, app.getPeriodSeconds(), what + ": the app's probe is as it was");
            assertFalse(app.getHttpGet() != null && "/readyz".equals(app.getHttpGet().getPath()), what);
        } else {
            assertNull(sidecar, what);
            assertEquals("/readyz", app.getHttpGet().getPath(), what);
            assertEquals(c.port(), app.getHttpGet().getPort().getIntVal(), what);
            if (readyUrl != null) assertEquals(7, app.getPeriodSeconds(), what + ": timing kept");
        }
    }

    @Test
    void aSleepPreStopBecomesTheDrainDelay() throws Exception {
        String sleep = APP + "  lifecycle:\n    preStop:\n      exec: {command: [/bin/sh, -c, 'sleep 12']}\n";
        assertEquals(Duration.ofSeconds(12), inject(sleep, "--emit-secret", "--replace-prestop").config().drainDelay());
        assertEquals(Duration.ofSeconds(3), inject(sleep, "--emit-secret", "--replace-prestop", "--drain-delay", "3s")
                .config().drainDelay(), "unless --drain-delay says otherwise");
        String action = APP + "  lifecycle:\n    preStop:\n      sleep: {seconds: 9}\n";
        assertEquals(Duration.ofSeconds(9), inject(action, "--emit-secret", "--replace-prestop").config().drainDelay());
    }

    @Test
    void containerPicksTheAppAndLeavesTheOthersAlone() throws Exception {
        Typed t = inject(InjectRefusalsTest.TWO.replace("  x-vendor-field: kept\n", ""), "--emit-secret", "--container", "app");
        assertTrue(t.container("app").getLifecycle().getPreStop() != null);
        assertNull(t.container("log-shipper").getLifecycle());
        assertNull(t.container("log-shipper").getReadinessProbe());
    }

    @Test
    void classicIsListedFirstWithoutAPostStart() throws Exception {
        Typed t = inject(APP, "--emit-secret", "--classic");
        assertEquals("gracekeeper", t.pod().getContainers().get(0).getName());
        assertTrue(t.pod().getInitContainers().isEmpty());
        assertNull(t.container("gracekeeper").getRestartPolicy());
        assertNull(t.container("app").getLifecycle().getPostStart(), "the README's race: no postStart to a classic sidecar");
        assertEquals(List.of(8080), t.config().app().ports());
    }

    @Test
    void aSignalDrainSharesTheProcessNamespaceAndTheAppsUid() throws Exception {
        String asUser = APP + "  securityContext: {runAsUser: 101}\n";
        Typed t = inject(asUser, "--emit-secret", "--drain-signal", "SIGQUIT", "--app-process", "nginx: master");
        assertEquals(Boolean.TRUE, t.pod().getShareProcessNamespace());
        assertEquals(Optional.of("SIGQUIT"), t.config().app().drainSignal());
        assertEquals(101L, t.container("gracekeeper").getSecurityContext().getRunAsUser(), "the app's UID");
        assertEquals(Boolean.TRUE, t.container("gracekeeper").getSecurityContext().getRunAsNonRoot());
    }

    @Test
    void everyOptionReachesTheSidecar() throws Exception {
        Typed t = inject(APP, "--emit-secret", "--image", "registry.example.com/gk:1", "--port", "9000",
                "--drain-delay", "2500ms", "--stop-reserve", "10s", "--drain-timeout", "20s", "--drain-url",
                "http://127.0.0.1:8080/drain", "--drain-method", "PUT", "--app-ports", "8080,8081",
                "--poststart-timeout", "30s", "--token-secret", "web-hooks", "--set", "GRACEKEEPER_POSTSTART_ON_TIMEOUT=fail");
        Config c = t.config();
        Container s = t.container("gracekeeper");
        assertEquals("registry.example.com/gk:1", s.getImage());
        assertEquals(9000, c.port());
        assertEquals(9000, s.getPorts().get(0).getContainerPort());
        assertEquals(9000, t.container("app").getLifecycle().getPreStop().getHttpGet().getPort().getIntVal());
        assertEquals(Duration.ofMillis(2500), c.drainDelay());
        assertEquals(Duration.ofSeconds(10), c.budget().stopReserve());
        assertEquals(Optional.of(Duration.ofSeconds(20)), c.budget().drainTimeout());
        assertEquals("PUT", c.app().drainMethod());
        assertEquals(List.of(8080, 8081), c.app().ports());
        assertEquals(Duration.ofSeconds(30), c.app().poststartTimeout());
        assertTrue(c.app().poststartFailOnTimeout(), "--set reaches the sidecar");
        assertEquals("web-hooks", s.getEnv().stream().filter(e -> e.getName().equals("GRACEKEEPER_HOOK_TOKEN"))
                .findFirst().orElseThrow().getValueFrom().getSecretKeyRef().getName());
    }

    @Test
    void theTokenComesFromASecretInTheInputOrAFile() throws Exception {
        String secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: gracekeeper, namespace: shop}\n"
                + "data: {token: " + java.util.Base64.getEncoder().encodeToString("from-the-input-0123456789".getBytes()) + "}\n";
        Cli r = Cli.inject(secret + "---\n" + Fixtures.workload("Deployment", APP), "--emit-secret");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(2, Manifest.read(r.out(), "o").documents().size(), "no second Secret");
        assertTrue(r.out().contains("value: from-the-input-0123456789"), r.out());
        java.nio.file.Path file = java.nio.file.Files.createTempFile("token", "");
        java.nio.file.Files.writeString(file, "from-a-file-0123456789\n");
        Cli f = Cli.inject(Fixtures.workload("Deployment", APP), "--token-file", file.toString());
        assertEquals(0, f.exit(), f.toString());
        assertTrue(f.out().contains("value: from-a-file-0123456789\n"), f.out());
        assertFalse(f.out().contains("kind: Secret"));
    }
}
