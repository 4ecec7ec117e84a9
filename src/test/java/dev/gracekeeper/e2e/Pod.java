package dev.gracekeeper.e2e;

import dev.gracekeeper.NetNs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A pod on this host: a network namespace with its own IP, joined to the host by a veth pair
 * (so the kubelet's hook calls from the host side come from a non-loopback address), and either
 * one shared PID namespace whose PID 1 is {@code catatonit -P} (shareProcessNamespace: true) or a
 * PID namespace per container (the default). Everything it starts it stops, by PID.
 */
final class Pod implements AutoCloseable {
    final String name;
    final String netns;
    final String hostAddress;
    final String ip;
    final boolean sharedPid;
    final Path dir;
    private NetNs net;
    private Process pause;
    private long pausePid = -1;
    private final List<Container> containers = new ArrayList<>();

    private Pod(String name, int index, boolean sharedPid, Path dir) {
        this.name = name;
        long me = ProcessHandle.current().pid() % 10_000;
        this.netns = "gkbed" + me + "p" + index;
        this.hostAddress = "10.215." + index + ".1";
        this.ip = "10.215." + index + ".2";
        this.sharedPid = sharedPid;
        this.dir = dir;
    }

    /** Creates the namespaces; index (1-250) picks the pod's subnet 10.215.index.0/30. */
    static Pod create(String name, int index, boolean sharedPid, Path dir) {
        Pod p = new Pod(name, index, sharedPid, dir);
        try {
            p.net = NetNs.create(p.netns, "b" + (ProcessHandle.current().pid() % 10_000) + "x" + index,
                    "10.215." + index, true);
            if (sharedPid) {
                p.pause = new ProcessBuilder("ip", "netns", "exec", p.netns, "unshare", "--pid", "--fork",
                        "--mount-proc", Bed.CATATONIT.toString(), "-P")
                        .redirectErrorStream(true).redirectOutput(dir.resolve(name + "-pause.log").toFile()).start();
                p.pausePid = Bed.childOf(p.pause.pid(), Duration.ofSeconds(5));
            }
            return p;
        } catch (IOException | RuntimeException e) {
            p.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** Starts a container in the pod (see {@link ContainerRuntime}); its output goes to {@code <dir>/<pod>-<name>.log}. */
    Container start(PodSpec.ContainerSpec spec) {
        Container c = ContainerRuntime.of(spec).start(this, spec, dir.resolve(name + "-" + spec.name() + ".log"));
        synchronized (containers) {
            containers.add(c);
        }
        return c;
    }

    /** A process container from its parts, as a scenario starts one by hand. */
    Container start(String container, List<String> command, Map<String, String> env) {
        return start(PodSpec.ContainerSpec.app(container, command).env(env));
    }

    /** The PID 1 of the shared PID namespace, as the host sees it; -1 without one. */
    long pausePid() { return pausePid; }

    /** The process runtime: the container's command in the pod's namespaces, as its user if it has one. */
    Container startProcess(PodSpec.ContainerSpec spec, Path log) {
        List<String> cmd = new ArrayList<>();
        if (sharedPid) {
            cmd.addAll(List.of("nsenter", "-t", Long.toString(pausePid), "-n", "-p", "-m", "--"));
        } else {
            cmd.addAll(List.of("ip", "netns", "exec", netns, "unshare", "--pid", "--fork", "--mount-proc", "--"));
        }
        spec.security().ifPresent(s -> cmd.addAll(ownedBy(s).processPrefix()));
        cmd.addAll(spec.command());
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().keySet().removeIf(k -> k.startsWith("GRACEKEEPER_") || k.startsWith("POD_"));
            pb.environment().putAll(spec.env());
            Process wrapper = pb.start();
            long pid = Bed.childOf(wrapper.pid(), Duration.ofSeconds(5));
            return new Container(spec.name(), wrapper, pid, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The pod's files become the user's, and the path to them passable, as a volume's would be. */
    private SecurityContext ownedBy(SecurityContext s) {
        Bed.run("chown", "-R", s.runAsUser() + ":" + s.runAsGroup(), dir.toString());
        try {
            for (Path p = dir.getParent(); p != null; p = p.getParent()) {
                var perms = Files.getPosixFilePermissions(p);
                if (perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                    Files.setPosixFilePermissions(p, perms);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s;
    }

    /** A container's main process, seen from the host. */
    static final class Container {
        final String name;
        final Process wrapper;
        final long pid;
        final Path log;

        Container(String name, Process wrapper, long pid, Path log) {
            this.name = name;
            this.wrapper = wrapper;
            this.pid = pid;
            this.log = log;
        }

        void signal(String sig) {
            if (alive()) {
                try {
                    Bed.run("kill", "-s", sig, Long.toString(pid));
                } catch (IllegalStateException e) {
                    // It exited in between: fine. An image's process can be gone while podman run still
                    // reports its exit.
                    if (alive() && !e.getMessage().contains("No such process")) throw e;
                }
            }
        }

        boolean alive() { return wrapper.isAlive(); }

        /** Waits up to {@code bound} for the exit; true if exited. */
        boolean awaitExit(Duration bound) {
            try {
                return wrapper.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        /** The exit status as the runtime reports it (128 + signal for a signal death). */
        int exitCode() { return wrapper.exitValue(); }

        String log() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }
    }

    @Override
    public void close() {
        List<Container> all;
        synchronized (containers) {
            all = new ArrayList<>(containers);
        }
        for (Container c : all) {
            c.signal("KILL");
            c.awaitExit(Duration.ofSeconds(5));
        }
        if (pause != null) {
            pause.destroyForcibly();
            try {
                pause.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (pausePid > 0) ProcessHandle.of(pausePid).ifPresent(ProcessHandle::destroyForcibly);
        }
        if (net != null) net.close();
    }
}
