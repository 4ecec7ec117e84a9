package dev.gracekeeper.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/** An IPv4 or IPv6 network; IPv4-mapped IPv6 sources match IPv4 networks. */
public final class Cidr {
    private final byte[] network;
    private final int prefix;
    private final String text;

    private Cidr(byte[] network, int prefix, String text) {
        this.network = network;
        this.prefix = prefix;
        this.text = text;
    }

    /**
     * Parses {@code 10.0.0.0/8}, {@code fd00::/8} or a bare address (a /32 or /128).
     *
     * @throws IllegalArgumentException with a message saying what is wrong
     */
    public static Cidr parse(String text) {
        String s = text.trim();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        byte[] bytes = literal(addr).orElseThrow(
                () -> new IllegalArgumentException("'" + addr + "' is not an IPv4 or IPv6 address"));
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String p = s.substring(slash + 1);
            if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > max) {
                throw new IllegalArgumentException("prefix length '" + p + "' is not 0-" + max);
            }
            prefix = Integer.parseInt(p);
        }
        byte[] masked = mask(bytes, prefix);
        if (!Arrays.equals(masked, bytes)) {
            throw new IllegalArgumentException("host bits are set; did you mean "
                    + toText(masked) + "/" + prefix + "?");
        }
        return new Cidr(masked, prefix, s);
    }

    public boolean contains(InetAddress address) {
        byte[] a = normalize(address.getAddress());
        return a.length == network.length && Arrays.equals(mask(a, prefix), network);
    }

    /** Parses an IP literal without ever resolving a host name. */
    public static Optional<byte[]> literal(String s) {
        if (s.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
            byte[] b = new byte[4];
            String[] parts = s.split("\\.");
            for (int i = 0; i < 4; i++) {
                int v = Integer.parseInt(parts[i]);
                if (v > 255) return Optional.empty();
                b[i] = (byte) v;
            }
            return Optional.of(b);
        }
        if (s.indexOf(':') >= 0 && s.matches("[0-9A-Fa-f:.]+")) {
            try {
                // A string containing ':' is taken as an IPv6 literal: no DNS lookup happens.
                return Optional.of(normalize(InetAddress.getByName(s).getAddress()));
            } catch (UnknownHostException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static byte[] normalize(byte[] a) {
        if (a.length == 16) {
            boolean mapped = a[10] == (byte) 0xff && a[11] == (byte) 0xff;
            for (int i = 0; i < 10 && mapped; i++) mapped = a[i] == 0;
            if (mapped) return Arrays.copyOfRange(a, 12, 16);
        }
        return a;
    }

    private static byte[] mask(byte[] a, int prefix) {
        byte[] m = a.clone();
        for (int i = 0; i < m.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            m[i] = (byte) (m[i] & (0xff << (8 - bits)));
        }
        return m;
    }

    private static String toText(byte[] a) {
        try {
            return InetAddress.getByAddress(a).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() { return text; }
}
