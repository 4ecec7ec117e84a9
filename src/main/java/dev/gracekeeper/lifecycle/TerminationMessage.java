package dev.gracekeeper.lifecycle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a one-line summary of the last shutdown where Kubernetes shows it in the container's
 * status ({@code kubectl describe pod}), if that file is writable.
 */
public final class TerminationMessage {
    private static final Logger log = LoggerFactory.getLogger("termination");
    /** Kubernetes reads at most 4096 bytes of a termination message. */
    static final int MAX = 4096;

    private final Path path;
    private final boolean enabled;

    /**
     * @param create whether a missing file may be created (see Config#terminationMessageMayBeCreated)
     */
    public TerminationMessage(Path path, boolean create) {
        this.path = path;
        this.enabled = Files.exists(path) ? Files.isRegularFile(path) && Files.isWritable(path)
                : create && path.getParent() != null && Files.isWritable(path.getParent());
        if (!enabled) {
            log.info("termination message disabled: {} {}", path, Files.exists(path) ? "is not a writable file"
                    : "does not exist" + (create ? " and its directory is not writable" : ""));
        }
    }

    public void write(String summary) {
        if (!enabled) return;
        byte[] b = summary.getBytes(StandardCharsets.UTF_8);
        try {
            Files.write(path, b.length > MAX ? java.util.Arrays.copyOf(b, MAX) : b, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        } catch (IOException e) {
            log.warn("cannot write the termination message to {}: {}", path, e.toString());
        }
    }
}
