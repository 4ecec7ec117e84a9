package dev.gracekeeper.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A project script run to completion within a bound, its output printed into the test's output.
 * On the bound it gets SIGTERM, its children first, so that its traps clean up what it started.
 */
public record Script(String name, boolean finished, int exitCode, String output) {

    public static Script run(Duration bound, Map<String, String> env, String script, String... args)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("script-", ".log");
        List<String> cmd = new ArrayList<>(List.of("bash", script));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        boolean done = p.waitFor(bound.toSeconds(), TimeUnit.SECONDS);
        if (!done) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            p.waitFor(20, TimeUnit.SECONDS);
        }
        String output = Files.readString(log);
        System.out.println(output);
        return new Script(script, done, done ? p.exitValue() : -1, output);
    }

    /** Why the run failed, with its output; null when it finished with exit 0. */
    public String failure(Duration bound) {
        if (!finished) return name + " still running after " + bound.toSeconds() + " s:\n" + output;
        return exitCode == 0 ? null : name + " exited " + exitCode + ":\n" + output;
    }
}
