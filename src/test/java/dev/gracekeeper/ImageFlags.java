package dev.gracekeeper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The image's JVM flags, as {@code docker/build-runtime.sh --print-flags} prints them: their one home. */
public final class ImageFlags {
    private ImageFlags() {}

    public static List<String> print() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", "docker/build-runtime.sh", "--print-flags")
                .redirectErrorStream(true);
        pb.environment().remove("JVM_FLAGS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("docker/build-runtime.sh --print-flags still running after 30 s");
        }
        if (p.exitValue() != 0) throw new AssertionError("docker/build-runtime.sh --print-flags exited " + p.exitValue() + ": " + out);
        return out.lines().filter(l -> !l.isBlank()).toList();
    }
}
