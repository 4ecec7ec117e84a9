package dev.gracekeeper.os;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Counters the kernel keeps per network namespace, read in microseconds however many sockets the
 * node holds: from {@code /proc/net/snmp} the TCP connections now ESTABLISHED or CLOSE-WAIT
 * ({@code CurrEstab}) and those ever opened ({@code ActiveOpens}, {@code PassiveOpens}); from
 * {@code /proc/net/sockstat} and {@code sockstat6} the sockets in the TCP hash tables ({@code inuse},
 * which a new listener changes). Every change of the established set moves one of them: a connection
 * that leaves ESTABLISHED for FIN-WAIT-1, CLOSE or (before Linux 6.10) CLOSE-WAIT moves
 * {@code CurrEstab}; one that arrives moves an open counter. A connection going only from ESTABLISHED
 * to CLOSE-WAIT moves nothing on newer kernels, which is why {@link ConnectionWatch} still walks the
 * tables now and then. The files stay open and are re-read from offset 0, which regenerates them.
 */
public final class TcpStats {
    /** What one look saw; equal signatures mean the established and listening sets did not change. */
    public record Signature(long currEstab, long activeOpens, long passiveOpens, long inuse, long inuse6) {}

    private final Path snmp;
    private final Path sockstat;
    private final Path sockstat6;
    private final FileChannel[] open = new FileChannel[3];
    private final ByteBuffer direct = ByteBuffer.allocateDirect(8192);
    private final byte[] text = new byte[8192];

    public TcpStats() {
        this(Path.of("/proc/net/snmp"), Path.of("/proc/net/sockstat"), Path.of("/proc/net/sockstat6"));
    }

    public TcpStats(Path snmp, Path sockstat, Path sockstat6) {
        this.snmp = snmp;
        this.sockstat = sockstat;
        this.sockstat6 = sockstat6;
    }

    /** Reads all three; throws when a file cannot be read or does not say what it should. */
    public synchronized Signature read() throws IOException {
        int n = load(0, snmp);
        int names = find(n, "Tcp: ", 0);
        int values = find(n, "Tcp: ", names + 1);
        if (names < 0 || values < 0) throw new IOException(snmp + " has no Tcp: lines");
        long estab = column(n, names, values, "CurrEstab");
        long active = column(n, names, values, "ActiveOpens");
        long passive = column(n, names, values, "PassiveOpens");
        n = load(1, sockstat);
        long inuse = after(n, "TCP: inuse ", sockstat);
        long inuse6 = Files.exists(sockstat6) || open[2] != null ? after(load(2, sockstat6), "TCP6: inuse ", sockstat6) : 0;
        return new Signature(estab, active, passive, inuse, inuse6);
    }

    private int load(int slot, Path file) throws IOException {
        try {
            if (open[slot] == null) open[slot] = FileChannel.open(file, StandardOpenOption.READ);
            direct.clear();
            int n = open[slot].read(direct, 0);
            if (n <= 0 || n == direct.capacity()) throw new IOException(file + ": read " + n + " bytes");
            direct.flip();
            direct.get(text, 0, n);
            return n;
        } catch (IOException e) {
            // Opened again on the next look: a descriptor that failed once is not trusted.
            if (open[slot] != null) open[slot].close();
            open[slot] = null;
            throw e;
        }
    }

    /** Start of the first line at or after {@code from} that begins with {@code prefix}; -1 if none. */
    private int find(int n, String prefix, int from) {
        for (int i = from; i < n; i = next(i, n)) {
            if (i == 0 || text[i - 1] == '\n') {
                if (startsWith(i, n, prefix)) return i;
            }
        }
        return -1;
    }

    /** The value under {@code name} in a "names" line and its "values" line, matched by position. */
    private long column(int n, int names, int values, String name) throws IOException {
        int col = 0;
        for (int i = names; i < n && text[i] != '\n'; i++) {
            if (text[i] == ' ') {
                col++;
                if (startsWith(i + 1, n, name + " ") || startsWith(i + 1, n, name + "\n")) {
                    int v = values;
                    for (int c = 0; c < col; c++) {
                        while (v < n && text[v] != ' ' && text[v] != '\n') v++;
                        v++;
                    }
                    return number(v, n, name);
                }
            }
        }
        throw new IOException(snmp + " has no Tcp: " + name);
    }

    private long after(int n, String prefix, Path file) throws IOException {
        int at = find(n, prefix, 0);
        if (at < 0) throw new IOException(file + " has no '" + prefix.trim() + "'");
        return number(at + prefix.length(), n, file + " " + prefix.trim());
    }

    private long number(int at, int n, String what) throws IOException {
        long v = 0;
        int i = at;
        while (i < n && text[i] >= '0' && text[i] <= '9') v = v * 10 + (text[i++] - '0');
        if (i == at) throw new IOException("no number for " + what);
        return v;
    }

    private boolean startsWith(int at, int n, String s) {
        if (at + s.length() > n) return false;
        for (int k = 0; k < s.length(); k++) if (text[at + k] != s.charAt(k)) return false;
        return true;
    }

    private int next(int i, int n) {
        while (i < n && text[i] != '\n') i++;
        return i + 1;
    }
}
