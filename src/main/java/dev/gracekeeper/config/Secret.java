package dev.gracekeeper.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** A value that never prints itself and compares in constant time. */
public final class Secret {
    private final byte[] value;

    public Secret(String value) {
        this.value = value.getBytes(StandardCharsets.UTF_8);
    }

    /** Constant-time comparison, so response timing reveals nothing about the token. */
    public boolean matches(String candidate) {
        return candidate != null
                && MessageDigest.isEqual(value, candidate.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() { return "****"; }
}
