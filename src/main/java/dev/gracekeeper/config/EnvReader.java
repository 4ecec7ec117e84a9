package dev.gracekeeper.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The environment as the parsers read it: each variable's value (empty means unset, so the
 * default), its effective value for the startup log, and every problem found, one line each
 * naming the variable, the bad value and what would be valid.
 */
final class EnvReader {
    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();
    /** Variables whose own value was refused, so checks that combine them are skipped. */
    private final EnumSet<Var> refused = EnumSet.noneOf(Var.class);
    private final Map<Var, String> effective = new EnumMap<>(Var.class);

    EnvReader(Map<String, String> env) {
        this.env = env;
    }

    List<String> problems() { return problems; }

    Map<Var, String> effective() { return effective; }

    /** A problem that is not one variable's own value (a combination, an unknown name). */
    void add(String problem) { problems.add(problem); }

    String raw(Var v) {
        String s = env.get(v.envName());
        boolean unset = s == null || s.isBlank();
        String value = unset ? v.defaultValue() : s.trim();
        String shown = value.isEmpty() ? "(unset)" : v.secret() ? "****" : value;
        effective.put(v, shown + (unset && !value.isEmpty() ? " (default)" : ""));
        return value;
    }

    void problem(Var v, String what) {
        String shown = v.secret() ? "****" : env.getOrDefault(v.envName(), v.defaultValue());
        problems.add(v.envName() + "='" + shown + "' " + what + "; valid: " + v.valid());
        refused.add(v);
    }

    boolean present(Var v) {
        String s = env.get(v.envName());
        return s != null && !s.isBlank();
    }

    boolean anyRefused(Var... vars) {
        for (Var v : vars) if (refused.contains(v)) return true;
        return false;
    }

    Duration duration(Var v, Duration min, Duration max) {
        String s = raw(v);
        Optional<Duration> d = Durations.parse(s);
        if (d.isEmpty()) {
            boolean bare = s.matches("[0-9]+");
            String hint = s.equals("0") ? "0s" : s + "s or " + s + "000ms";
            problem(v, bare && s.length() <= 6 ? "has no unit (write " + hint + ")" : "is not a duration");
            return min;
        }
        if (d.get().compareTo(min) < 0 || d.get().compareTo(max) > 0) {
            problem(v, "is out of range");
            return min;
        }
        return d.get();
    }

    Optional<URI> url(Var v) {
        String s = raw(v);
        if (s.isEmpty()) return Optional.empty();
        try {
            URI u = new URI(s);
            if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null) {
                return Optional.of(u);
            }
            problem(v, "is not an absolute http(s) URL with a host");
        } catch (URISyntaxException e) {
            problem(v, "is not a URL (" + e.getReason() + " at index " + e.getIndex() + ")");
        }
        return Optional.empty();
    }

    /** A misspelt variable would otherwise be ignored in silence, e.g. a token that never applies. */
    void rejectUnknownVariables() {
        for (String name : env.keySet()) {
            if (!name.startsWith(Var.PREFIX)) continue;
            boolean known = false;
            for (Var v : Var.values()) known |= v.envName().equals(name);
            if (!known) {
                add(name + ": unknown variable" + closest(name)
                        .map(c -> " (did you mean " + c + "?)").orElse("")
                        + "; valid names: " + knownNames());
            }
        }
    }

    private static Optional<String> closest(String name) {
        String best = null;
        int bestDistance = 4;
        for (Var v : Var.values()) {
            int d = distance(name, v.envName());
            if (d < bestDistance) {
                bestDistance = d;
                best = v.envName();
            }
        }
        return Optional.ofNullable(best);
    }

    private static String knownNames() {
        StringBuilder sb = new StringBuilder();
        for (Var v : Var.values()) {
            if (v.envName().startsWith(Var.PREFIX)) sb.append(sb.length() == 0 ? "" : ", ").append(v.envName());
        }
        return sb.toString();
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
