package dev.gracekeeper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace joined to the host by a veth pair: {@code prefix.1} on the host's end,
 * {@code prefix.2} inside, a /30 between them. A request from inside reaches the host from a
 * non-loopback address, as the kubelet's and other pods' do. The one harness the ITs and the pod
 * bed share; needs root and iproute2.
 */
public final class NetNs implements AutoCloseable {
    public final String name;
    public final String hostAddress;
    public final String podAddress;
    private final String hostIf;

    private NetNs(String name, String hostIf, String prefix) {
        this.name = name;
        this.hostIf = hostIf;
        this.hostAddress = prefix + ".1";
        this.podAddress = prefix + ".2";
    }

    /**
     * Creates it, or removes whatever part was made and throws.
     *
     * @param tag    short and unique among the namespaces alive on this host (interface names are
     *               at most 15 characters: "gk" + tag + "h"/"c")
     * @param prefix the first three octets of the /30, e.g. {@code 10.215.7}
     * @param route  whether the namespace routes everything through the host's end (a pod's default route)
     */
    public static NetNs create(String name, String tag, String prefix, boolean route) throws IOException {
        NetNs n = new NetNs(name, "gk" + tag + "h", prefix);
        String inside = "gk" + tag + "c";
        try {
            run("ip", "netns", "add", name);
            run("ip", "link", "add", n.hostIf, "type", "veth", "peer", "name", inside);
            run("ip", "link", "set", inside, "netns", name);
            run("ip", "addr", "add", n.hostAddress + "/30", "dev", n.hostIf);
            run("ip", "link", "set", n.hostIf, "up");
            run("ip", "netns", "exec", name, "ip", "addr", "add", n.podAddress + "/30", "dev", inside);
            run("ip", "netns", "exec", name, "ip", "link", "set", inside, "up");
            run("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up");
            if (route) run("ip", "netns", "exec", name, "ip", "route", "add", "default", "via", n.hostAddress);
            return n;
        } catch (IOException | RuntimeException e) {
            n.close();
            throw e;
        }
    }

    /** Removes the namespace (and the veth pair with it); never throws. */
    @Override
    public void close() {
        try {
            run("ip", "netns", "del", name);
        } catch (IOException e) {
            System.err.println("netns " + name + ": " + e.getMessage());
        }
        try {
            run("ip", "link", "del", hostIf);            // only if the namespace never got its end
        } catch (IOException e) {
            // already gone with the namespace
        }
    }

    /** Runs a command to completion within 15 s; its output in the exception when it fails. */
    public static String run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": did not finish within 15 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + out.trim());
        return out;
    }
}
