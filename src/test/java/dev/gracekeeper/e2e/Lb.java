package dev.gracekeeper.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Traffic like a Service: HAProxy in front of the pods, either in TCP mode like kube-proxy (each
 * client connection stays on one pod for its life, as conntrack keeps it) or in HTTP mode like
 * an ingress controller (each request is balanced on its own); no retries in either, and
 * an endpoint-propagation lag: a pod's readiness change reaches HAProxy (through its runtime API)
 * only after a random delay in [lagMin, lagMax], as kube-proxy and ingress controllers see it.
 */
final class Lb implements AutoCloseable {
    final int port;
    private final Process process;
    private final Path socket;
    private final Timeline timeline;
    private final Duration lagMin;
    private final Duration lagMax;
    private final ScheduledExecutorService lag = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "endpoint-lag");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, AtomicLong> latest = new ConcurrentHashMap<>();

    private Lb(int port, Process process, Path socket, Timeline timeline, Duration lagMin, Duration lagMax) {
        this.port = port;
        this.process = process;
        this.socket = socket;
        this.timeline = timeline;
        this.lagMin = lagMin;
        this.lagMax = lagMax;
    }

    /** Starts HAProxy with every pod's server in maintenance until its readiness arrives. */
    enum Mode { KUBE_PROXY, INGRESS }

    static Lb start(Path dir, Mode mode, int port, int appPort, List<Pod> pods, Timeline timeline, Duration lagMin,
                    Duration lagMax) {
        Path sock = dir.resolve("haproxy.sock");
        StringBuilder cfg = new StringBuilder("global\n  stats socket " + sock + " mode 600 level admin\n"
                + "  maxconn 4096\n\ndefaults\n  mode " + (mode == Mode.INGRESS ? "http\n  option http-keep-alive\n"
                        + "  http-reuse safe\n  timeout http-keep-alive 60s\n" : "tcp\n")
                + "  retries 0\n  timeout connect 2s\n"
                + "  timeout client 60s\n  timeout server 60s\n\nfrontend fe\n  bind 127.0.0.1:" + port
                + "\n  default_backend be\n\nbackend be\n  balance roundrobin\n");
        for (Pod p : pods) cfg.append("  server ").append(p.name).append(' ').append(p.ip).append(':').append(appPort)
                .append(" disabled\n");
        try {
            Path conf = Files.writeString(dir.resolve("haproxy.cfg"), cfg.toString());
            Process proc = new ProcessBuilder(Bed.HAPROXY.toString(), "-db", "-f", conf.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
            Lb lb = new Lb(port, proc, sock, timeline, lagMin, lagMax);
            Bed.await(Duration.ofSeconds(10), "haproxy's runtime API answers", () -> {
                try {
                    return lb.command("show servers state be").contains("be");
                } catch (IOException e) {
                    return false;
                }
            });
            return lb;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The endpoints controller's view changed: HAProxy learns it after the propagation lag. */
    void readinessChanged(String pod, boolean ready) {
        long seq = latest.computeIfAbsent(pod, k -> new AtomicLong()).incrementAndGet();
        long min = lagMin.toMillis();
        long ms = min + (lagMax.toMillis() > min ? ThreadLocalRandom.current().nextLong(lagMax.toMillis() - min) : 0);
        lag.schedule(() -> {
            if (latest.get(pod).get() != seq) return;       // a later change supersedes this one
            try {
                command("set server be/" + pod + " state " + (ready ? "ready" : "maint"));
                timeline.add("lb", pod + (ready ? " in rotation" : " out of rotation") + " (lag " + ms + " ms)");
            } catch (IOException e) {
                timeline.add("lb", "runtime API failed: " + e);
            }
        }, ms, TimeUnit.MILLISECONDS);
    }

    String command(String cmd) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap((cmd + "\n").getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            while (ch.read(buf) > 0) {
                if (!buf.hasRemaining()) break;
            }
            buf.flip();
            return StandardCharsets.US_ASCII.decode(buf).toString();
        }
    }

    @Override
    public void close() {
        lag.shutdownNow();
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
