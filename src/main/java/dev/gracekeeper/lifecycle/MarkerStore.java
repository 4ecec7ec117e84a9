package dev.gracekeeper.lifecycle;

import dev.gracekeeper.config.Var;
import dev.gracekeeper.os.NoFollow;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the marker file whole whenever the sidecar stops: write a temp file, rename it over the
 * marker atomically, so a sidecar that starts again reads either the old marker or the new one.
 * Nothing is fsynced: what the marker guards against (a hook sent again, a sidecar restarted, a
 * liveness restart) happens within one boot of the node, where every reader sees a renamed file at
 * once; after a node crash a torn marker is moved aside as unreadable, and an older one gives way
 * to a new generation once the postStart hook or the restart watch sees the new app instance. Two
 * fsyncs per write cost about half a millisecond each on the path that answers the kubelet. A
 * failing state dir never stops the sidecar: the state stays in memory, the error is logged once
 * (and again only after a recovery) and shown in status.
 *
 * <p>The state dir may be shared with a container that is not trusted, so no name in it is
 * trusted: the temp file is created exclusively under a fresh random name, and a link, FIFO,
 * directory or hard-linked file found at the marker's name is moved aside, never followed or read
 * (see {@link NoFollow}).
 */
public final class MarkerStore {
    private static final Logger log = LoggerFactory.getLogger("marker");
    public static final String FILE = "gracekeeper.marker";
    static final int MAX_BYTES = 64 * 1024;
    static final int MAX_CLEANED = 64;

    private final Path dir;
    private final Path file;
    private static final String TEMP_PREFIX = FILE + ".tmp";
    private long writtenVersion = -1;                 // guarded by this
    private volatile Optional<String> error = Optional.empty();

    public MarkerStore(Path dir) {
        this.dir = dir;
        this.file = dir.resolve(FILE);
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
        NoFollow.sharedWarning(dir).ifPresent(why -> log.warn("state dir {} is {}: a container that also mounts it"
                + " could plant links or files at the marker's names; gracekeeper refuses them, but mount this"
                + " volume into the gracekeeper container only", dir, why));
        removeStaleTemps();
        byte[] bytes;
        try {
            NoFollow.Entry entry = NoFollow.inspect(file);
            if (entry.kind() == NoFollow.Kind.ABSENT) return new Absent("no marker at " + file);
            if (!entry.isPlainFile()) return discard("is " + entry.detail() + ", not a file of its own; not followed");
            Optional<byte[]> read = NoFollow.read(file, MAX_BYTES);
            if (read.isEmpty()) return discard("is larger than " + MAX_BYTES + " bytes");
            bytes = read.get();
        } catch (NoSuchFileException e) {
            return new Absent("no marker at " + file);
        } catch (IOException e) {
            fail("cannot read " + file + ": " + e);
            return new Absent("marker unreadable");
        }
        try {
            Marker m = Marker.parse(new String(bytes, StandardCharsets.UTF_8));
            // A marker without a pod uid is accepted only by a sidecar that has none either: one that
            // knows its pod must not resume a shutdown someone else wrote down.
            if (!podUid.isEmpty() && !podUid.equals(m.podUid())) {
                return discard("belongs to pod uid " + m.podUid() + ", this pod is " + podUid);
            }
            return new Found(m);
        } catch (Marker.FormatException e) {
            return discard("is unreadable: " + e.getMessage());
        }
    }

    private Load discard(String why) {
        Optional<Path> aside = moveAside();
        if (aside.isPresent()) {
            log.warn("marker {} {}; moved aside to {}, starting fresh", file, why, aside.get());
        } else {
            log.warn("marker {} {}; could not move it aside, starting fresh and replacing it", file, why);
        }
        return new Discarded(why, aside);
    }

    /** Renames whatever is at the marker's name to a fresh name; rename(2) never follows a link. */
    private Optional<Path> moveAside() {
        Path aside = dir.resolve(FILE + ".bad-" + System.currentTimeMillis() + "-" + randomHex(4));
        try {
            Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
            return Optional.of(aside);
        } catch (IOException e) {
            log.debug("could not move {} aside: {}", file, e.toString());
            return Optional.empty();
        }
    }

    /**
     * A crash between create and rename leaves a temp file; older versions used one fixed name.
     * At most {@link #MAX_CLEANED} a start: thousands planted there must not hold the startup.
     */
    private void removeStaleTemps() {
        int removed = 0;
        int seen = 0;
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, TEMP_PREFIX + "*")) {
            for (Path t : temps) {
                if (++seen > MAX_CLEANED) break;
                try {
                    if (NoFollow.inspect(t).kind() == NoFollow.Kind.DIRECTORY) continue;
                    if (Files.deleteIfExists(t)) removed++;     // unlink removes a link itself, never its target
                } catch (IOException e) {
                    log.debug("could not remove {}: {}", t, e.toString());
                }
            }
        } catch (IOException | java.nio.file.DirectoryIteratorException e) {
            log.debug("could not clean temp files in {}: {}", dir, e.toString());
        }
        if (removed > 0) log.info("removed {} leftover temp file(s) {}* in {}", removed, TEMP_PREFIX, dir);
    }

    /**
     * Replaces the marker atomically, unless a newer version was written already (writers run outside
     * the lifecycle lock and may arrive out of order).
     *
     * @return true when the marker on disk now holds this version
     */
    public synchronized boolean write(Marker marker, long version) {
        if (version <= writtenVersion) return true;
        byte[] bytes = marker.format().getBytes(StandardCharsets.UTF_8);
        Path temp = null;
        try {
            temp = createTemp(bytes);
            NoFollow.Entry there = NoFollow.inspect(file);
            if (there.kind() != NoFollow.Kind.ABSENT && !there.isPlainFile()) {
                Optional<Path> aside = moveAside();
                log.warn("marker name {} held {}, not a file of its own; {} without following it", file,
                        there.detail(), aside.map(a -> "moved it aside to " + a).orElse("replacing it"));
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
        } catch (IOException e) {
            deleteTemp(temp);
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

    /** Writes a temp file created exclusively under a fresh name, so nothing planted is opened. */
    private Path createTemp(byte[] bytes) throws IOException {
        for (int attempt = 1; ; attempt++) {
            Path temp = dir.resolve(TEMP_PREFIX + "-" + randomHex(8));
            try (FileChannel ch = NoFollow.createNew(temp)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) ch.write(buf);
                return temp;
            } catch (FileAlreadyExistsException e) {
                if (attempt == 3) throw e;   // 64 random bits taken three times: someone is guessing
            } catch (IOException e) {
                deleteTemp(temp);
                throw e;
            }
        }
    }

    private String missingDir() {
        return "state dir " + dir + " does not exist or is not a directory: mount an emptyDir there"
                + " (" + Var.STATE_DIR.envName() + "); until then shutdowns are remembered in memory only";
    }

    private void fail(String message) {
        if (error.isEmpty()) log.error("{}", message);
        error = Optional.of(message);
    }

    private void deleteTemp(Path temp) {
        if (temp == null) return;
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
        if (e instanceof AccessDeniedException || e instanceof java.nio.file.ReadOnlyFileSystemException
                || (m != null && m.contains("Read-only"))) {
            return "read-only or not writable (" + kind + ": " + m + ")";
        }
        return kind + ": " + m;
    }

    /**
     * Unguessable from another container, which cannot see this JVM's generator; O_EXCL, not the
     * name, is what keeps a planted file from being opened. SecureRandom would add its providers'
     * start-up to the first hook for no gain.
     */
    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
