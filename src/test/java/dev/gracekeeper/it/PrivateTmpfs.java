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
 * outside sees it and it goes away with the child. The child runs with it as working directory
 * and {@code TMPDIR}, the places jffi tries when it extracts its library.
 *
 * <p>The directory is made under target/, not /tmp: a checkout may itself live under /tmp.
 */
final class PrivateTmpfs {
    final Path dir;
    final String options;

    private PrivateTmpfs(Path dir, String options) {
        this.dir = dir;
        this.options = options;
    }

    /** A fresh empty directory that the child will see as a tmpfs mounted with these options. */
    static PrivateTmpfs of(String options) {
        assumeTrue(Commands.succeeds("unshare", "-m", "true"), "needs root (or CAP_SYS_ADMIN) for `unshare -m` and a tmpfs mount that only the"
                + " child sees; run the integration tests as root");
        try {
            Files.createDirectories(Path.of("target"));
            return new PrivateTmpfs(Files.createTempDirectory(Path.of("target").toAbsolutePath(), "tmpfs-"), options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The command wrapped: mount the tmpfs, make it the working directory, then exec the command. */
    List<String> wrap(List<String> command) {
        List<String> full = new ArrayList<>(List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs -o \"$1\",size=1m tmpfs \"$2\" && cd \"$2\" && export TMPDIR=\"$2\" && shift 2"
                        + " && exec \"$@\"", "sh", options, dir.toString()));
        full.addAll(command);
        return full;
    }

    /** {@code -Djava.io.tmpdir} pointing at the tmpfs. */
    String tmpdirProperty() {
        return "-Djava.io.tmpdir=" + dir;
    }
}
