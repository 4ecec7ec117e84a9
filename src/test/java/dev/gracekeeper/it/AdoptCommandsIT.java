package dev.gracekeeper.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real jar: with no arguments it is the sidecar and loads nothing of inject and check (nor
 * their YAML library); with {@code inject} or {@code check} it runs them and exits.
 */
class AdoptCommandsIT {
    @TempDir Path dir;

    @Test
    void theSidecarsStartupLoadsNoneOfTheCommandsClasses() throws Exception {
        Path classes = dir.resolve("classes.log");
        List<String> cmd = new ArrayList<>(Sidecar.javaJar());
        cmd.add(1, "-Xlog:class+load:file=" + classes);
        Path state = Files.createDirectories(dir.resolve("state"));
        try (Sidecar s = Sidecar.launch(state, Map.of("GRACEKEEPER_HOOK_AUTH", "none"), cmd)) {
            s.awaitHealthy();
            assertEquals(200, s.get("/readyz").statusCode());
            s.sigterm();
            assertEquals(0, s.awaitExit(Duration.ofSeconds(20)), s.log());
        }
        String loaded = Files.readString(classes);
        assertTrue(loaded.contains("dev.gracekeeper.Main "), "the log records the sidecar's own classes");
        assertTrue(loaded.contains("io.undertow."), "and its libraries");
        assertFalse(loaded.contains("org.snakeyaml."), "the YAML library is the commands' only");
        assertFalse(loaded.contains("dev.gracekeeper.adopt."), "nothing of inject or check");
    }

    @Test
    void theJarInjectsAndChecksFromAFileAndFromStdin() throws Exception {
        Path app = dir.resolve("app.yaml");
        Files.writeString(app, """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers:
                      - {name: app, image: nginx, ports: [{containerPort: 80}]}
                """);
        Path classes = dir.resolve("classes.log");
        Run inject = run(null, "-Xlog:class+load:file=" + classes, "inject", "--emit-secret", app.toString());
        assertEquals(0, inject.exit, inject.err);
        assertTrue(inject.out.startsWith("apiVersion: v1\nkind: Secret\n"), inject.out);
        assertTrue(inject.err.contains("Deployment web: injected: native sidecar"), inject.err);
        assertTrue(Files.readString(classes).contains("org.snakeyaml."), "the commands do load it");
        Run check = run(inject.out, null, "check", "-");
        assertEquals(0, check.exit, check.out + check.err);
        assertEquals("1 workload(s) checked: 0 error(s), 0 warning(s)\n", check.out);
        Run unchecked = run(null, null, "check", app.toString());
        assertEquals(0, unchecked.exit, unchecked.out);
        assertTrue(unchecked.out.startsWith("info GK00 no-sidecar"), unchecked.out);
        Run broken = run("kind: [", null, "check", "-");
        assertEquals(2, broken.exit, broken.err);
        Run unknown = run(null, null, "lint");
        assertEquals(2, unknown.exit, unknown.err);
        assertTrue(unknown.err.contains("unknown command 'lint'"), unknown.err);
    }

    /**
     * SnakeYAML Engine ships META-INF/versions/11/module-info.class; kept in the shaded jar, it makes
     * jdeps (docker/build-runtime.sh) see the whole jar as that module, needing java.base only, and
     * the image's JRE would lack jdk.unsupported and the rest.
     */
    @Test
    void theShadedJarHoldsNoModuleDescriptor() throws IOException {
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(Sidecar.jar().toFile())) {
            List<String> descriptors = jar.stream().map(java.util.zip.ZipEntry::getName)
                    .filter(n -> n.endsWith("module-info.class")).toList();
            assertEquals(List.of(), descriptors);
        }
    }

    record Run(int exit, String out, String err) {}

    private Run run(String stdin, String jvmFlag, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(Sidecar.javaJar());
        if (jvmFlag != null) cmd.add(1, jvmFlag);
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", "");
        Path err = Files.createTempFile(dir, "err", "");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) in.write(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the command exits: " + cmd);
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
