package dev.gracekeeper.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** After SIGTERM the sidecar outlives the app, but never the grace period. */
class ExitIT {
    @TempDir Path state;

    @Test
    void classicSidecarExitsOnlyAfterTheAppIsGone() throws Exception {
        int port = Sidecar.freePort();
        try (App app = App.start(port, 0, 0, true);
             Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_DRAIN_DELAY", "0s",
                     "GRACEKEEPER_APP_DRAIN_URL", "http://127.0.0.1:" + port + "/drain",
                     "GRACEKEEPER_APP_PORTS", Integer.toString(port)))) {
            s.sigterm();
            s.awaitLog("generation 1 drained", Duration.ofSeconds(5));
            assertTrue(!s.process.waitFor(700, java.util.concurrent.TimeUnit.MILLISECONDS),
                    "still running while the app listens:\n" + s.log());
            long killed = System.nanoTime();
            app.process.destroy();
            assertEquals(0, s.awaitExit(Duration.ofSeconds(5)), s.log());
            long ms = (System.nanoTime() - killed) / 1_000_000;
            System.out.println("app exit -> sidecar exit: " + ms + " ms");
            assertTrue(s.log().contains("the app is gone"), s.log());
        }
    }

    @Test
    void appStillThereAtTheGracePeriodsEndMakesTheSidecarLeaveBeforeSigkill() {
        int port = Sidecar.freePort();
        try (App app = App.start(port, 0, 0, true);
             Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_GRACE_PERIOD", "3s",
                     "GRACEKEEPER_STOP_RESERVE", "1s", "GRACEKEEPER_DRAIN_DELAY", "0s",
                     "GRACEKEEPER_APP_PORTS", Integer.toString(port)))) {
            long start = System.nanoTime();
            s.sigterm();
            assertEquals(5, s.awaitExit(Duration.ofSeconds(10)), s.log());
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.println("app never exits: sidecar left " + ms + " ms after SIGTERM (grace 3s - 1s margin)");
            assertTrue(ms >= 1900 && ms < 2800, "left at T0 + 2s: " + ms);
        }
    }

    @Test
    void nativeSidecarWhoseAppAlreadyExitedLeavesAtOnce() {
        int port = Sidecar.freePort();
        try (Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_DRAIN_DELAY", "5s",
                "GRACEKEEPER_APP_PORTS", Integer.toString(port)))) {
            long start = System.nanoTime();
            s.sigterm();
            assertEquals(0, s.awaitExit(Duration.ofSeconds(5)), s.log());
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.println("SIGTERM with the app already gone -> exit in " + ms + " ms");
            assertTrue(ms < 1000, "no 5s delay when there is nothing to drain: " + ms);
            assertTrue(s.log().contains("the app is already gone"), s.log());
        }
    }
}
