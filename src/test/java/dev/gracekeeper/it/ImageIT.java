package dev.gracekeeper.it;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The image users deploy: docker/test-image.sh builds docker/Dockerfile, unchanged, with podman and
 * runs it as a pod spec would (read-only root and /tmp, UID 65532, no capabilities), through a
 * postStart, a shutdown whose drain signal crosses into another process of the pod, {@code podman
 * stop} and the exit-7 check. Needs root and podman (.ci/run installs it).
 */
class ImageIT {
    static final Path PODMAN = Path.of("/usr/bin/podman");
    /** A fresh machine: about 310 s on a busy 2-core machine (stand-ins 150 s); a new commit 120 s; unchanged 10 s. */
    static final Duration BOUND = Duration.ofSeconds(540);
    /** What the script prints for each step that a pod relies on. */
    static final List<String> STEPS = List.of("test-image: built localhost/gracekeeper:dev in ",
            "test-image: started read-only as 65532 ", "test-image: postStart 200, /shutdown drained",
            "test-image: podman stop: exit 0 in ", "test-image: without jffi.boot.library.path: exit 7",
            "test-image: PASS in ");

    @Test
    void theImageBuildsAndRunsReadOnlyThroughAShutdownAndStopsWithExitZero() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root: podman runs rootful here, in"
                + " network and PID namespaces the script makes");
        assumeTrue(Files.isExecutable(PODMAN), "needs podman at " + PODMAN + " (.ci/run installs it, or run"
                + " docker/test-image.sh as root once, which installs podman, runc and mmdebstrap)");
        Script run = Script.run(BOUND, Map.of(), "docker/test-image.sh");
        assertNull(run.failure(BOUND), run.failure(BOUND));
        for (String step : STEPS) assertTrue(run.output().contains(step), "no '" + step + "' in:\n" + run.output());
    }
}
