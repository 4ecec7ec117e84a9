package dev.gracekeeper.it;

import static dev.gracekeeper.it.HookIT.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state dir can be wrong in every way; the sidecar must say so and keep serving hooks. */
class StateDirIT {
    @TempDir Path state;

    @Test
    void corruptMarkerIsMovedAsideWithOneLogLineAndTheSidecarStarts() throws Exception {
        Files.writeString(state.resolve("gracekeeper.marker"), "format=1\ngeneration=4\nphase=dra");
        try (Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_DRAIN_DELAY", "0s"))) {
            assertEquals(1, s.logCount("moved aside"), s.log());
            assertTrue(s.log().contains("is unreadable: truncated: the last line has no newline"), s.log());
            assertEquals(200, s.get("/readyz").statusCode());
            try (Stream<Path> files = Files.list(state)) {
                assertEquals(1, files.filter(p -> p.getFileName().toString().startsWith("gracekeeper.marker.bad-")).count());
            }
        }
    }

    @Test
    void markerOfAnUnknownFormatVersionIsMovedAside() throws Exception {
        Files.writeString(state.resolve("gracekeeper.marker"), "format=9\n");
        try (Sidecar s = Sidecar.start(state, Map.of())) {
            assertTrue(s.log().contains("format=9 is not supported (this version reads format 1)"), s.log());
            assertEquals("1", field(s.get("/status").body(), "generation"));
        }
    }

    @Test
    void missingStateDirIsReportedAndHooksAreServedFromMemory() {
        Path missing = state.resolve("not-mounted");
        try (Sidecar s = Sidecar.start(missing, Map.of("GRACEKEEPER_DRAIN_DELAY", "0s"))) {
            assertOnlyMemory(s, "does not exist or is not a directory: mount an emptyDir there");
            assertTrue(Files.notExists(missing));
        }
    }

    @Test
    void readOnlyStateDirIsReportedAndHooksAreServedFromMemory() throws Exception {
        assumeTrue(mount("-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", state.toString()),
                "needs root to mount a read-only tmpfs (chmod does not stop root)");
        try (Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_DRAIN_DELAY", "0s"))) {
            assertOnlyMemory(s, "read-only or not writable");
        } finally {
            mount("umount", state.toString());
        }
    }

    @Test
    void fullStateDirIsReportedAndHooksAreServedFromMemory() throws Exception {
        assumeTrue(mount("-t", "tmpfs", "-o", "size=8k", "tmpfs", state.toString()), "needs root to mount a tmpfs");
        try {
            Process fill = new ProcessBuilder("dd", "if=/dev/zero", "of=" + state.resolve("fill"), "bs=4k", "count=16")
                    .redirectErrorStream(true).start();
            assertTrue(fill.waitFor(10, TimeUnit.SECONDS));
            try (Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_DRAIN_DELAY", "0s"))) {
                assertOnlyMemory(s, "the disk is full");
            }
        } finally {
            mount("umount", state.toString());
        }
    }

    private static void assertOnlyMemory(Sidecar s, String reason) {
        String status = s.get("/status").body();
        assertEquals("false", field(status, "ok"), status);
        assertTrue(field(status, "error").contains(reason), status);
        assertEquals(1, s.logCount(reason), "logged once, not per write:\n" + s.log());
        assertEquals("1", field(s.get("/shutdown").body(), "generation"));
        assertEquals("already_done", field(s.get("/shutdown").body(), "join"), "deduplicated in memory");
        assertEquals("2", field(s.get("/poststart").body(), "generation"));
        assertTrue(s.get("/metrics").body().contains("gracekeeper_marker_ok 0\n"));
    }

    /** Runs mount (or umount when the first argument is "umount"); false when not permitted. */
    static boolean mount(String... args) {
        return Commands.succeeds(args[0].equals("umount") ? args
                : Stream.concat(Stream.of("mount"), Stream.of(args)).toArray(String[]::new));
    }
}
