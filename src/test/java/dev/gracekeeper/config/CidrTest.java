package dev.gracekeeper.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {
    /** An address from raw bytes: never touches DNS and does not depend on the code under test. */
    static InetAddress ip(int... octets) {
        byte[] b = new byte[octets.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) octets[i];
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** An IPv6 literal; the JDK parses text containing ':' without a lookup. */
    static InetAddress ip6(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] mapped(int a, int b, int c, int d) {
        return new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) a, (byte) b, (byte) c,
                (byte) d};
    }

    @Test
    void ipv4NetworkContainsItsFirstAndLastAddressOnly() {
        Cidr net = Cidr.parse("10.0.0.0/8");
        assertTrue(net.contains(ip(10, 0, 0, 0)));
        assertTrue(net.contains(ip(10, 255, 255, 255)));
        assertFalse(net.contains(ip(11, 0, 0, 0)));
        assertFalse(net.contains(ip(9, 255, 255, 255)));
    }

    @Test
    void prefixNotOnAByteBoundaryMasksPartOfAByte() {
        Cidr net = Cidr.parse("172.16.0.0/12");
        assertTrue(net.contains(ip(172, 31, 255, 255)));
        assertFalse(net.contains(ip(172, 32, 0, 0)));
        assertFalse(net.contains(ip(172, 15, 255, 255)));
    }

    @Test
    void ipv6NetworkContainsAddressesUnderItsPrefix() {
        Cidr net = Cidr.parse("fd00::/8");
        assertTrue(net.contains(ip6("fd00::1")));
        assertTrue(net.contains(ip6("fdff:ffff::1")));
        assertFalse(net.contains(ip6("fe80::1")));
        assertFalse(net.contains(ip6("fc00::1")));
    }

    @Test
    void ipv4NetworkDoesNotContainIpv6AddressesAndViceVersa() {
        assertFalse(Cidr.parse("0.0.0.0/0").contains(ip6("2001:db8::1")));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(ip(203, 0, 113, 7)));
        assertFalse(Cidr.parse("2001:db8::/32").contains(ip(32, 1, 13, 184)));
    }

    @Test
    void bareIpv4AddressIsASlash32() {
        Cidr host = Cidr.parse("192.168.1.10");
        assertTrue(host.contains(ip(192, 168, 1, 10)));
        assertFalse(host.contains(ip(192, 168, 1, 11)));
        assertFalse(host.contains(ip(192, 168, 1, 0)));
        assertEquals("192.168.1.10", host.toString());
    }

    @Test
    void bareIpv6AddressIsASlash128() {
        Cidr host = Cidr.parse("2001:db8::1");
        assertTrue(host.contains(ip6("2001:db8::1")));
        assertTrue(host.contains(ip6("2001:db8:0:0:0:0:0:1")));
        assertFalse(host.contains(ip6("2001:db8::2")));
        assertFalse(host.contains(ip6("2001:db8::")));
    }

    @Test
    void surroundingSpacesAreIgnoredAndToStringIsTheTrimmedText() {
        Cidr net = Cidr.parse("  10.0.0.0/8 ");
        assertEquals("10.0.0.0/8", net.toString());
        assertTrue(net.contains(ip(10, 1, 2, 3)));
    }

    static Stream<Arguments> hostBitsSet() {
        return Stream.of(
                Arguments.of("10.1.2.3/8", "host bits are set; did you mean 10.0.0.0/8?"),
                Arguments.of("192.168.1.1/24", "host bits are set; did you mean 192.168.1.0/24?"),
                Arguments.of("172.20.0.0/12", "host bits are set; did you mean 172.16.0.0/12?"),
                Arguments.of("fd00::1/8", "host bits are set; did you mean fd00:0:0:0:0:0:0:0/8?"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostBitsSet")
    void networkWithHostBitsSetIsRejectedWithTheNetworkItProbablyMeant(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
        assertEquals(message, e.getMessage());
    }

    @Test
    void suggestedNetworkParsesAndContainsTheMistypedAddress() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.1.2.3/8"));
        String suggestion = e.getMessage().replaceAll(".*did you mean (\\S+)\\?$", "$1");
        assertEquals("10.0.0.0/8", suggestion);
        assertTrue(Cidr.parse(suggestion).contains(ip(10, 1, 2, 3)));
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("10.0.0.0/33", "prefix length '33' is not 0-32"),
                Arguments.of("fd00::/129", "prefix length '129' is not 0-128"),
                Arguments.of("10.0.0.0/", "prefix length '' is not 0-32"),
                Arguments.of("10.0.0.0/-1", "prefix length '-1' is not 0-32"),
                Arguments.of("10.0.0.0/x", "prefix length 'x' is not 0-32"),
                Arguments.of("10.0.0.0/8/8", "prefix length '8/8' is not 0-32"),
                Arguments.of("256.0.0.0/8", "'256.0.0.0' is not an IPv4 or IPv6 address"),
                Arguments.of("10.0.0/8", "'10.0.0' is not an IPv4 or IPv6 address"),
                Arguments.of("1::2::3/64", "'1::2::3' is not an IPv4 or IPv6 address"),
                Arguments.of("localhost", "'localhost' is not an IPv4 or IPv6 address"),
                Arguments.of("kube-node/24", "'kube-node' is not an IPv4 or IPv6 address"),
                Arguments.of("", "'' is not an IPv4 or IPv6 address"));
    }

    @ParameterizedTest(name = "''{0}''")
    @MethodSource("malformed")
    void malformedNetworkIsRejectedSayingWhichPartIsWrong(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
        assertEquals(message, e.getMessage());
    }

    @Test
    void ipv4MappedIpv6SourceMatchesAnIpv4Network() throws Exception {
        Cidr net = Cidr.parse("10.0.0.0/8");
        // The JDK hands out an Inet4Address for these bytes: what a dual-stack socket reports after conversion.
        assertTrue(net.contains(InetAddress.getByAddress(mapped(10, 1, 2, 3))));
        // An Inet6Address keeps all 16 bytes: Cidr itself has to see through the mapping.
        InetAddress v6 = Inet6Address.getByAddress(null, mapped(10, 1, 2, 3), -1);
        assertInstanceOf(Inet6Address.class, v6);
        assertEquals(16, v6.getAddress().length);
        assertTrue(net.contains(v6));
    }

    @Test
    void ipv4MappedIpv6SourceOutsideTheIpv4NetworkDoesNotMatch() throws Exception {
        Cidr net = Cidr.parse("10.0.0.0/8");
        assertFalse(net.contains(InetAddress.getByAddress(mapped(11, 1, 2, 3))));
        assertFalse(net.contains(Inet6Address.getByAddress(null, mapped(11, 1, 2, 3), -1)));
    }

    @Test
    void ipv4MappedIpv6LiteralParsesToTheFourIpv4Bytes() {
        assertArrayEquals(new byte[] {10, 1, 2, 3}, Cidr.literal("::ffff:10.1.2.3").orElseThrow());
        assertTrue(Cidr.parse("::ffff:10.1.2.3").contains(ip(10, 1, 2, 3)));
    }

    @Test
    void literalParsesIpv4AndIpv6ToTheirBytes() {
        assertArrayEquals(new byte[] {127, 0, 0, 1}, Cidr.literal("127.0.0.1").orElseThrow());
        assertArrayEquals(new byte[] {(byte) 255, (byte) 255, (byte) 255, (byte) 255},
                Cidr.literal("255.255.255.255").orElseThrow());
        byte[] loopback6 = new byte[16];
        loopback6[15] = 1;
        assertArrayEquals(loopback6, Cidr.literal("::1").orElseThrow());
        assertArrayEquals(new byte[16], Cidr.literal("::").orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "example.com", "kubernetes.default.svc", "ip6-localhost",
            "10.0.0.1.nip.io", "256.1.1.1", "1.2.3", "1.2.3.4.5", "1::2::3", ":", "1.2.3.4:80", "fe80::1%eth0", ""})
    void literalIsEmptyForAnythingButAnIpLiteral(String text) {
        assertEquals(Optional.empty(), Cidr.literal(text).map(b -> "parsed to " + b.length + " bytes"));
    }

    @Test
    void hostNamesAreNeverResolvedEvenWhenTheyWouldResolve() throws Exception {
        // "localhost" resolves on every machine: an empty result proves no lookup was used.
        assertTrue(InetAddress.getByName("localhost").isLoopbackAddress());
        assertTrue(Cidr.literal("localhost").isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse("localhost/8"));
        assertEquals("'localhost' is not an IPv4 or IPv6 address", e.getMessage());
    }
}
