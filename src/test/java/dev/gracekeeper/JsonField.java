package dev.gracekeeper;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one field of the sidecar's flat JSON in tests: a string (still escaped), or the raw token. */
public final class JsonField {
    private JsonField() {}

    public static String of(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(\"((?:[^\"\\\\]|\\\\.)*)\"|[^,}\\]]*)").matcher(json);
        assertTrue(m.find(), "field " + name + " in " + json);
        return m.group(2) != null ? m.group(2) : m.group(1);
    }
}
