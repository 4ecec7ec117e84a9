package dev.gracekeeper.it;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The footprint regression guard (bench/footprint-guard.sh): one quick pass of the footprint table
 * over the three configurations, failing only when a row is above twice the figure documented in
 * bench/footprint-baseline.txt in two passes, so that noise never fails the build.
 */
class FootprintGuardIT {
    static final Path WRK = Path.of("/usr/bin/wrk");
    /** A quick pass takes about 25 s, and 15 s more to build target/runtime when no test has yet. */
    static final Duration BOUND = Duration.ofSeconds(300);

    @Test
    void noRowIsTwiceItsDocumentedFigure() throws Exception {
        assumeTrue(Files.isExecutable(RuntimeImageIT.JDK25.resolve("bin/jlink")), "JDK 25 not found at "
                + RuntimeImageIT.JDK25 + " (set -Dgracekeeper.jdk25=<JDK 25 home>): the image runtime is one of the"
                + " configurations the guard measures");
        assumeTrue(Files.isExecutable(WRK), "wrk not found at " + WRK + " (apt-get install wrk; .ci/run does it):"
                + " the guard measures /readyz latency with it");
        Script run = Script.run(BOUND, Map.of("JDK25", RuntimeImageIT.JDK25.toString()), "bench/footprint-guard.sh");
        assertNull(run.failure(BOUND), run.failure(BOUND));
    }
}
