package dev.gracekeeper.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MarkerStoreTest {
    @TempDir Path dir;

    @Test
    void writtenMarkerLoadsBackAndLeavesNoTempFile() throws Exception {
        MarkerStore store = new MarkerStore(dir);
        assertTrue(store.write(MarkerTest.drained(), 1));
        MarkerStore.Load load = new MarkerStore(dir).load("uid-1");
        assertEquals(MarkerTest.drained(), assertInstanceOf(MarkerStore.Found.class, load).marker());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "only the marker itself remains");
        }
    }

    @Test
    void olderVersionNeverOverwritesANewerOne() throws Exception {
        MarkerStore store = new MarkerStore(dir);
        store.write(MarkerTest.drained(), 5);
        Marker older = new Marker("uid-1", 3, Phase.SERVING, java.util.Optional.empty(), java.util.Optional.empty(),
                java.util.List.of(), java.util.Optional.empty(), java.util.Optional.empty(), "", MarkerTest.T0);
        store.write(older, 4);
        assertEquals(Phase.DRAINED, Marker.parse(Files.readString(store.file())).phase());
    }

    @Test
    void corruptMarkerIsMovedAsideAndReported() throws Exception {
        Files.writeString(dir.resolve(MarkerStore.FILE), "format=1\ngeneration=");
        MarkerStore.Load load = new MarkerStore(dir).load("");
        MarkerStore.Discarded d = assertInstanceOf(MarkerStore.Discarded.class, load);
        assertEquals("is unreadable: truncated: the last line has no newline", d.why());
        assertTrue(Files.exists(d.movedTo().orElseThrow()));
        assertFalse(Files.exists(dir.resolve(MarkerStore.FILE)));
    }

    @Test
    void markerOfAnotherPodIsDiscarded() throws Exception {
        new MarkerStore(dir).write(MarkerTest.drained(), 1);
        MarkerStore.Load load = new MarkerStore(dir).load("uid-2");
        assertEquals("belongs to pod uid uid-1, this pod is uid-2",
                assertInstanceOf(MarkerStore.Discarded.class, load).why());
    }

    @Test
    void oversizedMarkerIsDiscardedWithoutReadingIt() throws Exception {
        Files.write(dir.resolve(MarkerStore.FILE), new byte[MarkerStore.MAX_BYTES + 1]);
        assertEquals("is larger than 65536 bytes",
                assertInstanceOf(MarkerStore.Discarded.class, new MarkerStore(dir).load("")).why());
    }

    @Test
    void missingStateDirIsAnErrorButNotAFailure() {
        MarkerStore store = new MarkerStore(dir.resolve("not-mounted"));
        assertInstanceOf(MarkerStore.Absent.class, store.load(""));
        assertTrue(store.error().orElseThrow().contains("does not exist or is not a directory: mount an emptyDir"));
        assertFalse(store.write(MarkerTest.drained(), 1));
        assertFalse(Files.exists(dir.resolve("not-mounted")), "a missing state dir is never created");
    }

    @Test
    void writeFailureRecoversWhenTheDirectoryComesBack() throws Exception {
        Path sub = dir.resolve("late");
        MarkerStore store = new MarkerStore(sub);
        assertFalse(store.write(MarkerTest.drained(), 1));
        assertTrue(store.error().isPresent());
        Files.createDirectory(sub);
        assertTrue(store.write(MarkerTest.drained(), 2));
        assertTrue(store.error().isEmpty());
    }
}
