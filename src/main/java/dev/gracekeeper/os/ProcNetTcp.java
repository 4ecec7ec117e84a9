package dev.gracekeeper.os;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Counts the app's server-side TCP connections from {@code /proc/net/tcp} and {@code /proc/net/tcp6}
 * (IPv4 clients of a {@code ::} listener appear only in tcp6). Matches the local port, never the
 * remote one, so the sidecar's own client connections to other ports are not counted. Parses
 * bytes in a reused buffer, with no regex and no per-line strings.
 *
 * <p>One read of these files walks the kernel's whole established hash table (262144 buckets on a
 * 24 GiB node, shared by every network namespace), about 1.7 ms of kernel time whatever is in it,
 * so callers go through {@link ConnectionWatch}, which walks only when cheap counters moved. A read
 * that fails, stops mid-line or holds a line that does not parse throws: a count that is not known
 * must never pass for zero.
 */
public final class ProcNetTcp {
    static final int ESTABLISHED = 0x01;
    static final int SYN_SENT = 0x02;
    static final int SYN_RECV = 0x03;
    static final int LISTEN = 0x0A;
    /**
     * The kernel fills one read() of a seq_file with whole records until the next would overflow its
     * buffer of at least one page (4096 bytes); these records are 150 (tcp) and about 180 (tcp6) bytes.
     * So a read that asked for more than a page and got less than this stopped at the end of the
     * file, and the read() that would return 0 (which walks the whole hash table once more) is skipped.
     */
    static final int SHORT_READ = 4096 - 512;
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private final Path[] files;
    private byte[] buf = new byte[64 * 1024];
    private final int[] seenStamp = new int[65536];
    private int stamp;

