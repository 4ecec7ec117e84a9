package dev.gracekeeper.it;

import static dev.gracekeeper.it.HookIT.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the idle wait counts the app's connections: what it does when it cannot, and its exit threshold. */
class ConnectionCountIT {
    @TempDir Path state;

    /**
     * A real procfs mounted with {@code subset=pid}, as hardened sandboxes mount it: the process
     * directories are there, /proc/net is not. The sidecar cannot count the app's connections, so
     * the drain must hold to its timeout and say why, never pass for idle.
     */
    @Test
    void aConnectionTableTheSidecarCannotReadHoldsTheDrainToItsTimeoutAndSaysWhy() throws Exception {
        int port = Sidecar.freePort();
        try (App app = App.start(port, 0, 0, true);
             Sidecar s = withoutProcNet(Map.of("GRACEKEEPER_DRAIN_DELAY", "0s", "GRACEKEEPER_DRAIN_TIMEOUT", "1s",
                     "GRACEKEEPER_APP_PORTS", Integer.toString(port)))) {
            long start = System.nanoTime();
            String body = s.get("/shutdown").body();
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.println("unreadable connection table: /shutdown answered after " + ms + " ms: " + body);
            assertTrue(ms >= 950, "held to the 1s drain timeout: " + ms);
            assertEquals("timed-out", field(body, "outcome"), body);
            assertTrue(body.contains("connection count unknown on :" + port + ", so the app was given the whole wait"
                    + " (cannot read /proc/net/tcp: /proc/net/tcp"), body);
            String status = s.get("/status").body();
            assertEquals("false", field(status, "known"), status);
            assertTrue(field(status, "unknown_because").startsWith("cannot read /proc/net/tcp"), status);
            String metrics = s.get("/metrics").body();
            assertTrue(metrics.contains("\ngracekeeper_app_connections_known 0\n"), metrics);
            assertTrue(metrics.contains("\ngracekeeper_app_connections NaN\n"), metrics);
            String log = s.log();
            assertEquals(1, log.split("cannot read the app's connections", -1).length - 1, "logged once:\n" + log);
            assertEquals(1, log.split("cannot read the TCP counters", -1).length - 1, "logged once:\n" + log);
        }
    }

    /**
     * The same sandbox, then SIGTERM: the sidecar cannot tell whether the app is gone, so it does not
     * take it for gone. It stays to the exit deadline (grace period - 1 s), says why, and exits 5.
     */
    @Test
    void aSidecarThatCannotSeeTheAppStaysToTheDeadline() throws Exception {
        int port = Sidecar.freePort();
        try (App app = App.start(port, 0, 0, true);
             Sidecar s = withoutProcNet(Map.of("GRACEKEEPER_GRACE_PERIOD", "3s", "GRACEKEEPER_STOP_RESERVE", "1s",
                     "GRACEKEEPER_DRAIN_DELAY", "0s", "GRACEKEEPER_DRAIN_TIMEOUT", "500ms",
                     "GRACEKEEPER_APP_PORTS", Integer.toString(port)))) {
            long start = System.nanoTime();
            s.sigterm();
            assertEquals(5, s.awaitExit(Duration.ofSeconds(10)), s.log());
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.println("app presence unknown: sidecar left " + ms + " ms after SIGTERM (grace 3s - 1s margin)");
            assertTrue(ms >= 1900, "stayed past the 500 ms drain timeout to T0 + 2s: " + ms);
            assertTrue(s.log().contains("cannot tell whether the app is still there"), s.log());
            assertTrue(s.log().contains("the app is still not known to be gone at T0 + 2000 ms"), s.log());
            assertFalse(s.log().contains("the app is gone"), s.log());
        }
    }

    /**
     * The real jar, healthy, in a mount namespace whose /proc has no /proc/net; the test is skipped
     * where such a namespace cannot be made.
     */
    private Sidecar withoutProcNet(Map<String, String> env) {
        assumeTrue(Commands.succeeds("unshare", "-m", "--propagation", "private", "sh", "-c",
                "mount -t proc -o subset=pid proc /proc && ! test -e /proc/net/tcp"),
                "needs root for `unshare -m` and a procfs mounted with subset=pid (Linux 5.8+); run the integration"
                        + " tests as root");
        List<String> command = new ArrayList<>(List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
                "mount -t proc -o subset=pid proc /proc && exec \"$@\"", "sh"));
        command.addAll(Sidecar.javaJar());
        Sidecar s = Sidecar.launch(state, env, command);
        try {
            s.awaitHealthy();
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
        return s;
    }

    @Test
    void aMonitoringConnectionAtTheExitThresholdDoesNotHoldTheDrain() throws Exception {
        int port = Sidecar.freePort();
        try (App app = App.start(port, 0, 0, true);
             Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_DRAIN_DELAY", "0s", "GRACEKEEPER_DRAIN_TIMEOUT", "20s",
                     "GRACEKEEPER_APP_PORTS", Integer.toString(port), "GRACEKEEPER_DRAIN_EXIT_AT_CONNECTIONS", "1"));
             Socket scrape = app.idleKeepAlive()) {
            assertEquals("1", field(s.get("/status").body(), "exit_at"));
            long start = System.nanoTime();
            String body = s.get("/shutdown").body();
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.println("one idle keep-alive at the threshold: /shutdown answered after " + ms + " ms");
            assertTrue(ms < 5_000, "not held to the drain timeout: " + ms);
            assertEquals("drained", field(body, "outcome"), body);
            assertTrue(body.contains("1 connections on :" + port + " (at most 1 allowed by"
                    + " GRACEKEEPER_DRAIN_EXIT_AT_CONNECTIONS)"), body);
        }
    }
}
