package dev.gracekeeper.adopt;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Lifecycle handlers and probes as users wrote them: what they do, and whether they just sleep. */
public final class Handlers {
    private static final Pattern SLEEP = Pattern.compile("\\s*(?:exec\\s+)?(?:/bin/|/usr/bin/)?sleep\\s+([0-9]{1,9})(?:\\.[0-9]*)?s?\\s*;?\\s*");
    private static final List<String> SHELLS = List.of("sh", "/bin/sh", "bash", "/bin/bash", "/usr/bin/bash", "ash");

    private Handlers() {}

    /** One line naming the handler, e.g. {@code exec [sleep, 15]} or {@code httpGet :8080/quit}. */
    public static String describe(Map<String, Object> h) {
        if (h == null) return "(none)";
        if (Tree.child(h, "httpGet") != null) {
            Map<String, Object> g = Tree.child(h, "httpGet");
            return "httpGet :" + g.get("port") + (Tree.str(g, "path") == null ? "/" : Tree.str(g, "path"));
        }
        if (Tree.child(h, "exec") != null) return "exec " + Tree.child(h, "exec").get("command");
        if (Tree.child(h, "sleep") != null) return "sleep " + Tree.child(h, "sleep").get("seconds") + "s";
        if (Tree.child(h, "tcpSocket") != null) return "tcpSocket :" + Tree.child(h, "tcpSocket").get("port");
        if (Tree.child(h, "grpc") != null) return "grpc :" + Tree.child(h, "grpc").get("port");
        return h.keySet().toString();
    }

    /** The seconds of a handler that only sleeps ({@code sleep}, or exec of sleep, directly or in a shell). */
    public static OptionalLong sleepSeconds(Map<String, Object> h) {
        if (h == null) return OptionalLong.empty();
        if (Tree.child(h, "sleep") != null && Tree.child(h, "sleep").get("seconds") instanceof Number n) {
            return OptionalLong.of(n.longValue());
        }
        List<Object> cmd = Tree.list(Tree.child(h, "exec") == null ? null : Tree.child(h, "exec").get("command"));
        if (cmd == null || cmd.isEmpty()) return OptionalLong.empty();
        String line;
        if (cmd.size() == 3 && SHELLS.contains(String.valueOf(cmd.get(0))) && "-c".equals(String.valueOf(cmd.get(1)))) {
            line = String.valueOf(cmd.get(2));
        } else {
            StringBuilder sb = new StringBuilder();
            for (Object o : cmd) sb.append(sb.length() == 0 ? "" : " ").append(o);
            line = sb.toString();
        }
        Matcher m = SLEEP.matcher(line);
        return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }

    /** The httpGet of a handler or probe, or null. */
    public static Map<String, Object> httpGet(Map<String, Object> h) {
        return Tree.child(h, "httpGet");
    }

    /** The value of header {@code name} (case-insensitive) in an httpGet, or null. */
    public static String header(Map<String, Object> httpGet, String name) {
        for (Map<String, Object> x : Tree.maps(httpGet, "httpHeaders")) {
            if (name.equalsIgnoreCase(Tree.str(x, "name"))) return Tree.str(x, "value") == null ? "" : Tree.str(x, "value");
        }
        return null;
    }
}
