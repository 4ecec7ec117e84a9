package dev.gracekeeper.config;

import java.time.Duration;
import java.util.Optional;

/** Durations always carry a unit: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}. */
public final class Durations {
    private Durations() {}

    /** Parses a duration, or returns empty when the text is not one. */
    public static Optional<Duration> parse(String text) {
        int i = 0;
        while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9') i++;
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

    /**
     * Whole seconds as {@code 60s}, the unit of terminationGracePeriodSeconds that budget messages
     * are compared with; anything finer in {@code ms}. Always parses back to the same duration.
     */
    public static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