    public ProcNetTcp() {
        this(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    }

    public ProcNetTcp(Path... files) {
        this.files = files.clone();
    }

    /**
     * Connection counts on the given local ports.
     *
     * @param listeningPorts how many distinct ports of the set have a listener
     * @param listeners the listening sockets' inodes: a new process (a new app instance) opens new ones
     * @param handshakes connections of any port in SYN-SENT or SYN-RECV: ones that may become
     *                   ESTABLISHED without another open being counted
     * @param tablesWithPorts the tables read (bit i: the i-th file) that hold a socket of the ports, in
     *                   any state: an app listening on {@code ::} only has nothing in {@code tcp}
     * @param connections the ESTABLISHED connections counted, each as {@link #key}; empty unless asked for
     */
    public record Counts(int established, int listening, int listeningPorts, Inodes listeners, int handshakes,
                         int tablesWithPorts, List<String> connections) {
        public Counts withEstablished(List<String> left) {
            return new Counts(left.size(), listening, listeningPorts, listeners, handshakes, tablesWithPorts, left);
        }
    }

    /**
     * A connection as both this table and the kernel's socket messages name it: its local and remote
     * address and port as the table prints them, "LOCAL:PORT REMOTE:PORT" (an address in 8 hex digits,
     * or 32 for IPv6: each 32-bit word as read on this host; a port in 4).
     */
    public static String key(int[] localWords, int localPort, int[] remoteWords, int remotePort) {
        StringBuilder sb = new StringBuilder(90);
        for (int w : localWords) sb.append(HEX.toHexDigits(w));
        sb.append(':').append(HEX.toHexDigits((short) localPort)).append(' ');
        for (int w : remoteWords) sb.append(HEX.toHexDigits(w));
        return sb.append(':').append(HEX.toHexDigits((short) remotePort)).toString();
    }

    /** A set of socket inodes, sorted. */
    public static final class Inodes {
        public static final Inodes NONE = new Inodes(new long[0]);
        private final long[] sorted;

        private Inodes(long[] sorted) { this.sorted = sorted; }

        public static Inodes of(long... inodes) {
            long[] a = inodes.clone();
            Arrays.sort(a);
            return new Inodes(a);
        }

        public boolean isEmpty() { return sorted.length == 0; }

        /** True when this set has an inode that {@code earlier} did not have. */
        public boolean hasAnyNotIn(Inodes earlier) {
            for (long i : sorted) if (Arrays.binarySearch(earlier.sorted, i) < 0) return true;
            return false;
        }

        @Override public boolean equals(Object o) { return o instanceof Inodes i && Arrays.equals(sorted, i.sorted); }

        @Override public int hashCode() { return Arrays.hashCode(sorted); }

        @Override public String toString() { return Arrays.toString(sorted); }
    }

    /** Every table: bit i stands for the i-th file. */
    public int allTables() { return (1 << files.length) - 1; }

    /** Reads every table once. */
    public Counts count(boolean[] ports) throws IOException { return count(ports, allTables(), false); }

    /**
     * Reads the chosen tables once. Each read walks the whole shared hash table, so skipping a table
     * that cannot hold the app's sockets halves a look.
     *
     * @param ports local ports to count, as a lookup table indexed by port
     * @param tables which files to read, bit i for the i-th
     * @param keys whether to name each ESTABLISHED connection counted ({@link Counts#connections()})
     */
    public synchronized Counts count(boolean[] ports, int tables, boolean keys) throws IOException {
        int established = 0;
        int listening = 0;
        int listeningPorts = 0;
        int handshakes = 0;
        int withPorts = 0;
        List<String> named = keys ? new ArrayList<>() : List.of();
        long[] inodes = null;
        stamp++;
        for (int fi = 0; fi < files.length; fi++) {
            if ((tables & 1 << fi) == 0) continue;
            Path f = files[fi];
            int len = read(f, fi > 0);
            if (len < 0) continue;
            int i = header(f, len);
            for (int line = 2; i < len; line++) {
                int lineEnd = skipLine(i, len);
                if (buf[lineEnd - 1] != '\n') throw unparsable(f, line, i, lineEnd, "cut off mid-line");
                int p = i;
                while (p < lineEnd && buf[p] != ':') p++;   // "  12:"
                p++;
                while (p < lineEnd && buf[p] == ' ') p++;
                int local = p;
                while (p < lineEnd && buf[p] != ':') p++;   // local address
                int port = p + 6 < lineEnd ? hex(p + 1, 4) : -1;
                p += 5;
                while (p < lineEnd && buf[p] == ' ') p++;
                int remote = p;
                while (p < lineEnd && buf[p] != ' ') p++;   // remote address:port
                int remoteEnd = p;
                while (p < lineEnd && buf[p] == ' ') p++;
                int state = p + 3 < lineEnd ? hex(p, 2) : -1;
                if (port < 0 || state < 0) throw unparsable(f, line, i, lineEnd, "no local port and state");
                if (state == SYN_SENT || state == SYN_RECV) handshakes++;
                if (ports[port]) {
                    withPorts |= 1 << fi;
                    if (state == ESTABLISHED) {
                        established++;
                        if (keys) {
                            named.add(new String(buf, local, remoteEnd - local, StandardCharsets.US_ASCII));
                        }
                    }
                    else if (state == LISTEN) {
                        listening++;
                        if (inodes == null) inodes = new long[4];
                        else if (listening > inodes.length) inodes = Arrays.copyOf(inodes, inodes.length * 2);
                        inodes[listening - 1] = inode(p + 2, lineEnd);
                        if (seenStamp[port] != stamp) {
                            seenStamp[port] = stamp;
                            listeningPorts++;
                        }
                    }
                }
                i = lineEnd;
            }
        }
        return new Counts(established, listening, listeningPorts,
                inodes == null ? Inodes.NONE : Inodes.of(Arrays.copyOf(inodes, listening)), handshakes, withPorts,
                keys ? List.copyOf(named) : List.of());
    }

    public static boolean[] portTable(Iterable<Integer> ports) {
        boolean[] t = new boolean[65536];
        for (int p : ports) t[p] = true;
        return t;
    }

    /** Reads the whole file into the buffer; -1 if an optional file does not exist (no IPv6). */
    private int read(Path f, boolean optional) throws IOException {
        try (InputStream in = new FileInputStream(f.toFile())) {
            int len = 0;
            while (true) {
                if (buf.length - len < 8192) buf = Arrays.copyOf(buf, buf.length * 2);
                int n = in.read(buf, len, buf.length - len);
                if (n < 0) return len;
                len += n;
                if (n < SHORT_READ) return len;
            }
        } catch (java.io.FileNotFoundException e) {
            if (optional && !Files.exists(f)) return -1;
            throw e;
        }
    }

    /** Where the entries begin, after the header line the kernel always writes first. */
    private int header(Path f, int len) throws IOException {
        int end = skipLine(0, len);
        int p = 0;
        while (p < end && buf[p] == ' ') p++;
        if (len == 0 || buf[end - 1] != '\n' || p + 2 > end || buf[p] != 's' || buf[p + 1] != 'l') {
            throw unparsable(f, 1, 0, end, len == 0 ? "empty, not even the header" : "not the header of a tcp table");
        }
        return end;
    }

    private IOException unparsable(Path f, int line, int from, int to, String what) {
        String text = new String(buf, from, Math.min(to - from, 80), StandardCharsets.US_ASCII).strip();
        return new IOException(f + " line " + line + " " + what + ": '" + text.replaceAll("[^\\x20-\\x7e]", "?") + "'");
    }

    /** The inode: the 7th field after the state (tx:rx, tr:when, retrnsmt, uid, timeout, inode). */
    private long inode(int p, int lineEnd) {
        for (int field = 0; field < 5; field++) {
            while (p < lineEnd && buf[p] == ' ') p++;
            while (p < lineEnd && buf[p] != ' ') p++;
        }
        while (p < lineEnd && buf[p] == ' ') p++;
        long v = 0;
        while (p < lineEnd && buf[p] >= '0' && buf[p] <= '9') v = v * 10 + (buf[p++] - '0');
        return v;
    }

    private int skipLine(int i, int len) {
        while (i < len && buf[i] != '\n') i++;
        return Math.min(len, i + 1);
    }

    private int hex(int at, int digits) {
        int v = 0;
        for (int k = 0; k < digits; k++) {
            int c = buf[at + k];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (d < 0) return -1;
            v = v * 16 + d;
        }
        return v;
    }
}
