package dev.gracekeeper.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's runtime, built by the script the Dockerfile runs (docker/build-runtime.sh) and
 * started the way a pod with {@code readOnlyRootFilesystem: true} starts it: its temp dir a
 * read-only, noexec tmpfs. No Docker engine is needed: this is the part of the image that can
 * break, and CI proves it here.
 */
class RuntimeImageIT {
    static final Path JDK25 = Path.of(System.getProperty("gracekeeper.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"));
    static final Path RUNTIME = Path.of("target/runtime").toAbsolutePath();
    static final Duration BUILD_BOUND = Duration.ofSeconds(180);
    static final Duration EXIT_BOUND = Duration.ofSeconds(20);
    /** What JDK 25's launcher prints for restricted (native) and terminally deprecated (Unsafe) calls. */
    static final String JDK_WARNING = "WARNING:";

    @TempDir Path state;
    @TempDir Path scratch;

    @BeforeAll
    static void buildRuntime() throws Exception {
        assumeTrue(Files.isExecutable(JDK25.resolve("bin/jlink")), "JDK 25 not found at " + JDK25
                + " (set -Dgracekeeper.jdk25=<JDK 25 home>): the AOT cache needs it");
        Path log = Files.createTempFile("build-runtime-", ".log");
        ProcessBuilder pb = new ProcessBuilder("bash", "docker/build-runtime.sh", Sidecar.jar().toString(),
                RUNTIME.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("JAVA_HOME", JDK25.toString());
        pb.environment().remove("JVM_FLAGS");
        Process p = pb.start();
        boolean done = p.waitFor(BUILD_BOUND.toSeconds(), TimeUnit.SECONDS);
        if (!done) p.destroyForcibly();
        assertTrue(done && p.exitValue() == 0, "docker/build-runtime.sh " + (done ? "exited " + p.exitValue()
                : "still running after " + BUILD_BOUND.toSeconds() + " s") + ":\n" + Files.readString(log));
    }

    @Test
    void onAReadOnlyNoexecTempDirTheRuntimeServesAndItsSignalDrainKillsTheApp() throws Exception {
        PrivateTmpfs tmp = PrivateTmpfs.in(scratch, "ro,noexec");
        Process app = new ProcessBuilder("sleep", "60").start();
        try {
            Path pidfile = Files.writeString(state.resolve("app.pid"), app.pid() + "\n");
            Path classLoads = state.resolve("class-load.log");
            // AOTMode=on: the JVM refuses to start rather than run without the cache.
            Map<String, String> env = Map.of("GRACEKEEPER_DRAIN_DELAY", "0s",
                    "GRACEKEEPER_APP_DRAIN_SIGNAL", "SIGTERM", "GRACEKEEPER_APP_PROCESS", "pidfile:" + pidfile,
                    "JAVA_TOOL_OPTIONS", tmp.tmpdirProperty() + " -XX:AOTMode=on -Xlog:class+load=info:file="
                            + classLoads);
            try (Sidecar s = Sidecar.launch(state, env, tmp.wrap(List.of(RUNTIME.resolve("bin/gracekeeper").toString())))) {
                s.awaitHealthy();
                assertEquals(200, s.get("/healthz").statusCode());
                String shutdown = s.get("/shutdown").body();
                assertEquals("drained", HookIT.field(shutdown, "outcome"), shutdown + "\n" + s.log());
                assertTrue(shutdown.contains("SIGTERM sent to pid " + app.pid() + " from " + pidfile), shutdown);
                assertTrue(app.waitFor(5, TimeUnit.SECONDS), "the app got the drain signal and exited");
                assertEquals(128 + 15, app.exitValue(), "killed by SIGTERM");

                assertTrue(Files.readString(Path.of("/proc/" + s.process.pid() + "/environ")).contains("\0MALLOC_ARENA_MAX="),
                        "the launcher sets MALLOC_ARENA_MAX");
                s.sigterm();
                assertEquals(0, s.awaitExit(EXIT_BOUND), s.log());
                assertNoJdkWarnings(s.log());
                assertFalse(s.log().contains("native POSIX"), s.log());
            }
            String loads = Files.readString(classLoads);
            assertTrue(loads.contains("dev.gracekeeper.Main source: shared objects file"),
                    "the app's classes come from the AOT cache:\n" + head(loads));
            assertTrue(loads.contains("com.kenai.jffi.Invoker source: file:"),
                    "jffi, which only a drain signal needs at startup, comes from the jar, not the cache:\n" + head(loads));
            assertFalse(loads.contains("jnr.ffi."), "no jnr-ffi bindings are generated for kill()");
        } finally {
            app.destroyForcibly();
        }
    }

    @Test
    void withoutADrainActionTheRuntimeLoadsNoClassOfOkHttpJnrFfiOrJmx() throws Exception {
        Path classLoads = state.resolve("class-load.log");
        Map<String, String> env = Map.of("GRACEKEEPER_DRAIN_DELAY", "0s",
                "GRACEKEEPER_APP_PORTS", Integer.toString(Sidecar.freePort()),
                "JAVA_TOOL_OPTIONS", "-XX:AOTMode=on -Xlog:class+load=info:file=" + classLoads);
        try (Sidecar s = Sidecar.launch(state, env, List.of(RUNTIME.resolve("bin/gracekeeper").toString()))) {
            s.awaitHealthy();
            assertEquals(200, s.get("/readyz").statusCode());
            assertEquals(200, s.get("/shutdown").statusCode());
        }
        List<String> loaded = Files.readAllLines(classLoads).stream().map(l -> l.split(" "))
                .filter(f -> f.length > 1 && f[0].contains("class,load")).map(f -> f[1]).toList();
        ClassFootprintIT.assertNone(loaded, ClassFootprintIT.OKHTTP);
        ClassFootprintIT.assertNone(loaded, ClassFootprintIT.JNR_FFI);
        ClassFootprintIT.assertNone(loaded, ClassFootprintIT.JMX);
        assertTrue(loaded.contains("io.undertow.Undertow"), "the log is of the sidecar: " + loaded.size() + " classes");
    }

    @Test
    void withoutThePreExtractedLibraryTheRuntimeFailsLoudlyInsteadOfDegrading() throws Exception {
        PrivateTmpfs tmp = PrivateTmpfs.in(scratch, "ro,noexec");
        List<String> command = new ArrayList<>(List.of(RUNTIME.resolve("jre/bin/java").toString(),
                tmp.tmpdirProperty()));
        List<String> args = Files.readAllLines(RUNTIME.resolve("lib/gracekeeper.args"));
        assertEquals(1, args.stream().filter(a -> a.startsWith("-Djffi.boot.library.path=")).count(), args.toString());
        args.stream().filter(a -> !a.startsWith("-Djffi.boot.library.path=")).forEach(command::add);
        Map<String, String> env = Map.of("GRACEKEEPER_APP_DRAIN_SIGNAL", "SIGQUIT",
                "GRACEKEEPER_APP_PROCESS", "pidfile:" + state.resolve("app.pid"));
        try (Sidecar s = Sidecar.launch(state, env, tmp.wrap(command))) {
            assertEquals(7, s.awaitExit(EXIT_BOUND), s.log());
            assertTrue(s.log().contains("GRACEKEEPER_APP_DRAIN_SIGNAL needs native POSIX calls (exit 7)"), s.log());
            assertTrue(s.log().contains("jffi.boot.library.path is not set, so jffi extracts its library into"
                    + " java.io.tmpdir=" + tmp.dir), s.log());
            assertNoJdkWarnings(s.log());
        }
    }

    private static void assertNoJdkWarnings(String log) {
        assertFalse(log.lines().anyMatch(l -> l.startsWith(JDK_WARNING)), "no JDK warnings:\n" + log);
    }

    private static String head(String text) {
        return text.lines().limit(20).reduce("", (a, b) -> a + b + "\n");
    }

}
