package dev.gracekeeper.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TcpStatsTest {
    @Test
    void aConnectionOpeningAndClosingMovesTheCountersOfThisNamespace() throws Exception {
        TcpStats stats = new TcpStats();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            TcpStats.Signature listening = stats.read();
            TcpStats.Signature open;
            try (Socket c = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                 Socket accepted = server.accept()) {
                open = stats.read();
                assertTrue(open.passiveOpens() > listening.passiveOpens(), listening + " -> " + open);
                accepted.close();                       // the server closes first: ESTABLISHED -> FIN-WAIT-1
                assertNotEquals(open.currEstab(), stats.read().currEstab(), "a server-side close moves CurrEstab");
            }
        }
    }

    @Test
    void parsesTheKernelsLayoutByColumnName(@TempDir Path dir) throws Exception {
        assertEquals(new TcpStats.Signature(12, 7, 9, 30, 0), TcpTables.stats(dir, 12, 30).read());
    }

    @Test
    void aMissingOrForeignFileIsAnErrorNamingIt(@TempDir Path dir) throws Exception {
        TcpStats stats = TcpTables.stats(dir, 1, 1);
        Files.writeString(dir.resolve("snmp"), "Ip: Forwarding\nIp: 1\n");
        IOException e = assertThrows(IOException.class, stats::read);
        assertTrue(e.getMessage().contains("snmp has no Tcp: lines"), e.getMessage());
        Files.delete(dir.resolve("snmp"));
        assertThrows(IOException.class, stats::read);
    }
}
