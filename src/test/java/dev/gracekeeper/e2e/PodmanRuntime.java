package dev.gracekeeper.e2e;

import dev.gracekeeper.config.Var;
import dev.gracekeeper.e2e.PodSpec.ContainerSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a container from its image with podman, in the pod's network namespace and, with
 * shareProcessNamespace, its PID namespace ({@code --network ns:/run/netns/NAME}, {@code --pid
 * ns:/proc/PID/ns/pid}), with its securityContext. {@code podman run} stays attached: its output is
 * the container's log and its exit status the container's; the process the kubelet emulator
 * signals is the container's own PID 1 process as the host sees it (from {@code --pidfile}).
 * Never podman's bridge network.
 */
final class PodmanRuntime implements ContainerRuntime {
    static final PodmanRuntime INSTANCE = new PodmanRuntime();
    /** -Dgracekeeper.podman=/nonexistent runs the bed as on a machine without podman. */
    static final Path PODMAN = Path.of(System.getProperty("gracekeeper.podman", "/usr/bin/podman"));
    /** The first line of a container's log: the podman command line, which is not the container's output. */
    static final String COMMAND_LINE = "# podman: ";
    /** podman run until the container's process exists: about 0.3 s, far more on a busy machine. */
    static final Duration START_BOUND = Duration.ofSeconds(60);
    private static final AtomicInteger NEXT = new AtomicInteger();

    private PodmanRuntime() {}

    @Override
    public Pod.Container start(Pod pod, ContainerSpec c, Path log) {
        Image image = c.image().orElseThrow();
        String name = pod.netns + "-" + c.name() + "-" + NEXT.incrementAndGet();
        Path pidfile = pod.dir.resolve(name + ".pid");
        List<String> cmd = new ArrayList<>(List.of(PODMAN.toString(), "run", "--rm", "--name", name, "--pidfile",
                pidfile.toString(), "--network", "ns:/run/netns/" + pod.netns));
        if (pod.sharedPid) cmd.addAll(List.of("--pid", "ns:/proc/" + pod.pausePid() + "/ns/pid"));
        c.security().ifPresent(s -> cmd.addAll(s.podmanFlags()));
        image.volumes().forEach((host, mountPath) -> cmd.addAll(List.of("-v", emptyDir(host) + ":" + mountPath)));
        // The kubelet's projected service-account volume: the API stand-in's token and CA, read-only.
        String account = c.env().get(Var.SERVICEACCOUNT_DIR.envName());
        if (account != null && !account.isEmpty()) cmd.addAll(List.of("-v", account + ":" + account + ":ro"));
        c.env().forEach((k, v) -> cmd.addAll(List.of("-e", k + "=" + v)));
        cmd.add(image.name());
        try {
            Files.writeString(log, COMMAND_LINE + String.join(" ", cmd) + "\n", java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            Process run = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            long[] pid = {-1};
            Bed.await(START_BOUND, "podman ran container " + name + " (log " + log + ")", () -> {
                if (!run.isAlive()) throw new AssertionError("podman run of " + name + " exited " + run.exitValue()
                        + " before its process started:\n" + read(log));
                pid[0] = pidOf(pidfile);
                return pid[0] > 0;
            });
            return new Pod.Container(c.name(), run, pid[0], log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path emptyDir(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long pidOf(Path pidfile) {
        try {
            String text = Files.readString(pidfile).trim();
            return text.isEmpty() ? -1 : Long.parseLong(text);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
