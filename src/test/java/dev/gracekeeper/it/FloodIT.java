package dev.gracekeeper.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gracekeeper.os.FdLimit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Connection floods on the hook port, as any pod on the network could send them: more idle (or
 * slowly trickling) connections than one process may hold, from several processes. The sidecar runs
 * with the image's heap flags, so its RSS is what it would be in the pod.
 */
class FloodIT {
    static final int CONNECTIONS = 22_000;
    static final int PROCESSES = 3;
    /** How long the clients hold their connections once all are open. */
    static final Duration FLOOD = Duration.ofSeconds(3);
    static final Duration PROBE_EVERY = Duration.ofMillis(200);
    static final long DURING_MS = 2000;
    static final long AFTER_MS = 500;
    /** 1024 connections, XNIO's queue of 128, and the sidecar's own descriptors with room to spare. */
    static final int MAX_DESCRIPTORS = 1024 + 128 + 64;
    static final long MAX_RSS_GROWTH_KIB = 64 * 1024;
    @TempDir Path state;

    /** The probes made while the clients ran, and the peaks seen. */
    record During(List<Long> millis, long peakRssKib, int peakFds) {
        long slowest() { return millis.stream().mapToLong(m -> m < 0 ? Long.MAX_VALUE : m).max().orElse(-1); }
    }

    static Sidecar launch(Path state) {
        Sidecar s = Sidecar.launch(state, Map.of(), List.of(ProcessHandle.current().info().command().orElse("java"),
                "-XX:+UseSerialGC", "-Xmx32m", "-jar", Sidecar.jar().toString()));
        s.awaitHealthy();
        return s;
    }

    static During probeWhile(Sidecar s, Flood f) {
        List<Long> millis = new ArrayList<>();
        long peakRss = 0;
        int peakFds = 0;
        while (f.running()) {
            millis.add(Flood.healthzMillis(s.port, Duration.ofSeconds(10)));
            peakRss = Math.max(peakRss, Flood.rssKib(s.process.pid()));
            peakFds = Math.max(peakFds, Flood.descriptors(s.process.pid()));
            LockSupport.parkNanos(PROBE_EVERY.toNanos());
        }
        return new During(millis, peakRss, peakFds);
    }

