package dev.gracekeeper.it;

import dev.gracekeeper.NetNs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace joined to the host by a veth pair, so that a request made from inside it
 * reaches the sidecar from a non-loopback address, as the kubelet's does. Needs root and iproute2.
 */
final class PodNetwork implements AutoCloseable {
    final String name;
    final String hostAddress;
    final String podAddress;
    private final NetNs ns;

    private PodNetwork(NetNs ns) {
        this.ns = ns;
        this.name = ns.name;
        this.hostAddress = ns.hostAddress;
        this.podAddress = ns.podAddress;
    }

    /** Creates the namespace, or returns null (with the reason on stderr) when this host cannot. */
    static PodNetwork create() {
        int id = ThreadLocalRandom.current().nextInt(1, 250);
        long me = ProcessHandle.current().pid() % 1000;
        try {
            return new PodNetwork(NetNs.create("gkit" + ProcessHandle.current().pid() + "x" + id, id + "i" + me,
                    "10.213." + id, false));
        } catch (IOException | RuntimeException e) {
            System.err.println("network namespaces unavailable: " + e.getMessage());
            return null;
        }
    }

    /**
     * GET from inside the namespace with curl; returns "status body".
     */
    String get(int port, String path, String... headers) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name, "curl", "-s", "--max-time", "10",
                "-w", "%{http_code} "));
        for (String h : headers) {
            cmd.add("-H");
            cmd.add(h);
        }
        cmd.add("-o");
        cmd.add("/dev/stderr");
        cmd.add("http://" + hostAddress + ":" + port + path);
        Process p = new ProcessBuilder(cmd).start();
        try {
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("curl did not finish within 15s: " + cmd);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        String status = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String body = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return status + body;
    }

    @Override
    public void close() {
        ns.close();
    }
}
