package dev.gracekeeper.e2e;

import dev.gracekeeper.it.Script;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The gracekeeper image for the pod bed, built once per test JVM by {@code docker/test-image.sh
 * --build-only} (seconds when nothing changed since the last build on this machine). Without
 * podman the bed runs the jar instead and says so; a failed build fails the tests that wanted it.
 */
final class Images {
    static final String GRACEKEEPER = "localhost/gracekeeper:dev";
    /** The image's user, distroless's nonroot. */
    static final long NONROOT = 65532;
    /** A cold build on a busy 2-core machine, base stand-ins included, took about 300 s. */
    static final Duration BUILD_BOUND = Duration.ofSeconds(540);
    private static Optional<String> built;
    private static String failure;

    private Images() {}

    /** The built image's name, or empty (the reason printed) when podman is not here. */
    static synchronized Optional<String> gracekeeper() {
        if (built == null) built = build();
        if (failure != null) throw new AssertionError(failure);
        return built;
    }

    private static Optional<String> build() {
        if (!Files.isExecutable(PodmanRuntime.PODMAN)) {
            System.out.println("pod bed: no podman at " + PodmanRuntime.PODMAN + " (.ci/run installs it), so the"
                    + " sidecar runs from target/gracekeeper.jar, not from the image");
            return Optional.empty();
        }
        try {
            Script run = Script.run(BUILD_BOUND, Map.of(), "docker/test-image.sh", "--build-only");
            failure = run.failure(BUILD_BOUND);
        } catch (java.io.IOException e) {
            failure = "docker/test-image.sh --build-only: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted while building the image";
        }
        return Optional.of(GRACEKEEPER);
    }
}
