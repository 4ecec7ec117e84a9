package dev.gracekeeper.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gracekeeper.adopt.Command;
import dev.gracekeeper.examples.Example;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bed runs an injected workload: the app-only Deployment of examples/kustomize/base goes
 * through {@code inject} (native and classic sidecar), and what inject wrote (the Secret with its token included) is what the
 * bed deploys, two replicas behind an L4 balancer with endpoint lag; one is deleted under load and
 * no request may fail.
 */
class InjectedWorkloadIT {
    static final Path BASE = Path.of("examples", "kustomize", "base", "deployment.yaml");
    /** inject's default delay, longer than the bed's longest endpoint lag (3 s). */
    static final Duration DELAY = Duration.ofSeconds(5);
    @TempDir Path dir;

    @BeforeAll
    static void bed() {
        Bed.assumeAvailable();
    }

    @ParameterizedTest(name = "classic={0}")
    @ValueSource(booleans = {false, true})
    void anInjectedAppOnlyWorkloadDrainsWithoutAFailedRequest(boolean classic) throws IOException {
        Path injected = Files.createDirectories(dir.resolve("injected"));
        String manifest = classic
                ? run("inject", "--classic", "--emit-secret", "--drain-url", "http://127.0.0.1:8080/drain", BASE.toString())
                : run("inject", "--emit-secret", "--drain-url", "http://127.0.0.1:8080/drain", BASE.toString());
        Files.writeString(injected.resolve("deployment.yaml"), manifest);
        assertEquals("1 workload(s) checked: 0 error(s), 0 warning(s)\n", run("check", injected.resolve("deployment.yaml")
                .toString()));
        Example e = Example.load(injected.toAbsolutePath().toString());
        assertTrue(e.sidecarEnv(Map.of("metadata.name", "x", "metadata.namespace", "x", "metadata.uid", "x"))
                .get("GRACEKEEPER_HOOK_TOKEN").matches("[0-9a-f]{32}"), "the token from the emitted Secret");
        try (Replicas r = new Replicas(dir, 2, (pod, podDir) -> Manifests.pod(e, pod, podDir), Manifests.appPort(e),
                Lb.Mode.KUBE_PROXY, ExamplesIT.LAG_MIN, ExamplesIT.LAG_MAX).startAll()) {
            Wrk wrk = Wrk.start(dir, r.url("/slow?ms=100"), 16, (int) DELAY.toSeconds() + 8);
            Bed.sleep(2000);
            long start = System.nanoTime();
            r.kubelets.get(0).delete();
            long ms = (System.nanoTime() - start) / 1_000_000;
            Wrk.Result load = wrk.await();
            System.out.printf("injected examples/kustomize/base (%s sidecar): pod0 deleted, gone in %d ms (delay %d ms);"
                    + " load: %s%n", classic ? "classic" : "native", ms, DELAY.toMillis(), load);
            assertEquals(0, load.failed(), "no request may fail: " + load + "\n" + r.logs(0));
            assertTrue(load.requests() > 100, "the load ran: " + load);
            assertTrue(ms >= DELAY.toMillis(), "the pod stayed for the propagation delay: " + ms + " ms\n" + r.timeline);
            assertTrue(ms < DELAY.toMillis() + 4000, "the pod went soon after the delay: " + ms + " ms\n" + r.timeline);
            assertNotNull(r.timeline.first("gracekeeper", "exited 0"), "the sidecar exits 0\n" + r.logs(0));
        }
    }

    /** A command in-process, as the jar's Main runs it; its stdout, or a failure with its stderr. */
    private static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Command.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, String.join(" ", args) + ": " + err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }
}
