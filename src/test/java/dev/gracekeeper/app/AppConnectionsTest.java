package dev.gracekeeper.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gracekeeper.lifecycle.Clock;
import dev.gracekeeper.os.ProcNetTcp;
import dev.gracekeeper.os.TcpStats;
import dev.gracekeeper.os.TcpTables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppConnectionsTest {
    @TempDir Path dir;
    long nanos = 1_000_000_000L;
    long cpu;
    long walkCpu = 2_000_000;
    Path tcp;
    AppConnections connections;

    final Clock clock = new Clock() {
        @Override public long nanoTime() { return nanos; }

        @Override public Instant now() { return Instant.ofEpochSecond(0).plusNanos(nanos); }
    };

    /** Each walk costs {@link #walkCpu} of CPU time: the CPU clock, read before and after it, moves that much. */
    @BeforeEach
    void setUp() throws Exception {
        tcp = dir.resolve("tcp");
        TcpTables.write(tcp, 8080, 3);
        TcpStats stats = TcpTables.stats(dir, 3, 4);
        connections = new AppConnections(List.of(8080), new ProcNetTcp(tcp), stats, clock, () -> cpu += walkCpu);
    }

    int established(AppConnections.Look look) { return look.counts().orElseThrow().established(); }

    @Test
    void whileTheCountersStandStillLooksReuseTheLastWalk() throws Exception {
        assertEquals(3, established(connections.look()));
        TcpTables.write(tcp, 8080, 1);                  // a change the counters do not show (ESTABLISHED -> CLOSE-WAIT)
        nanos += Duration.ofSeconds(1).toNanos();
        AppConnections.Look look = connections.look();
        assertEquals(3, established(look));
        assertTrue(look.fresh() && !look.walked());
        assertEquals(1, connections.health().walks());
    }

    @Test
    void countersThatMovedMakeTheNextLookWalk() throws Exception {
        connections.look();
        TcpTables.write(tcp, 8080, 1);
        TcpTables.stats(dir, 2, 4);
        AppConnections.Look look = connections.look();
        assertEquals(1, established(look));
        assertTrue(look.fresh() && look.walked());
    }

    @Test
    void aWalkOlderThanTheBackstopIsRepeatedEvenWhenTheCountersStoodStill() throws Exception {
        connections.look();
        TcpTables.write(tcp, 8080, 0);
        nanos += AppConnections.BACKSTOP.toNanos();
        assertEquals(0, established(connections.look()));
    }

    @Test
    void aFailedReadMakesTheCountUnknownNeverZeroAndIsRetriedWithBackoff() throws Exception {
        connections.look();
        Files.writeString(tcp, TcpTables.TCP_HEADER + "   0: 0100007F:1F90 0100");   // cut off mid-line
        TcpTables.stats(dir, 2, 4);
        AppConnections.Look failed = connections.look();
        assertTrue(failed.counts().isEmpty() && !failed.fresh(), failed.toString());
        assertTrue(failed.why().contains("cut off mid-line"), failed.why());
        assertTrue(connections.health().unknownBecause().isPresent());
        TcpTables.write(tcp, 8080, 0);
        assertTrue(connections.look().counts().isEmpty(), "no retry before the first backoff has passed");
        nanos += AppConnections.RETRY_FIRST.toNanos();
        assertEquals(0, established(connections.look()));
        assertTrue(connections.health().unknownBecause().isEmpty());
        assertEquals(1, connections.health().failures());
    }

    @Test
    void whenTheWalkBudgetIsSpentLooksKeepTheLastCountsMarkedNotFresh() throws Exception {
        walkCpu = AppConnections.BURST.toNanos() + 1;  // one walk spends the whole burst
        connections.look();
        TcpTables.write(tcp, 8080, 0);
        TcpTables.stats(dir, 2, 4);
        AppConnections.Look look = connections.look();
        assertEquals(3, established(look));
        assertFalse(look.fresh());
        assertEquals(0, established(connections.lookFresh()), "a shutdown start walks whatever the budget");
        TcpTables.stats(dir, 1, 4);
        nanos += (long) (2 * walkCpu / AppConnections.DUTY);   // the budget refills at the duty cycle
        assertTrue(connections.look().fresh());
    }

    @Test
    void unreadableCountersFallBackToWalkingOnEveryLook() throws Exception {
        Files.delete(dir.resolve("snmp"));
        connections.look();
        TcpTables.write(tcp, 8080, 0);
        assertEquals(0, established(connections.look()));
        assertTrue(connections.health().countersUnreadable().isPresent());
    }
}
