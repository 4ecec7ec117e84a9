package dev.gracekeeper.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A Service: n pods of one spec behind the load balancer, each driven by its own kubelet. */
final class Replicas implements AutoCloseable {
    final Timeline timeline = new Timeline();
    final List<Pod> pods = new ArrayList<>();
    final List<Kubelet> kubelets = new ArrayList<>();
    final Lb lb;
    final Path dir;

    private static final java.util.concurrent.atomic.AtomicInteger NEXT_SUBNET = new java.util.concurrent.atomic.AtomicInteger(
            (int) (ProcessHandle.current().pid() % 50) * 4);

    /** A pod subnet index not used before in this JVM. */
    static int nextSubnet() { return 1 + NEXT_SUBNET.getAndIncrement() % 250; }

    Replicas(Path dir, int n, Specs.Options options, Lb.Mode mode, Duration lagMin, Duration lagMax) {
        this(dir, n, (name, podDir) -> Specs.pod(name, podDir, options), Specs.APP_PORT, mode, lagMin, lagMax);
    }

    /** n pods from {@code specs} (pod name, pod dir), balanced on {@code appPort}. */
    Replicas(Path dir, int n, java.util.function.BiFunction<String, Path, PodSpec> specs, int appPort, Lb.Mode mode,
             Duration lagMin, Duration lagMax) {
        this.dir = dir;
        Lb started = null;
        try {
            for (int i = 0; i < n; i++) {
                String name = "pod" + i;
                Path podDir = Files.createDirectories(dir.resolve(name));
                PodSpec spec = specs.apply(name, podDir);
                Pod pod = Pod.create(name, nextSubnet(), spec.shareProcessNamespace(), podDir);
                pods.add(pod);
                kubelets.add(new Kubelet(spec, pod, timeline, Duration.ofMillis(500)));
            }
            started = Lb.start(dir, mode, freePort(), appPort, pods, timeline, lagMin, lagMax);
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | AssertionError e) {
            close();
            throw e;
        }
        lb = started;
        for (int i = 0; i < n; i++) {
            String name = pods.get(i).name;
            kubelets.get(i).onReadiness(ready -> lb.readinessChanged(name, ready));
        }
    }

    /** Starts every pod and waits until the load balancer routes to all of them. */
    Replicas startAll() {
        try {
            for (Kubelet k : kubelets) k.start();
            Bed.await(Duration.ofSeconds(30), "every pod in rotation",
                    () -> kubelets.stream().allMatch(Kubelet::ready) && inRotation() == pods.size());
        } catch (AssertionError | RuntimeException e) {
            String rotation = rotation();
            dumpSidecarThreads();                       // a stuck server shows where in its log
            AssertionError failure = new AssertionError(e.getMessage() + "\n" + rotation + logs(0), e);
            close();                                    // the caller never gets this object to close
            throw failure;
        }
        return this;
    }

    /** Each pod's readiness as the kubelet and the load balancer see it, for a failure message. */
    String rotation() {
        StringBuilder sb = new StringBuilder("--- rotation\n");
        for (int i = 0; i < pods.size(); i++) {
            sb.append(pods.get(i).name).append(": kubelet ").append(kubelets.get(i).readiness()).append('\n');
        }
        try {
            sb.append("load balancer: ").append(lb.command("show servers state be").strip()).append('\n');
        } catch (IOException e) {
            sb.append("load balancer: unreadable: ").append(e).append('\n');
        }
        return sb.toString();
    }

    /** SIGQUIT to every running sidecar JVM: it prints its threads' stacks to its log and goes on. */
    private void dumpSidecarThreads() {
        for (Kubelet k : kubelets) {
            Pod.Container c = k.container(Specs.SIDECAR);
            if (c != null) c.signal("QUIT");
        }
        Bed.sleep(500);
    }

    int inRotation() {
        try {
            String state = lb.command("show servers state be");
            int n = 0;
            for (String line : state.split("\n")) {
                String[] f = line.trim().split(" ");
                // be_id be_name srv_id srv_name srv_addr srv_op_state (2: running; 0 in maintenance) ...
                if (f.length > 6 && f[1].equals("be") && f[5].equals("2")) n++;
            }
            return n;
        } catch (IOException e) {
            return -1;
        }
    }

    /** What pod i's sidecar runs from: an image, or the jar. */
    String sidecarRuntime(int i) {
        return kubelets.get(i).spec.containers().stream().filter(c -> c.name().equals(Specs.SIDECAR)).findFirst()
                .flatMap(PodSpec.ContainerSpec::image).map(image -> "image " + image.name() + " (podman)")
                .orElse("the jar");
    }

    String url(String path) { return "http://127.0.0.1:" + lb.port + path; }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Everything the bed wrote for one pod, for a failure message. */
    String logs(int i) {
        StringBuilder sb = new StringBuilder("--- timeline\n").append(timeline);
        try (var files = Files.list(pods.get(i).dir)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".log"))::iterator) {
                sb.append("--- ").append(f.getFileName()).append('\n').append(Files.readString(f));
            }
        } catch (IOException e) {
            sb.append("(logs unreadable: ").append(e).append(")\n");
        }
        return sb.toString();
    }

    @Override
    public void close() {
        for (Kubelet k : kubelets) k.close();
        if (lb != null) lb.close();
        for (Pod p : pods) p.close();
    }
}