    static long metric(Sidecar s, String name) {
        return s.get("/metrics").body().lines().filter(l -> l.startsWith(name + " ")).findFirst()
                .map(l -> Long.parseLong(l.substring(name.length() + 1).trim())).orElseThrow();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"idle", "slowloris"})
    void healthzOnAFreshConnectionAnswersDuringAndRightAfterAFloodLargerThanTheDescriptorLimit(String mode)
            throws Exception {
        try (Sidecar s = launch(state)) {
            long idleRss = Flood.rssKib(s.process.pid());
            During during;
            long after;
            try (Flood f = Flood.start(s.port, CONNECTIONS, PROCESSES, mode, FLOOD, 2)) {
                during = probeWhile(s, f);
                assertTrue(f.await(Duration.ofSeconds(20)), "the clients finished: " + f.lastLines());
                after = Flood.healthzMillis(s.port, Duration.ofSeconds(10));
                assertEquals(CONNECTIONS, f.opened(), f.lastLines());
            }
            long closedAtLimit = metric(s, "gracekeeper_hook_connections_closed_at_limit_total");
            System.out.printf("%s flood of %d: %d probes during it, slowest %d ms (all: %s); right after: %d ms;"
                    + " RSS %d -> peak %d KiB; peak %d descriptors; %d connections closed at the limit%n", mode,
                    CONNECTIONS, during.millis().size(), during.slowest(), during.millis(), after, idleRss,
                    during.peakRssKib(), during.peakFds(), closedAtLimit);
            assertTrue(during.millis().size() >= 10, "probed all along: " + during.millis());
            assertTrue(during.slowest() < DURING_MS, "every /healthz during the flood within " + DURING_MS + " ms: "
                    + during.millis() + "\n" + s.log());
            assertTrue(after >= 0 && after < AFTER_MS, "/healthz right after the flood: " + after + " ms");
            assertTrue(during.peakFds() < MAX_DESCRIPTORS, "descriptors bounded: " + during.peakFds());
            assertTrue(during.peakRssKib() - idleRss < MAX_RSS_GROWTH_KIB, "RSS bounded: " + idleRss + " -> "
                    + during.peakRssKib() + " KiB");
            assertTrue(closedAtLimit > CONNECTIONS / 2, "the flood reached the limit: " + closedAtLimit);
            assertEquals(1, s.logCount("hook port: connection flood:"), "logged once, not per connection:\n" + s.log());
            assertTrue(s.log().lines().count() < 60, "a short log:\n" + s.log());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "-XX:+MaxFDLimit, 1024",
        // Turned off, the soft limit stays at 1024: the connections must fit below it, with the reserve.
        "-XX:-MaxFDLimit,  640",
    })
    void theConnectionLimitFitsTheDescriptorLimitTheJvmStartedWith(String flag, int limit) throws Exception {
        Path prlimit = Path.of("/usr/bin/prlimit");
        assumeTrue(Files.isExecutable(prlimit), "needs prlimit (util-linux) to start the sidecar with a low soft limit");
        long hard = FdLimit.ofThisProcess().orElseThrow().hard();
        assumeTrue(hard >= 2048 && hard < Long.MAX_VALUE, "needs a finite hard descriptor limit of 2048 or more");
        long soft = flag.equals("-XX:+MaxFDLimit") ? hard : 1024;
        try (Sidecar s = Sidecar.launch(state, Map.of(), List.of(prlimit.toString(), "--nofile=1024:" + hard,
                ProcessHandle.current().info().command().orElse("java"), flag, "-jar", Sidecar.jar().toString()))) {
            s.awaitHealthy();
            s.awaitLog("hook port: at most " + limit + " open connections (descriptor limit " + soft + ")",
                    Duration.ofSeconds(5));
            assertEquals(limit, metric(s, "gracekeeper_hook_connections_limit"));
            assertEquals(soft == hard ? 0 : 1, s.logCount("-XX:-MaxFDLimit"), "the flag to drop is named\n" + s.log());
        }
    }

    @Test
    void anAcceptThatFailsForWantOfDescriptorsFreesSomeAndAcceptsAgainAtOnce() throws Exception {
        Path prlimit = Path.of("/usr/bin/prlimit");
        assumeTrue(Files.isExecutable(prlimit), "needs prlimit (util-linux) to lower the sidecar's descriptor limit");
        try (Sidecar s = launch(state)) {
            long pid = s.process.pid();
            // Far below the 1024 connections the sidecar sized its limit for at startup: only the
            // failed accepts themselves can show it that descriptors ran out.
            int limit = Flood.descriptors(pid) + 40;
            Process p = new ProcessBuilder(prlimit.toString(), "--pid", Long.toString(pid), "--nofile=" + limit + ":"
                    + limit).inheritIO().start();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "prlimit worked");
            During during;
            try (Flood f = Flood.start(s.port, 3000, 1, "idle", Duration.ofSeconds(3), 5)) {
                during = probeWhile(s, f);
                assertTrue(f.await(Duration.ofSeconds(10)), f.lastLines());
            }
            long failures = metric(s, "gracekeeper_hook_accept_failures_total");
            System.out.printf("descriptor limit %d under a flood of 3000: %d failed accepts; %d probes, slowest %d ms"
                    + " (all: %s)%n", limit, failures, during.millis().size(), during.slowest(), during.millis());
            assertTrue(failures > 0, "accepts failed: the limit was reached\n" + s.log());
            assertTrue(during.slowest() < DURING_MS, "every /healthz within " + DURING_MS + " ms, no back-off of"
                    + " seconds: " + during.millis() + "\n" + s.log());
            assertEquals(1, s.logCount("accepting a connection failed"), s.log());
        }
    }
}
