package dev.gracekeeper.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;

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
            ProcNetTcp.Counts listening = tcp.count(ports);
            assertEquals(List.of(0, 1, 1), List.of(listening.established(), listening.listening(),
                    listening.listeningPorts()));
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
        assertEquals(new ProcNetTcp.Counts(1, 1, 1, ProcNetTcp.Inodes.of(4242), 0, 1, List.of()), c);
        String key = "0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:D431";
        assertEquals(List.of(key), new ProcNetTcp(f).count(ProcNetTcp.portTable(List.of(8080)), 1, true).connections(),
                "each connection named by its local and remote address and port as printed");
        int[] mappedLoopback = {0, 0, 0xFFFF0000, 0x0100007F};
        assertEquals(key, ProcNetTcp.key(mappedLoopback, 8080, mappedLoopback, 0xD431));
    }

    @Test
    void readsATableLongerThanOneKernelBufferToTheEnd() throws Exception {
        // 40 connections make tcp6 about 14 KB: several reads, each at most one kernel page.
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            boolean[] ports = ProcNetTcp.portTable(List.of(server.getLocalPort()));
            List<Socket> open = new ArrayList<>();
            try {
                for (int i = 0; i < 40; i++) {
                    open.add(new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort()));
                    open.add(server.accept());
                }
                assertEquals(40, tcp.count(ports).established());
            } finally {
                for (Socket s : open) s.close();
            }
        }
    }

    @Test
    void aLineCutOffMidwayIsAnErrorNotOneConnectionFewer(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("tcp");
        TcpTables.write(f, 8080, 2);
        String whole = Files.readString(f);
        Files.writeString(f, whole.substring(0, whole.length() - 40));
        IOException e = assertThrows(IOException.class, () -> new ProcNetTcp(f).count(ProcNetTcp.portTable(List.of(8080))));
        assertTrue(e.getMessage().contains("line 4 cut off mid-line"), e.getMessage());
    }

    @Test
    void aLineThatDoesNotParseIsAnError(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("tcp");
        Files.writeString(f, TcpTables.TCP_HEADER + TcpTables.line(0, 8080, 0, 0x0A, 1) + "   1: garbage\n");
        IOException e = assertThrows(IOException.class, () -> new ProcNetTcp(f).count(ProcNetTcp.portTable(List.of(8080))));
        assertTrue(e.getMessage().endsWith("line 3 no local port and state: '1: garbage'"), e.getMessage());
    }

    @Test
    void anEmptyFileOrAnotherFileIsAnError(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("tcp");
        Files.writeString(f, "");
        assertTrue(assertThrows(IOException.class, () -> new ProcNetTcp(f).count(new boolean[65536])).getMessage()
                .contains("empty, not even the header"));
        Files.writeString(f, "Tcp: 1 2 3\n");
        assertTrue(assertThrows(IOException.class, () -> new ProcNetTcp(f).count(new boolean[65536])).getMessage()
                .contains("not the header of a tcp table"));
    }

    @Test
    void aMissingTcpTableIsAnErrorButAMissingTcp6MeansNoIpv6(@TempDir Path dir) throws Exception {
        Path tcp4 = dir.resolve("tcp");
        TcpTables.write(tcp4, 8080, 3);
        boolean[] ports = ProcNetTcp.portTable(List.of(8080));
        assertEquals(3, new ProcNetTcp(tcp4, dir.resolve("tcp6")).count(ports).established());
        assertThrows(IOException.class, () -> new ProcNetTcp(dir.resolve("none"), tcp4).count(ports));
    }

    @Test
    void readsOnlyTheChosenTablesAndSaysWhichHoldThePorts(@TempDir Path dir) throws Exception {
        Path v4 = dir.resolve("tcp");
        Path v6 = dir.resolve("tcp6");
        Files.writeString(v4, TcpTables.TCP_HEADER + TcpTables.line(0, 9999, 0, 0x0A, 1));
        TcpTables.write(v6, 8080, 2);
        ProcNetTcp both = new ProcNetTcp(v4, v6);
        boolean[] ports = ProcNetTcp.portTable(List.of(8080));
        assertEquals(3, both.allTables());
        ProcNetTcp.Counts all = both.count(ports);
        assertEquals(2, all.established());
        assertEquals(0b10, all.tablesWithPorts(), "only the second table holds port 8080");
        Files.writeString(v4, "not a table");
        assertEquals(2, both.count(ports, 0b10, false).established(), "the first table is not read");
        assertEquals(0, both.count(ports, 0b00, false).established());
    }
}
