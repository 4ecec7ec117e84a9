package dev.gracekeeper.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hook calls from a non-loopback address, made from a real network namespace. */
class SecurityIT {
    static final String TOKEN = "3f1c9a7e0b2d4e6f8a1b3c5d";
    @TempDir Path state;
    PodNetwork net;

    @BeforeEach
    void network() {
        net = PodNetwork.create();
        assumeTrue(net != null, "needs root and iproute2 to create a network namespace; see stderr for why");
    }

    @AfterEach
    void removeNetwork() throws Exception {
        if (net != null) net.close();
    }

    @Test
    void hookFromThePodNetworkWithoutTheTokenIsRefusedLoggedCountedAndChangesNothing() throws Exception {
        try (Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_BIND_ADDRESS", "0.0.0.0",
                "GRACEKEEPER_HOOK_TOKEN", TOKEN, "GRACEKEEPER_DRAIN_DELAY", "0s"))) {
            assertEquals("401 rejected: no X-Gracekeeper-Token header\n", net.get(s.port, "/shutdown"));
            assertEquals("401 rejected: wrong X-Gracekeeper-Token header\n",
                    net.get(s.port, "/shutdown", "X-Gracekeeper-Token: not-the-token-at-all"));
            assertEquals("200 ready\n", net.get(s.port, "/readyz"), "read-only endpoints need no token");
            assertEquals(1, s.logCount("/shutdown from " + net.podAddress + " rejected (401): no X-Gracekeeper-Token"),
                    s.log());
            String metrics = s.get("/metrics").body();
            assertTrue(metrics.contains("gracekeeper_hook_rejected_total{reason=\"no_token\"} 1\n"), metrics);
            assertTrue(metrics.contains("gracekeeper_hook_rejected_total{reason=\"wrong_token\"} 1\n"), metrics);

            String ok = net.get(s.port, "/shutdown", "X-Gracekeeper-Token: " + TOKEN, "User-Agent: kube-lifecycle/1.34");
            assertTrue(ok.startsWith("200 {\"hook\":\"shutdown\",\"join\":\"started\""), ok);
            assertEquals(200, s.get("/poststart").statusCode(), "loopback callers need no token");
        }
    }

    @Test
    void sourceOutsideTheAllowlistIsRefused403AndInsideItIsServed() throws Exception {
        try (Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_BIND_ADDRESS", "0.0.0.0",
                "GRACEKEEPER_HOOK_ALLOW_FROM", "192.0.2.0/24", "GRACEKEEPER_DRAIN_DELAY", "0s"))) {
            assertEquals("403 rejected: source address not in GRACEKEEPER_HOOK_ALLOW_FROM\n",
                    net.get(s.port, "/poststart"));
        }
        try (Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_BIND_ADDRESS", "0.0.0.0",
                "GRACEKEEPER_HOOK_ALLOW_FROM", net.podAddress + "/32", "GRACEKEEPER_DRAIN_DELAY", "0s"))) {
            assertTrue(net.get(s.port, "/poststart").startsWith("200 "), s.log());
        }
    }
}
