package dev.gracekeeper.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class SecretTest {
    static final String VALUE = "0123456789abcdef-TOKEN";
    final Secret secret = new Secret(VALUE);

    @Test
    void matchesTheExactValue() {
        assertTrue(secret.matches(VALUE));
        assertTrue(secret.matches(new String(VALUE.toCharArray())));
    }

    @ParameterizedTest(name = "''{0}''")
    @NullAndEmptySource
    @ValueSource(strings = {"0123456789abcdef-TOKE", "0123456789abcdef-TOKENX", "0123456789abcdef-token",
            "1123456789abcdef-TOKEN", " 0123456789abcdef-TOKEN", "0123456789abcdef-TOKEN ", "****"})
    void doesNotMatchAnythingElse(String candidate) {
        assertFalse(secret.matches(candidate));
    }

    @Test
    void nonAsciiValuesCompareByTheirUtf8Bytes() {
        Secret s = new Secret("p\u00e4ssw\u00f6rd-\u20ac-0123456789");
        assertTrue(s.matches("p\u00e4ssw\u00f6rd-\u20ac-0123456789"));
        assertFalse(s.matches("pa\u0308ssw\u00f6rd-\u20ac-0123456789"));
    }

    @Test
    void toStringIsAMaskAndNeverTheValue() {
        assertEquals("****", secret.toString());
        assertEquals("****", String.valueOf(secret));
        assertEquals("token=****", "token=" + secret);
    }

    @Test
    void containersPrintingTheSecretShowOnlyTheMask() {
        String printed = Optional.of(secret) + " " + List.of(secret, new Secret("another-secret-value"));
        assertEquals("Optional[****] [****, ****]", printed);
        assertFalse(printed.contains("TOKEN"));
    }
}
