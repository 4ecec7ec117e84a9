package dev.gracekeeper.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Startup refusals: exit codes and messages from the real process. */
class ConfigIT {
    @TempDir Path state;

    @Test
    void badConfigurationExitsTwoListingEveryProblemAtOnce() {
        try (Sidecar s = Sidecar.launch(state, Map.of("GRACEKEEPER_PORT", "http", "GRACEKEEPER_DRAIN_DELAY", "5",
                "GRACEKEEPER_HOOK_TOKNE", "x"))) {
            assertEquals(2, s.awaitExit(Duration.ofSeconds(10)));
            String log = s.log();
            assertTrue(log.contains("configuration rejected (exit 2), 3 configuration problem(s):"), log);
            assertTrue(log.contains("GRACEKEEPER_PORT='http' is not a port number; valid: an integer 1-65535"), log);
            assertTrue(log.contains("GRACEKEEPER_DRAIN_DELAY='5' has no unit (write 5s or 5000ms)"), log);
            assertTrue(log.contains("GRACEKEEPER_HOOK_TOKNE: unknown variable (did you mean GRACEKEEPER_HOOK_TOKEN?)"),
                    log);
        }
    }

    @Test
    void hooksOpenToEveryPodRefuseToStartAndSayWhatToAddToThePodSpec() {
        try (Sidecar s = Sidecar.launch(state, Map.of("GRACEKEEPER_BIND_ADDRESS", ""))) {
            assertEquals(2, s.awaitExit(Duration.ofSeconds(10)));
            String log = s.log();
            assertTrue(log.contains("hooks would be open to any pod"), log);
            assertTrue(log.contains("- name: X-Gracekeeper-Token"), log);
            assertTrue(log.contains("GRACEKEEPER_HOOK_AUTH=none"), log);
        }
    }

    @Test
    void portAlreadyInUseExitsThreeNamingThePort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Sidecar s = Sidecar.launch(state, Map.of("GRACEKEEPER_PORT", Integer.toString(taken.getLocalPort())))) {
            assertEquals(3, s.awaitExit(Duration.ofSeconds(10)));
            assertTrue(s.log().contains("cannot listen on port " + taken.getLocalPort() + " (exit 3)"), s.log());
        }
    }

    @Test
    void aSidecarThatCannotSeeTheAppWarnsThatOnlyPoststartBringsReadinessBack() throws Exception {
        Path other = java.nio.file.Files.createDirectory(state.resolve("other"));
        try (Sidecar blind = Sidecar.start(state, Map.of());
             Sidecar seeing = Sidecar.start(other, Map.of("GRACEKEEPER_APP_PORTS", "1"))) {
            for (Sidecar s : new Sidecar[] {blind, seeing}) {
                s.await(Duration.ofSeconds(5), "startup logged", () -> s.log().contains(" serving "));
            }
            assertTrue(blind.log().contains("neither GRACEKEEPER_APP_PORTS nor GRACEKEEPER_APP_PROCESS is set"),
                    blind.log());
            assertTrue(blind.log().contains("only a postStart hook on /poststart brings readiness back"), blind.log());
            assertTrue(!seeing.log().contains("GRACEKEEPER_APP_PROCESS is set"), seeing.log());
        }
    }
}
