package dev.gracekeeper.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The plain jar on a temp dir where jffi cannot put its library: a drain signal configured there
 * must stop the sidecar at startup with exit 7 and the fix, never leave it running with a kill()
 * that does nothing.
 */
class NativeUnavailableIT {
    static final Duration EXIT_BOUND = Duration.ofSeconds(20);
    static final Map<String, String> DRAIN_SIGNAL = Map.of("GRACEKEEPER_APP_DRAIN_SIGNAL", "SIGQUIT",
            "GRACEKEEPER_APP_PROCESS", "nginx: master");

    @TempDir Path state;
    @TempDir Path scratch;

    /** jffi's words for each way a temp dir can refuse its library. */
    static Stream<Arguments> refusingTempDirs() {
        return Stream.of(Arguments.of("ro", "Unable to write jffi binary stub to `%s`"),
                Arguments.of("noexec", "Unable to execute or load jffi binary stub from `%s`"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusingTempDirs")
    void aDrainSignalOnATempDirThatRefusesJffiExitsSevenNamingTheCauseAndTheFix(String options, String jffiWords) {
        PrivateTmpfs tmp = PrivateTmpfs.in(scratch, options);
        try (Sidecar s = Sidecar.launch(state, DRAIN_SIGNAL, tmp.wrap(javaJar(tmp)))) {
            assertEquals(7, s.awaitExit(EXIT_BOUND), s.log());
            String log = s.log();
            assertEquals(1, s.logCount(" ERROR main - GRACEKEEPER_APP_DRAIN_SIGNAL needs native POSIX calls (exit 7):"
                    + " native POSIX (libc through jffi) is unavailable: "), log);
            assertTrue(log.contains(jffiWords.formatted(tmp.dir)), log);
            assertTrue(log.contains("jffi.boot.library.path is not set, so jffi extracts its library into"
                    + " java.io.tmpdir=" + tmp.dir + " or else the working directory " + tmp.dir), log);
            assertTrue(log.contains("Fix: pass -Djffi.boot.library.path="), log);
            assertFalse(log.contains(" main - gracekeeper "), "it never listened:\n" + log);
        }
    }

    @Test
    void withoutAFeatureThatNeedsItTheSidecarStartsOnAReadOnlyTempDir() {
        PrivateTmpfs tmp = PrivateTmpfs.in(scratch, "ro");
        try (Sidecar s = Sidecar.launch(state, Map.of("GRACEKEEPER_DRAIN_DELAY", "0s", "GRACEKEEPER_APP_PORTS", "1"),
                tmp.wrap(javaJar(tmp)))) {
            s.awaitHealthy();
            assertEquals("drained", HookIT.field(s.get("/shutdown").body(), "outcome"), s.log());
            assertFalse(s.log().contains("native POSIX"), s.log());
        }
    }

    private static List<String> javaJar(PrivateTmpfs tmp) {
        List<String> cmd = new ArrayList<>(Sidecar.javaJar());
        cmd.add(1, tmp.tmpdirProperty());
        return cmd;
    }
}
