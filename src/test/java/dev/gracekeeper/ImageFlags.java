package dev.gracekeeper;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The image's JVM flags, as {@code docker/build-runtime.sh --print-flags} prints them: their one home. */
public final class ImageFlags {
    private ImageFlags() {}

    public static List<String> print() throws IOException, InterruptedException {
        Path out = Files.createTempFile("print-flags-", ".out");
        Path err = Files.createTempFile("print-flags-", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder("bash", "docker/build-runtime.sh", "--print-flags")
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(new File("/dev/null"));
            pb.environment().remove("JVM_FLAGS");
            Process p = pb.start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("docker/build-runtime.sh --print-flags still running after 30 s");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("docker/build-runtime.sh --print-flags exited " + p.exitValue() + ": "
                        + Files.readString(err));
            }
            return Files.readAllLines(out).stream().filter(l -> !l.isBlank()).toList();
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
