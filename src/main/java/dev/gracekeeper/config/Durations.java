package dev.gracekeeper.config;

import java.time.Duration;
import java.util.Optional;

/** Durations always carry a unit: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}. */
public final class Durations {
    private Durations() {}

    /** Parses a duration, or returns empty when the text is not one. */
    public static Optional<Duration> parse(String text) {
        int i = 0;
        while (i < text.length() && Character.isDigit(text.charAt(i))) i++;
        if (i == 0 || i > 9) return Optional.empty();
        long n = Long.parseLong(text.substring(0, i));
        switch (text.substring(i)) {
            case "ms": return Optional.of(Duration.ofMillis(n));
            case "s": return Optional.of(Duration.ofSeconds(n));
            case "m": return Optional.of(Duration.ofMinutes(n));
            case "h": return Optional.of(Duration.ofHours(n));
            default: return Optional.empty();
        }
    }

    /** Shortest exact rendering with a unit, the inverse of {@link #parse}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms != 0 && ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
        if (ms != 0 && ms % 60_000 == 0) return ms / 60_000 + "m";
        if (ms % 1000 == 0) return ms / 1000 + "s";
        return ms + "ms";
    }
}
