package dev.gracekeeper.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A temp dir the way a pod with {@code readOnlyRootFilesystem: true} (or a noexec emptyDir) gives
 * it: a tmpfs mounted read-only or noexec, in a mount namespace of the child's own, so nothing
 * outside sees it and it goes away with the child. The child runs in it, and callers point
 * {@code java.io.tmpdir} at it ({@link #tmpdirProperty}): the two places jffi tries to extract its
 * library to.
 *
 * <p>It is mounted on a directory of its own, not over /tmp, which may hold the checkout itself.
 */
final class PrivateTmpfs {
    final Path dir;
    final String options;

    private PrivateTmpfs(Path dir, String options) {
        this.dir = dir;
        this.options = options;
    }

    /** {@code parent}/tmp, made empty now, which the child will see as a tmpfs mounted with these options. */
    static PrivateTmpfs in(Path parent, String options) {
        assumeTrue(Commands.succeeds("unshare", "-m", "true"), "needs root (or CAP_SYS_ADMIN) for `unshare -m` and a"
                + " tmpfs mount that only the child sees; run the integration tests as root");
        try {
            return new PrivateTmpfs(Files.createDirectory(parent.resolve("tmp")), options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The command wrapped: mount the tmpfs, make it the working directory, then exec the command. */
    List<String> wrap(List<String> command) {
        List<String> full = new ArrayList<>(List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs -o \"$1\",size=1m tmpfs \"$2\" && cd \"$2\" && shift 2"
                        + " && exec \"$@\"", "sh", options, dir.toString()));
        full.addAll(command);
        return full;
    }

    /** {@code -Djava.io.tmpdir} pointing at the tmpfs. */
    String tmpdirProperty() {
        return "-Djava.io.tmpdir=" + dir;
    }
}
