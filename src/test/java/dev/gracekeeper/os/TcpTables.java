package dev.gracekeeper.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Files shaped like the kernel's /proc/net tables and counters, in a temp dir, for unit tests. */
public final class TcpTables {
    public static final String TCP_HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
            + "   uid  timeout inode\n";

    private TcpTables() {}

    /** One /proc/net/tcp line: 127.0.0.1:localPort to 127.0.0.1:remotePort in the given state. */
    public static String line(int slot, int localPort, int remotePort, int state, long inode) {
        return String.format("%4d: 0100007F:%04X 0100007F:%04X %02X 00000000:00000000 00:00000000 00000000"
                + "     0        0 %d 1 0000000000000000 20 4 30 10 -1\n", slot, localPort, remotePort, state, inode);
    }

    /** A table with a listener on {@code port} and {@code established} server-side connections on it. */
    public static void write(Path file, int port, int established) throws IOException {
        StringBuilder sb = new StringBuilder(TCP_HEADER).append(line(0, port, 0, 0x0A, 4242));
        for (int i = 0; i < established; i++) sb.append(line(i + 1, port, 40000 + i, 0x01, 5000 + i));
        Files.writeString(file, sb.toString());
    }

    /** /proc/net/snmp and sockstat files; CurrEstab and inuse as given. */
    public static TcpStats stats(Path dir, long currEstab, long inuse) throws IOException {
        return stats(dir, currEstab, inuse, 9);
    }

    /** The same with PassiveOpens as given. */
    public static TcpStats stats(Path dir, long currEstab, long inuse, long passiveOpens) throws IOException {
        Files.writeString(dir.resolve("snmp"), "Ip: Forwarding DefaultTTL\nIp: 1 64\n"
                + "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab"
                + " InSegs\nTcp: 1 200 120000 -1 7 " + passiveOpens + " 0 0 " + currEstab + " 100\nUdp: InDatagrams\nUdp: 0\n");
        Files.writeString(dir.resolve("sockstat"), "sockets: used 5\nTCP: inuse " + inuse + " orphan 0 tw 0 alloc 3"
                + " mem 1\nUDP: inuse 0 mem 0\n");
        Files.writeString(dir.resolve("sockstat6"), "TCP6: inuse 0\nUDP6: inuse 0\n");
        return new TcpStats(dir.resolve("snmp"), dir.resolve("sockstat"), dir.resolve("sockstat6"));
    }
}
