package dev.gracekeeper.lifecycle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the marker file crash-safe: write a temp file, fsync it, rename it over the marker
 * atomically, fsync the directory. A failing state dir never stops the sidecar: the state stays
 * in memory, the error is logged once (and again only after a recovery) and shown in status.
 */
public final class MarkerStore {
    private static final Logger log = LoggerFactory.getLogger("marker");
    public static final String FILE = "gracekeeper.marker";
    static final int MAX_BYTES = 64 * 1024;

    private final Path dir;
    private final Path file;
    private final Path temp;
    private long writtenVersion = -1;                 // guarded by this
    private volatile Optional<String> error = Optional.empty();

    public MarkerStore(Path dir) {
        this.dir = dir;
        this.file = dir.resolve(FILE);
        this.temp = dir.resolve(FILE + ".tmp");
    }

    /** What was found on disk at startup. */
    public sealed interface Load permits Absent, Found, Discarded {}

    public record Absent(String why) implements Load {}

    public record Found(Marker marker) implements Load {}

    public record Discarded(String why, Optional<Path> movedTo) implements Load {}

    public Path file() { return file; }

    /** Empty while the last write (or the startup check) succeeded. */
    public Optional<String> error() { return error; }

    public Load load(String podUid) {
        if (!Files.isDirectory(dir)) {
            fail(missingDir());
            return new Absent("state dir missing");
        }
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                return discard("is larger than " + MAX_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new Absent("no marker at " + file);
        } catch (IOException e) {
            fail("cannot read " + file + ": " + e);
            return new Absent("marker unreadable");
        }
        try {
            Marker m = Marker.parse(new String(bytes, StandardCharsets.UTF_8));
            if (!podUid.isEmpty() && !m.podUid().isEmpty() && !podUid.equals(m.podUid())) {
                return discard("belongs to pod uid " + m.podUid() + ", this pod is " + podUid);
            }
            return new Found(m);
        } catch (Marker.FormatException e) {
            return discard("is unreadable: " + e.getMessage());
        }
    }

    private Load discard(String why) {
        Path aside = dir.resolve(FILE + ".bad-" + System.currentTimeMillis());
        try {
            Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
            log.warn("marker {} {}; moved aside to {}, starting fresh", file, why, aside);
            return new Discarded(why, Optional.of(aside));
        } catch (IOException e) {
            log.warn("marker {} {}; could not move it aside ({}), starting fresh and overwriting it", file, why, e);
            return new Discarded(why, Optional.empty());
        }
    }

    /**
     * Durably replaces the marker, unless a newer version was written already (writers run outside
     * the lifecycle lock and may arrive out of order).
     *
     * @return true when the marker on disk now holds this version
     */
    public synchronized boolean write(Marker marker, long version) {
        if (version <= writtenVersion) return true;
        byte[] bytes = marker.format().getBytes(StandardCharsets.UTF_8);
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        } catch (IOException e) {
            deleteTemp();
            fail(Files.isDirectory(dir) ? "cannot write " + file + ": " + describe(e)
                    + "; the state is kept in memory only" : missingDir());
            return false;
        }
        writtenVersion = version;
        if (error.isPresent()) {
            log.info("marker {} written again after an earlier failure", file);
            error = Optional.empty();
        }
        return true;
    }

    private String missingDir() {
        return "state dir " + dir + " does not exist or is not a directory: mount an emptyDir there"
                + " (GRACEKEEPER_STATE_DIR); until then shutdowns are remembered in memory only";
    }

    private void fail(String message) {
        if (error.isEmpty()) log.error("{}", message);
        error = Optional.of(message);
    }

    private void deleteTemp() {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            log.debug("could not remove {}: {}", temp, e.toString());
        }
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        String kind = e.getClass().getSimpleName();
        if (m != null && m.contains("No space left")) return "the disk is full (" + m + ")";
        if (e instanceof java.nio.file.AccessDeniedException || e instanceof java.nio.file.ReadOnlyFileSystemException
                || (m != null && m.contains("Read-only"))) {
            return "read-only or not writable (" + kind + ": " + m + ")";
        }
        return kind + ": " + m;
    }
}
