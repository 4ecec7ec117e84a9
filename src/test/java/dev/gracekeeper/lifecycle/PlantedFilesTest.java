package dev.gracekeeper.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Someone who can write to the state dir plants things at the names the store uses. Nothing
 * outside the state dir may be read or written, and the store must keep working.
 */
class PlantedFilesTest {
    @TempDir Path root;
    Path dir;
    Path outside;
    static final String OUTSIDE_TEXT = "not gracekeeper's: " + MarkerTest.drained().format();

    enum Plant { SYMLINK, HARD_LINK, FIFO, DIRECTORY }

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createDirectory(root.resolve("state"));
        outside = Files.writeString(root.resolve("outside.txt"), OUTSIDE_TEXT);
        Files.setLastModifiedTime(outside, FileTime.fromMillis(1_000_000_000_000L));
    }

    static void plant(Plant kind, Path at, Path target) throws Exception {
        switch (kind) {
            case SYMLINK -> Files.createSymbolicLink(at, target);
            case HARD_LINK -> Files.createLink(at, target);
            case DIRECTORY -> Files.createDirectory(at);
            case FIFO -> {
                Process p = new ProcessBuilder("mkfifo", at.toString()).inheritIO().start();
                assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo " + at);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Plant.class)
    void plantedMarkerIsMovedAsideUnreadAndTheNextWriteIsARegularFile(Plant kind) throws Exception {
        Path marker = dir.resolve(MarkerStore.FILE);
        plant(kind, marker, outside);
        MarkerStore store = new MarkerStore(dir);
        MarkerStore.Discarded d = assertInstanceOf(MarkerStore.Discarded.class, store.load("uid-1"),
                "a planted " + kind + " is never taken for the marker, whatever the target holds");
        assertTrue(d.why().contains("not a file of its own; not followed"), d.why());
        assertTrue(Files.exists(d.movedTo().orElseThrow(), LinkOption.NOFOLLOW_LINKS));

        assertTrue(store.write(MarkerTest.drained(), 1));
        assertTrue(Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS));
        assertEquals(1, (Integer) Files.getAttribute(marker, "unix:nlink"));
        assertOutsideUntouched();
    }

    @ParameterizedTest
    @EnumSource(Plant.class)
    void plantedAtTheMarkerNameBetweenLoadAndWriteIsMovedAsideNotFollowed(Plant kind) throws Exception {
        MarkerStore store = new MarkerStore(dir);
        assertInstanceOf(MarkerStore.Absent.class, store.load("uid-1"));
        plant(kind, dir.resolve(MarkerStore.FILE), outside);
        assertTrue(store.write(MarkerTest.drained(), 1));
        assertEquals(MarkerTest.drained(), Marker.parse(Files.readString(dir.resolve(MarkerStore.FILE))));
        assertOutsideUntouched();
    }

    @ParameterizedTest
    @EnumSource(Plant.class)
    void plantedTempNamesAreNeverWrittenThrough(Plant kind) throws Exception {
        // The fixed name older versions wrote through, and one a guess of the new prefix.
        for (String name : new String[] {MarkerStore.FILE + ".tmp", MarkerStore.FILE + ".tmp-0000000000000000"}) {
            plant(kind, dir.resolve(name), outside);
        }
        MarkerStore store = new MarkerStore(dir);
        store.load("uid-1");
        assertTrue(store.write(MarkerTest.drained(), 1));
        assertTrue(store.write(MarkerTest.drained(), 2));
        assertEquals(MarkerTest.drained(), new MarkerStore(dir).load("uid-1") instanceof MarkerStore.Found f
                ? f.marker() : null);
        assertOutsideUntouched();
        try (Stream<Path> left = Files.list(dir)) {
            long temps = left.filter(p -> p.getFileName().toString().startsWith(MarkerStore.FILE + ".tmp")).count();
            assertEquals(kind == Plant.DIRECTORY ? 2 : 0, temps, "leftovers removed (directories are left alone)");
        }
    }

    @ParameterizedTest
    @EnumSource(Plant.class)
    void plantedAsideNamesAreLeftAlone(Plant kind) throws Exception {
        Path bad = dir.resolve(MarkerStore.FILE + ".bad-1");
        plant(kind, bad, outside);
        Files.writeString(dir.resolve(MarkerStore.FILE), "format=1\ngeneration=");
        MarkerStore.Discarded d = assertInstanceOf(MarkerStore.Discarded.class, new MarkerStore(dir).load(""));
        assertTrue(d.movedTo().orElseThrow().getFileName().toString().startsWith(MarkerStore.FILE + ".bad-"));
        assertTrue(Files.exists(bad, LinkOption.NOFOLLOW_LINKS), "the planted entry is still there");
        assertOutsideUntouched();
    }

    @Test
    void markerWrittenByAnotherUserIsMovedAsideUnread() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to give a file to another uid");
        Path marker = dir.resolve(MarkerStore.FILE);
        new MarkerStore(dir).write(MarkerTest.drained(), 1);
        Files.setAttribute(marker, "unix:uid", 4321, LinkOption.NOFOLLOW_LINKS);
        MarkerStore.Discarded d = assertInstanceOf(MarkerStore.Discarded.class, new MarkerStore(dir).load("uid-1"));
        assertTrue(d.why().contains("owned by uid 4321"), d.why());
    }

    @Test
    void markerWithoutAPodUidIsNotTakenByASidecarThatKnowsItsPod() throws Exception {
        Marker anonymous = new Marker("", 3, Phase.DRAINING, MarkerTest.drained().firstTrigger(),
                MarkerTest.drained().firstTriggerAt(), List.of("propagation-delay", "idle-wait"), Optional.empty(),
                Optional.empty(), "", MarkerTest.T0);
        new MarkerStore(dir).write(anonymous, 1);
        assertInstanceOf(MarkerStore.Discarded.class, new MarkerStore(dir).load("uid-1"),
                "a planted 'steps already done' marker must not skip this pod's waits");
        new MarkerStore(dir).write(anonymous, 1);
        assertInstanceOf(MarkerStore.Found.class, new MarkerStore(dir).load(""));
    }

    @Test
    void thousandsOfPlantedTempNamesAreCleanedAFewAtEachStart() throws Exception {
        for (int i = 0; i < 200; i++) Files.createSymbolicLink(dir.resolve(MarkerStore.FILE + ".tmp-x" + i), outside);
        new MarkerStore(dir).load("");
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(200 - MarkerStore.MAX_CLEANED, left.count());
        }
        assertOutsideUntouched();
    }

    private void assertOutsideUntouched() throws Exception {
        assertEquals(OUTSIDE_TEXT, Files.readString(outside));
        assertEquals(1_000_000_000_000L, Files.getLastModifiedTime(outside).toMillis());
    }
}
