package dev.gracekeeper.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gracekeeper.config.Cidr;
import dev.gracekeeper.config.Secret;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HookGuardTest {
    static final String TOKEN = "3f1c9a7e0b2d4e6f8a1b3c5d";
    final HookGuard tokenOnly = new HookGuard(Optional.of(new Secret(TOKEN)), List.of());
    final HookGuard allowOnly = new HookGuard(Optional.empty(), List.of(Cidr.parse("10.0.0.0/8")));

    @ParameterizedTest(name = "{0} with token header ''{1}'' -> {2}")
    @CsvSource(nullValues = "null", value = {
        "127.0.0.1,        null,                     ALLOWED",
        "::1,              null,                     ALLOWED",
        "::ffff:127.0.0.1, null,                     ALLOWED",
        // Istio forwards inbound traffic from any pod with source 127.0.0.6.
        "127.0.0.6,        null,                     NO_TOKEN",
        "127.1.2.3,        wrong-token-of-length-24, WRONG_TOKEN",
        "127.0.0.6,        3f1c9a7e0b2d4e6f8a1b3c5d, ALLOWED",
        "10.1.2.3,         null,                     NO_TOKEN",
        "10.1.2.3,         3f1c9a7e0b2d4e6f8a1b3c5d, ALLOWED",
        "fd00::1,          null,                     NO_TOKEN",
    })
    void tokenIsNeededFromEverywhereButTheLocalCaller(String source, String header, HookGuard.Verdict expected)
            throws Exception {
        assertEquals(expected, tokenOnly.check(InetAddress.getByName(source), header));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "127.0.0.1, ALLOWED",
        "127.0.0.6, SOURCE_NOT_ALLOWED",
        "10.9.8.7,  ALLOWED",
        "192.0.2.1, SOURCE_NOT_ALLOWED",
    })
    void allowlistAppliesToEveryoneButTheLocalCaller(String source, HookGuard.Verdict expected) throws Exception {
        assertEquals(expected, allowOnly.check(InetAddress.getByName(source), null));
    }
}
