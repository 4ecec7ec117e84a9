package dev.gracekeeper.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The kernel's destroy notices, on real loopback sockets of this process's network namespace. */
class TcpCloseEventsTest {
    @Test
    void wakesWhenASocketOfThePortsIsFreedAndNotForOtherPorts() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (ServerSocket app = new ServerSocket(0, 50, lo);
             ServerSocket other = new ServerSocket(0, 50, lo);
             TcpCloseEvents events = TcpCloseEvents.open(List.of(app.getLocalPort()))) {
            boolean[] ports = new boolean[65536];
            ports[app.getLocalPort()] = true;

            // A connection of another port comes and goes: no wake, the wait runs to its timeout.
            try (Socket c = new Socket(lo, other.getLocalPort()); Socket s = other.accept()) {
                s.close();
            }
            long start = System.nanoTime();
            List<String> gone = new ArrayList<>();
            assertFalse(events.await(ports, Duration.ofMillis(300), gone::add), "no socket of the app's port went");
            assertEquals(List.of(), gone);
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 290 && ms < 2_000, "waited out its timeout, no longer: " + ms + " ms");

            try (Socket c = new Socket(lo, app.getLocalPort())) {
                Socket s = app.accept();
                List<String> walked = new ProcNetTcp().count(ports, 0b11, true).connections();
                assertEquals(1, walked.size(), walked.toString());
                // The app's end: FIN-WAIT, then freed once the client acknowledges. Its notice ends a
                // ten-second wait at once; that no notice means no wake is shown above.
                s.close();
                start = System.nanoTime();
                assertTrue(events.await(ports, Duration.ofSeconds(10), gone::add), "the app's end of the connection went");
                assertEquals(walked, gone, "the kernel names the connection as the table did");
                ms = (System.nanoTime() - start) / 1_000_000;
                assertTrue(ms < 5_000, "woke when it went, not at the timeout: " + ms + " ms");
            }
        }
    }

    @Test
    void theKernelsFilterDropsTheNoticesOfOtherPortsBeforeTheyWakeAnyone() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (ServerSocket app = new ServerSocket(0, 50, lo);
             ServerSocket other = new ServerSocket(0, 50, lo);
             TcpCloseEvents filtered = TcpCloseEvents.open(List.of(app.getLocalPort()));
             TcpCloseEvents all = TcpCloseEvents.open(List.of())) {
            try (Socket c = new Socket(lo, other.getLocalPort()); Socket s = other.accept()) {
                s.close();
            }
            boolean[] otherPort = new boolean[65536];
            otherPort[other.getLocalPort()] = true;
            // Asked for the other port, an unfiltered subscription sees its socket go; the filtered one
            // never receives the message at all.
            assertTrue(all.await(otherPort, Duration.ofSeconds(10), k -> { }), "unfiltered: the socket went");
            assertFalse(filtered.await(otherPort, Duration.ofMillis(300), k -> { }), "filtered in the kernel");
        }
    }

    @Test
    void aClosedSubscriptionClosesOnceAndAnotherOpens() throws Exception {
        TcpCloseEvents first = TcpCloseEvents.open(List.of(8080));
        first.close();
        first.close();
        try (TcpCloseEvents second = TcpCloseEvents.open(List.of())) {
            assertFalse(second.await(new boolean[65536], Duration.ofMillis(20), k -> { }));
        }
    }
}
