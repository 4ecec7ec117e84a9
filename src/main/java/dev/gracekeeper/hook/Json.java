package dev.gracekeeper.hook;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A tiny JSON writer: the sidecar only ever writes small, flat documents. */
final class Json {
    private final StringBuilder sb = new StringBuilder(256);
    private boolean first = true;

    Json() { sb.append('{'); }

    Json field(String name, String value) {
        key(name);
        if (value == null) sb.append("null"); else string(value);
        return this;
    }

    Json field(String name, long value) {
        key(name);
        sb.append(value);
        return this;
    }

    Json field(String name, boolean value) {
        key(name);
        sb.append(value);
        return this;
    }

    Json field(String name, Optional<Instant> value) {
        return field(name, value.map(Instant::toString).orElse(null));
    }

    Json strings(String name, List<String> values) {
        key(name);
        sb.append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) sb.append(',');
            string(values.get(i));
        }
        sb.append(']');
        return this;
    }

    /** Embeds already-rendered JSON (an object, an array or null). */
    Json raw(String name, String json) {
        key(name);
        sb.append(json);
        return this;
    }

    String end() {
        return sb.append('}').toString();
    }

    private void key(String name) {
        if (!first) sb.append(',');
        first = false;
        string(name);
        sb.append(':');
    }

    private void string(String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c)); else sb.append(c);
            }
        }
        sb.append('"');
    }
}
