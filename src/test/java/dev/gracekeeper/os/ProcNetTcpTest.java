package dev.gracekeeper.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcNetTcpTest {
    final ProcNetTcp tcp = new ProcNetTcp();

    @Test
    void countsServerSideConnectionsByLocalPortOnly() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            boolean[] ports = ProcNetTcp.portTable(List.of(server.getLocalPort()));
            assertEquals(new ProcNetTcp.Counts(0, 1, 1, tcp.count(ports).listeners()), tcp.count(ports));
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                 Socket accepted = server.accept()) {
                // The client's own socket has the app port as its remote port: it must not count.
                assertEquals(1, tcp.count(ports).established());
                accepted.close();
                client.close();
            }
            assertEquals(0, tcp.count(ports).established());
        }
    }

    @Test
    void ipv4ClientsOfADualStackListenerAreCountedFromTcp6() throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getByName("::"), 0));
            boolean[] ports = ProcNetTcp.portTable(List.of(server.getLocalPort()));
            try (Socket client = new Socket("127.0.0.1", server.getLocalPort()); Socket accepted = server.accept()) {
                assertEquals(1, tcp.count(ports).established());
                assertEquals(1, new ProcNetTcp(Path.of("/proc/net/tcp6")).count(ports).established(),
                        "an IPv4 client of a :: listener shows up only in tcp6");
            }
        }
    }

    @Test
    void newListeningSocketOnTheSamePortIsANewInode() throws Exception {
        int port;
        ProcNetTcp.Inodes first;
        try (ServerSocket a = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = a.getLocalPort();
            first = tcp.count(ProcNetTcp.portTable(List.of(port))).listeners();
        }
        boolean[] ports = ProcNetTcp.portTable(List.of(port));
        assertEquals(0, tcp.count(ports).listening(), "closed");
        try (ServerSocket b = new ServerSocket()) {
            b.setReuseAddress(true);
            b.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            ProcNetTcp.Inodes second = tcp.count(ports).listeners();
            assertFalse(second.isEmpty());
            assertTrue(second.hasAnyNotIn(first), "a new instance's listener differs from the old one's");
        }
    }

    @Test
    void closingOneOfSeveralListenersAddsNoNewInode() throws Exception {
        try (ServerSocket a = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             ServerSocket b = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            boolean[] ports = ProcNetTcp.portTable(List.of(a.getLocalPort(), b.getLocalPort()));
            ProcNetTcp.Inodes both = tcp.count(ports).listeners();
            b.close();
            ProcNetTcp.Inodes one = tcp.count(ports).listeners();
            assertNotEquals(both, one);
            assertFalse(one.hasAnyNotIn(both), "losing a listener is not a new instance: " + both + " -> " + one);
        }
    }

    @Test
    void parsesKernelLinesWithoutRegexIncludingTheInode(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("tcp6");
        Files.writeString(f, "  sl  local_address                         remote_address                        st"
                + " tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
                + "   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000"
                + " 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0\n"
                + "   1: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:D431 01 00000000:00000000"
                + " 00:00000000 00000000     0        0 5151 1 0000000000000000 20 4 30 10 -1\n"
                + "   2: 0000000000000000FFFF00000100007F:D431 0000000000000000FFFF00000100007F:1F90 01 00000000:00000000"
                + " 00:00000000 00000000     0        0 5152 1 0000000000000000 20 4 30 10 -1\n");
        ProcNetTcp.Counts c = new ProcNetTcp(f).count(ProcNetTcp.portTable(List.of(8080)));
        assertEquals(new ProcNetTcp.Counts(1, 1, 1, ProcNetTcp.Inodes.of(4242)), c);
    }
}
