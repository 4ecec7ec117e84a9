package dev.gracekeeper.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What the pod bed needs from this host, and small process helpers. The bed runs only as root
 * with network and PID namespaces, iproute2, util-linux, catatonit, HAProxy, wrk and nginx;
 * {@link #missing()} says what is not there, so a test can be skipped with the reason.
 */
final class Bed {
    static final Path CATATONIT = Path.of("/usr/bin/catatonit");
    static final Path HAPROXY = Path.of("/usr/sbin/haproxy");
    static final Path WRK = Path.of("/usr/bin/wrk");
    static final Path NGINX = Path.of("/usr/sbin/nginx");

    private Bed() {}

    /** Empty when the bed can run here; otherwise why not, and how to fix it. */
    static List<String> missing() {
        List<String> why = new ArrayList<>();
        if (!"root".equals(System.getProperty("user.name"))) why.add("needs root (network and PID namespaces)");
        for (Path p : List.of(CATATONIT, HAPROXY, WRK, NGINX, Path.of("/usr/sbin/ip"), Path.of("/usr/bin/nsenter"),
                Path.of("/usr/bin/unshare"))) {
            if (!Files.isExecutable(p)) why.add("needs " + p + " (apt-get install catatonit haproxy wrk nginx-light"
                    + " iproute2 util-linux; .ci/run does it)");
        }
        return why;
    }

    /** Skips the calling test class, saying why, when the bed cannot run here. */
    static void assumeAvailable() {
        List<String> missing = missing();
        org.junit.jupiter.api.Assumptions.assumeTrue(missing.isEmpty(), "pod bed unavailable: " + missing);
    }

    /** Runs a command to completion within 15 s; its output on failure. */
    static String run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + ": did not finish within 15 s");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + out.trim());
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", cmd), e);
        }
    }

    static void await(Duration bound, String what, BooleanSupplier condition) {
        long end = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) throw new AssertionError("not within " + bound.toMillis() + " ms: " + what);
            sleep(10);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The first child of a process (nsenter and unshare fork the real process). */
    static long childOf(long pid, Duration bound) {
        long[] found = {-1};
        await(bound, "process " + pid + " has a child", () -> {
            try {
                String c = Files.readString(Path.of("/proc/" + pid + "/task/" + pid + "/children")).trim();
                if (c.isEmpty()) return false;
                found[0] = Long.parseLong(c.split(" ")[0]);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        return found[0];
    }
}
