package dev.gracekeeper.it;

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

    private PodNetwork(String name, String hostAddress, String podAddress) {
        this.name = name;
        this.hostAddress = hostAddress;
        this.podAddress = podAddress;
    }

    /** Creates the namespace, or returns null (with the reason on stderr) when this host cannot. */
    static PodNetwork create() {
        int id = ThreadLocalRandom.current().nextInt(1, 250);
        String ns = "gkit" + ProcessHandle.current().pid() + "x" + id;
        String host = "gkh" + id + "x" + (ProcessHandle.current().pid() % 1000);
        String pod = "gkp" + id + "x" + (ProcessHandle.current().pid() % 1000);
        String hostAddr = "10.213." + id + ".1";
        String podAddr = "10.213." + id + ".2";
        try {
            run("ip", "netns", "add", ns);
            PodNetwork net = new PodNetwork(ns, hostAddr, podAddr);
            run("ip", "link", "add", host, "type", "veth", "peer", "name", pod);
            run("ip", "link", "set", pod, "netns", ns);
            run("ip", "addr", "add", hostAddr + "/30", "dev", host);
            run("ip", "link", "set", host, "up");
            run("ip", "netns", "exec", ns, "ip", "addr", "add", podAddr + "/30", "dev", pod);
            run("ip", "netns", "exec", ns, "ip", "link", "set", pod, "up");
            run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
            return net;
        } catch (IOException | RuntimeException e) {
            System.err.println("network namespaces unavailable: " + e.getMessage());
            try {
                run("ip", "netns", "del", ns);
            } catch (IOException | RuntimeException ignored) {
                // nothing was created
            }
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

    private static void run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: "
                        + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        run("ip", "netns", "del", name);   // removes the veth pair with it
    }
}
