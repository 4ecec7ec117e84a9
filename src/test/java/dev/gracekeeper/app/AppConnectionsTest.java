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
        assertEquals(3, established(connections.look()), "looks at listeners trust the counters longer");
        assertEquals(0, established(connections.lookUntil(0)));
        TcpTables.write(tcp, 8080, 1);
        nanos += AppConnections.LISTENERS_BACKSTOP.toNanos();
        assertEquals(1, established(connections.look()));
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
        nanos += UnknownCount.RETRY_FIRST.toNanos();
        assertEquals(0, established(connections.look()));
        assertTrue(connections.health().unknownBecause().isEmpty());
        assertEquals(1, connections.health().failures());
    }

    @Test
    void whenTheWalkBudgetIsSpentLooksKeepTheLastCountsMarkedNotFresh() throws Exception {
        walkCpu = WalkBudget.BURST.toNanos() + 1;  // one walk spends the whole burst
        connections.look();
        TcpTables.write(tcp, 8080, 0);
        TcpTables.stats(dir, 2, 4);
        AppConnections.Look look = connections.look();
        assertEquals(3, established(look));
        assertFalse(look.fresh());
        assertEquals(0, established(connections.lookFresh()), "a shutdown start walks whatever the budget");
        TcpTables.stats(dir, 1, 4);
        nanos += (long) (walkCpu / WalkBudget.DUTY);   // the budget refills at the duty cycle, and the
        assertTrue(connections.look().fresh());             // shutdown start's walk was not charged
    }

    @Test
    void aWaitForTheLastConnectionsWalksOnlyOnceEnoughCanHaveGone() throws Exception {
        TcpTables.write(tcp, 8080, 10);
        TcpTables.stats(dir, 10, 12);
        connections.lookFresh();
        TcpTables.write(tcp, 8080, 9);
        TcpTables.stats(dir, 9, 11);                    // one left: 9 of 10 may still be there
        AppConnections.Look look = connections.lookUntil(0);
        assertEquals(10, established(look));
        assertFalse(look.fresh() || look.walked());
        TcpTables.write(tcp, 8080, 0);
        TcpTables.stats(dir, 2, 4);                     // eight more: with the handshakes' slack, all may be gone
        assertEquals(0, established(connections.lookUntil(0)));
    }

    @Test
    void aWatchThatCanWaitWalksAtMostAsOftenAsItAsks() throws Exception {
        connections.look();
        TcpTables.write(tcp, 8080, 0);
        TcpTables.stats(dir, 2, 4);
        nanos += Duration.ofSeconds(1).toNanos();
        assertFalse(connections.look(Duration.ofSeconds(2)).fresh());
        nanos += Duration.ofSeconds(1).toNanos();
        assertEquals(0, established(connections.look(Duration.ofSeconds(2))));
    }

    @Test
    void unreadableCountersFallBackToWalkingOnEveryLook() throws Exception {
        Files.delete(dir.resolve("snmp"));
        connections.look();
        TcpTables.write(tcp, 8080, 0);
        assertEquals(0, established(connections.look()));
        assertTrue(connections.health().countersUnreadable().isPresent());
    }

    @Test
    void aWaitWalksOnlyTheTableTheAppIsInUntilItsBackstop() throws Exception {
        Path tcp4 = dir.resolve("tcp4only");
        Files.writeString(tcp4, TcpTables.TCP_HEADER + TcpTables.line(0, 9999, 0, 0x0A, 77));   // someone else's
        TcpStats stats = TcpTables.stats(dir, 3, 4);
        AppConnections c = new AppConnections(List.of(8080), new ProcNetTcp(tcp4, tcp), stats, clock, () -> cpu += walkCpu);
        assertEquals(3, established(c.look()));        // a listeners' look reads both tables

        // The app's table changes and the other becomes unreadable: a wait's walk never opens the other.
        Files.writeString(tcp4, "garbage");
        TcpTables.write(tcp, 8080, 1);
        TcpTables.stats(dir, 1, 4);
        nanos += Duration.ofSeconds(1).toNanos();
        AppConnections.Look look = c.lookFresh();
        assertTrue(look.fresh() && look.walked());
        assertEquals(1, established(look));
        TcpTables.stats(dir, 0, 4);
        TcpTables.write(tcp, 8080, 0);
        nanos += Duration.ofSeconds(1).toNanos();
        assertEquals(0, established(c.lookUntil(0)));

        // The wait's backstop walk, and a listeners' look, read every table again.
        nanos += AppConnections.BACKSTOP.toNanos();
        assertTrue(c.lookUntil(0).counts().isEmpty(), "the other table is read, and cannot be");
    }

    @Test
    void withNoAppSocketSeenEveryWalkReadsEveryTable() throws Exception {
        Path tcp4 = dir.resolve("tcp4only");
        Files.writeString(tcp4, TcpTables.TCP_HEADER);
        Path tcp6 = dir.resolve("tcp6none");
        Files.writeString(tcp6, TcpTables.TCP_HEADER);
        TcpStats stats = TcpTables.stats(dir, 3, 4);
        AppConnections c = new AppConnections(List.of(8080), new ProcNetTcp(tcp4, tcp6), stats, clock, () -> cpu += walkCpu);
        assertEquals(0, established(c.look()));
        TcpTables.write(tcp6, 8080, 2);                 // the app starts listening, in the second table
        TcpTables.stats(dir, 5, 6);
        nanos += Duration.ofSeconds(1).toNanos();
        assertEquals(2, established(c.lookFresh()));
    }

    @Test
    void connectionsTheKernelReportsGoneEndAWaitWithoutAWalkWhenNothingArrived() throws Exception {
        AppConnections.Look start = connections.lookFresh();
        assertEquals(3, established(start));
        List<String> named = start.counts().orElseThrow().connections();
        assertEquals(List.of("0100007F:1F90 0100007F:9C40", "0100007F:1F90 0100007F:9C41", "0100007F:1F90 0100007F:9C42"),
                named);
        long walks = connections.health().walks();

        TcpTables.stats(dir, 0, 4);                     // CurrEstab moved, no open since the walk
        connections.gone(named.get(0));
        connections.gone("0100007F:1F90 0100007F:FFFF"); // not one of the walk's: changes nothing
        connections.gone(named.get(1));
        nanos += Duration.ofMillis(10).toNanos();
        AppConnections.Look one = connections.lookUntil(1);
        assertTrue(one.fresh() && !one.walked(), one.toString());
        assertEquals(1, established(one), "at most one left allowed, and one is");
        connections.gone(named.get(2));
        nanos += Duration.ofMillis(10).toNanos();
        AppConnections.Look look = connections.lookUntil(0);
        assertTrue(look.fresh() && !look.walked(), look.toString());
        assertEquals(0, established(look));
        assertEquals(walks, connections.health().walks(), "no walk after the shutdown's first");
    }

    @Test
    void aConnectionThatMayHaveArrivedSinceTheWalkMakesTheWaitWalk() throws Exception {
        List<String> named = connections.lookFresh().counts().orElseThrow().connections();
        named.forEach(connections::gone);
        TcpTables.write(tcp, 8080, 1);                  // one new connection: PassiveOpens moved
        TcpTables.stats(dir, 1, 4, 10);
        nanos += Duration.ofMillis(10).toNanos();
        AppConnections.Look look = connections.lookUntil(0);
        assertTrue(look.walked(), "the walk decides, not the connections gone");
        assertEquals(1, established(look));
    }
}
