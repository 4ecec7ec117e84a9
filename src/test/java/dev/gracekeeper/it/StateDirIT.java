package dev.gracekeeper.it;

import static dev.gracekeeper.it.HookIT.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gracekeeper.lifecycle.Marker;
import dev.gracekeeper.lifecycle.Phase;
import dev.gracekeeper.lifecycle.Trigger;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    /** The attack as found: a link at the temp name the marker used to be written through. */
    @Test
    void linkPlantedAtTheOldTempNameIsNotWrittenThrough(@TempDir Path elsewhere) throws Exception {
        Path target = Files.writeString(elsewhere.resolve("victim"), "precious\n");
        Files.createSymbolicLink(state.resolve("gracekeeper.marker.tmp"), target);
        try (Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_DRAIN_DELAY", "0s"))) {
            assertEquals("1", field(s.get("/shutdown").body(), "generation"));
            assertEquals("precious\n", Files.readString(target));
            assertTrue(Files.isRegularFile(state.resolve("gracekeeper.marker"), LinkOption.NOFOLLOW_LINKS));
            assertTrue(Files.notExists(state.resolve("gracekeeper.marker.tmp"), LinkOption.NOFOLLOW_LINKS), s.log());
        }
    }

    /**
     * The outside file holds a valid marker of a shutdown in progress: had the sidecar read it, it
     * would resume that shutdown (generation 7) instead of serving generation 1.
     */
    @ParameterizedTest
    @ValueSource(strings = {"symlink", "hardlink", "fifo", "directory"})
    void plantedMarkerIsMovedAsideUnreadAndHooksStillWork(String kind, @TempDir Path elsewhere) throws Exception {
        Instant t0 = Instant.now();
        String resumable = new Marker("", 7, Phase.DRAINING, Optional.of(Trigger.PRESTOP_HOOK), Optional.of(t0),
                List.of(), Optional.empty(), Optional.empty(), "", t0).format();
        Path target = Files.writeString(elsewhere.resolve("victim"), resumable);
        Path marker = state.resolve("gracekeeper.marker");
        switch (kind) {
            case "symlink" -> Files.createSymbolicLink(marker, target);
            case "hardlink" -> Files.createLink(marker, target);
            case "fifo" -> assertTrue(Commands.succeeds("mkfifo", marker.toString()));
            default -> Files.createDirectory(marker);
        }
        try (Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_DRAIN_DELAY", "0s"))) {
            assertEquals(1, s.logCount("not a file of its own; not followed; moved aside"), s.log());
            assertEquals("1", field(s.get("/status").body(), "generation"), "the planted marker was not read");
            assertEquals(200, s.get("/readyz").statusCode());
            assertEquals("1", field(s.get("/shutdown").body(), "generation"));
            assertEquals("already_done", field(s.get("/shutdown").body(), "join"));
            assertEquals(resumable, Files.readString(target), "nothing outside the state dir was written");
            assertTrue(Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS));
            assertEquals(1, (Integer) Files.getAttribute(marker, "unix:nlink"));
        }
    }

    @Test
    void worldWritableStateDirIsAWarningThatSaysHowToMountIt() throws Exception {
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (Sidecar s = Sidecar.start(state, Map.of())) {
            assertEquals(1, s.logCount("is world-writable (mode 0777)"), s.log());
            assertTrue(s.log().contains("mount this volume into the gracekeeper container only"), s.log());
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
