package dev.gracekeeper.os;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * File access for a directory that someone else may also write to (the state dir is an emptyDir
 * that a pod spec can mount into the app container too). Nothing here follows a symbolic link,
 * opens a FIFO, device or directory, or reads a file that has a second name elsewhere.
 */
public final class NoFollow {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final int S_IFMT = 0170000, S_IFREG = 0100000, S_IFLNK = 0120000, S_IFDIR = 0040000,
            S_IFIFO = 0010000;

    private NoFollow() {}

    /** What sits at a name, seen without following it. */
    public enum Kind { ABSENT, REGULAR, SYMLINK, HARD_LINK, FOREIGN, DIRECTORY, FIFO, OTHER }

    /** @param detail says what it is, for a log line, e.g. "a symbolic link to /etc/passwd" */
    public record Entry(Kind kind, String detail) {
        public boolean isPlainFile() { return kind == Kind.REGULAR; }
    }

    public static Entry inspect(Path p) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(p, "unix:mode,nlink,uid", NOFOLLOW);
        } catch (NoSuchFileException e) {
            return new Entry(Kind.ABSENT, "nothing");
        }
        int mode = (Integer) a.get("mode");
        int links = (Integer) a.get("nlink");
        int owner = (Integer) a.get("uid");
        int self = selfUid();
        return switch (mode & S_IFMT) {
            case S_IFREG -> links != 1
                    ? new Entry(Kind.HARD_LINK, "a file with " + links + " hard links (one may be outside the state dir)")
                    : self >= 0 && owner != self ? new Entry(Kind.FOREIGN, "a file owned by uid " + owner
                            + ", not this process's uid " + self + " (another container wrote it)")
                    : new Entry(Kind.REGULAR, "a regular file");
            case S_IFLNK -> new Entry(Kind.SYMLINK, "a symbolic link to " + Untrusted.clip(target(p), 120));
            case S_IFDIR -> new Entry(Kind.DIRECTORY, "a directory");
            case S_IFIFO -> new Entry(Kind.FIFO, "a FIFO");
            default -> new Entry(Kind.OTHER, "a special file (mode " + Integer.toOctalString(mode) + ")");
        };
    }

    /**
     * Reads a regular file of at most {@code max} bytes without following a link. Opened read-write
     * where possible: that never blocks, even on a FIFO swapped in after {@link #inspect}, whose
     * size then reads as 0. The size comes from the opened file, not from its name.
     *
     * @return the bytes, or empty when the file is larger than {@code max}
     */
    public static Optional<byte[]> read(Path p, int max) throws IOException {
        try (FileChannel ch = open(p)) {
            long size = ch.size();
            if (size > max) return Optional.empty();
            ByteBuffer buf = ByteBuffer.allocate((int) size);
            while (buf.hasRemaining() && ch.read(buf) > 0) { /* until full or end of file */ }
            return Optional.of(Arrays.copyOf(buf.array(), buf.position()));
        }
    }

    private static FileChannel open(Path p) throws IOException {
        try {
            return FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE, NOFOLLOW);
        } catch (FileSystemException e) {
            // Only a read-only file system earns a read-only open: nobody can swap a FIFO in there.
            // Anything else (no permission: a file someone else owns) is not ours to read.
            String reason = e.getReason();
            if (reason == null || !reason.contains("Read-only file system")) throw e;
            return FileChannel.open(p, StandardOpenOption.READ, NOFOLLOW);
        }
    }

    /** Creates a new file exclusively (O_CREAT|O_EXCL never follows a link) and opens it for writing. */
    public static FileChannel createNew(Path p) throws IOException {
        OpenOption[] options = {StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, NOFOLLOW};
        return FileChannel.open(p, options);
    }

    /**
     * Why others could plant files in {@code dir}, if they could: writable by group or world, or
     * owned by another user. The directory itself is followed: the user configured that path.
     */
    public static Optional<String> sharedWarning(Path dir) {
        try {
            Map<String, Object> a = Files.readAttributes(dir, "unix:mode,uid");
            int mode = (Integer) a.get("mode") & 07777;
            int owner = (Integer) a.get("uid");
            int self = selfUid();
            StringBuilder why = new StringBuilder();
            if ((mode & 0022) != 0) {
                why.append((mode & 0002) != 0 ? "world-writable" : "group-writable")
                        .append(" (mode ").append(String.format("%04o", mode)).append(")");
            }
            if (owner != self) {
                if (!why.isEmpty()) why.append(" and ");
                why.append("owned by uid ").append(owner).append(", not this process's uid ").append(self);
            }
            return why.isEmpty() ? Optional.empty() : Optional.of(why.toString());
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** This process's effective uid, as the owner of /proc/self; -1 when unknown. */
    static int selfUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static String target(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            return "(unreadable target)";
        }
    }
}
