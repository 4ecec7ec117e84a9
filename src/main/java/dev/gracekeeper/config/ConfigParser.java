package dev.gracekeeper.config;

import dev.gracekeeper.os.ProcessSelector;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Turns the environment into a {@link Config}. Every problem is collected, so one failed start
 * shows all of them: variable, bad value, and what would be valid. Empty means unset.
 */
public final class ConfigParser {
    static final Duration MAX_DRAIN_DELAY = Duration.ofMinutes(10);
    static final int MIN_TOKEN_LENGTH = 16;

    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();
    /** Variables whose own value was refused, so checks that combine them are skipped. */
    private final java.util.EnumSet<Var> refused = java.util.EnumSet.noneOf(Var.class);
    private final Map<Var, String> effective = new EnumMap<>(Var.class);

    private ConfigParser(Map<String, String> env) {
        this.env = env;
    }

    public static Config parse(Map<String, String> env) throws ConfigException {
        return new ConfigParser(env).parse();
    }

    private Config parse() throws ConfigException {
        rejectUnknownVariables();
        int port = port();
        Optional<InetAddress> bind = bindAddress();
        Path stateDir = Path.of(raw(Var.STATE_DIR));
        Optional<Secret> token = token();
        List<Cidr> allow = allowFrom();
        Config.HookAuth auth = hookAuth();
        Budget budget = budget();
        AppConfig app = app();
        Path terminationMessage = Path.of(raw(Var.TERMINATION_MESSAGE_PATH));
        if (!terminationMessage.isAbsolute()) problem(Var.TERMINATION_MESSAGE_PATH, "is not an absolute path");
        Config.Pod pod = new Config.Pod(raw(Var.POD_NAME), raw(Var.POD_NAMESPACE), raw(Var.POD_UID));
        if (!stateDir.isAbsolute()) {
            problem(Var.STATE_DIR, "is not an absolute path");
        }
        Propagation propagation = propagation(budget, pod);
        Config config = new Config(port, bind, stateDir, token, allow, auth, budget, app, terminationMessage, pod,
                effective, propagation);
        checkHookSecurity(config);
        if (!problems.isEmpty()) throw new ConfigException(problems);
        return config;
    }

    /** A misspelt variable would otherwise be ignored in silence, e.g. a token that never applies. */
    private void rejectUnknownVariables() {
        for (String name : env.keySet()) {
            if (!name.startsWith(Var.PREFIX)) continue;
            boolean known = false;
            for (Var v : Var.values()) known |= v.envName().equals(name);
            if (!known) {
                problems.add(name + ": unknown variable" + closest(name)
                        .map(c -> " (did you mean " + c + "?)").orElse("")
                        + "; valid names: " + knownNames());
            }
        }
    }

    private int port() {
        String s = raw(Var.PORT);
        if (s.matches("[0-9]{1,5}") && Integer.parseInt(s) >= 1 && Integer.parseInt(s) <= 65535) {
            return Integer.parseInt(s);
        }
        problem(Var.PORT, "is not a port number");
        return 0;
    }

    private Optional<InetAddress> bindAddress() {
        String s = raw(Var.BIND_ADDRESS);
        if (s.isEmpty()) {
            effective.put(Var.BIND_ADDRESS, "(all interfaces)");
            return Optional.empty();
        }
        Optional<byte[]> bytes = Cidr.literal(s);
        if (bytes.isEmpty()) {
            problem(Var.BIND_ADDRESS, "is not an IP address literal (host names are not resolved)");
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByAddress(bytes.get()));
        } catch (UnknownHostException e) {
            problem(Var.BIND_ADDRESS, "is not an IP address literal");
            return Optional.empty();
        }
    }

    private Optional<Secret> token() {
        String s = raw(Var.HOOK_TOKEN);
        if (s.isEmpty()) return Optional.empty();
        effective.put(Var.HOOK_TOKEN, "**** (set, " + s.length() + " characters)");
        if (s.length() < MIN_TOKEN_LENGTH) {
            problems.add(Var.HOOK_TOKEN.envName() + ": too short (" + s.length()
                    + " characters); valid: " + Var.HOOK_TOKEN.valid() + ", e.g. from `openssl rand -hex 16`");
        } else if (!s.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            // The value is a secret: say what is wrong without echoing it.
            problems.add(Var.HOOK_TOKEN.envName() + ": contains a space, control or non-ASCII character;"
                    + " valid: " + Var.HOOK_TOKEN.valid());
        }
        return Optional.of(new Secret(s));
    }

    private List<Cidr> allowFrom() {
        String s = raw(Var.HOOK_ALLOW_FROM);
        List<Cidr> out = new ArrayList<>();
        if (s.isEmpty()) return out;
        for (String part : s.split(",", -1)) {
            if (part.isBlank()) {
                problem(Var.HOOK_ALLOW_FROM, "has an empty entry");
                continue;
            }
            try {
                out.add(Cidr.parse(part));
            } catch (IllegalArgumentException e) {
                problem(Var.HOOK_ALLOW_FROM, "entry '" + part.trim() + "': " + e.getMessage());
            }
        }
        return out;
    }

    private Config.HookAuth hookAuth() {
        switch (raw(Var.HOOK_AUTH)) {
            case "auto": return Config.HookAuth.AUTO;
            case "none": return Config.HookAuth.NONE;
            default:
                problem(Var.HOOK_AUTH, "is not a known mode");
                return Config.HookAuth.AUTO;
        }
    }

    private Budget budget() {
        Duration grace = duration(Var.GRACE_PERIOD, Duration.ofSeconds(1), Duration.ofHours(1));
        Duration reserve = duration(Var.STOP_RESERVE, Budget.EXIT_MARGIN, Duration.ofHours(1));
        Duration delay = duration(Var.DRAIN_DELAY, Duration.ZERO, MAX_DRAIN_DELAY);
        Optional<Duration> timeout = raw(Var.DRAIN_TIMEOUT).isEmpty() ? Optional.empty()
                : Optional.of(duration(Var.DRAIN_TIMEOUT, Duration.ZERO, Duration.ofHours(1)));
        // The arithmetic only means something once each duration parsed.
        if (!anyRefused(Var.GRACE_PERIOD, Var.STOP_RESERVE, Var.DRAIN_DELAY, Var.DRAIN_TIMEOUT)) {
            Budget.check(grace, reserve, delay, timeout).ifPresent(problems::add);
        }
        return new Budget(grace, reserve, delay, timeout);
    }

    private Propagation propagation(Budget budget, Config.Pod pod) {
        Propagation.Mode mode;
        switch (raw(Var.PROPAGATION)) {
            case "delay": mode = Propagation.Mode.DELAY; break;
            case "endpoints": mode = Propagation.Mode.ENDPOINTS; break;
            default:
                problem(Var.PROPAGATION, "is not a known mode");
                mode = Propagation.Mode.DELAY;
        }
        Duration margin = duration(Var.PROPAGATION_MARGIN, Duration.ZERO, MAX_DRAIN_DELAY);
        Path dir = Path.of(raw(Var.SERVICEACCOUNT_DIR));
        if (!dir.isAbsolute()) problem(Var.SERVICEACCOUNT_DIR, "is not an absolute path");
        String host = raw(Var.KUBERNETES_SERVICE_HOST);
        String portText = raw(Var.KUBERNETES_SERVICE_PORT);
        int apiPort = 0;
        if (portText.matches("[0-9]{1,5}") && Integer.parseInt(portText) >= 1 && Integer.parseInt(portText) <= 65535) {
            apiPort = Integer.parseInt(portText);
        } else {
            problem(Var.KUBERNETES_SERVICE_PORT, "is not a port number");
        }
        if (mode == Propagation.Mode.ENDPOINTS) {
            if (!anyRefused(Var.PROPAGATION_MARGIN, Var.DRAIN_DELAY)
                    && margin.compareTo(budget.drainDelay()) > 0) {
                problems.add(Var.PROPAGATION_MARGIN.envName() + " " + Durations.format(margin) + " is longer than its"
                        + " cap " + Var.DRAIN_DELAY.envName() + " " + Durations.format(budget.drainDelay())
                        + ", so the endpoints could never end the wait early; valid: a margin of at most "
                        + Durations.format(budget.drainDelay()) + ", or a longer " + Var.DRAIN_DELAY.envName());
            }
            if (pod.uid().isEmpty()) {
                problems.add(Var.PROPAGATION.envName() + "=endpoints needs " + Var.POD_UID.envName() + " to find the"
                        + " pod in its EndpointSlices; valid: add to the sidecar's env: {name: POD_UID, valueFrom:"
                        + " {fieldRef: {fieldPath: metadata.uid}}}");
            }
            if (host.isEmpty()) {
                problems.add(Var.PROPAGATION.envName() + "=endpoints needs " + Var.KUBERNETES_SERVICE_HOST.envName()
                        + ", which the kubelet sets in every container of a pod; valid: run in a pod, or set it to"
                        + " the API server's address");
            }
        }
        return new Propagation(mode, margin, dir, host, apiPort);
    }

    private AppConfig app() {
        Optional<URI> drainUrl = url(Var.APP_DRAIN_URL);
        String method = raw(Var.APP_DRAIN_METHOD);
        if (!List.of("GET", "POST", "PUT", "DELETE").contains(method)) problem(Var.APP_DRAIN_METHOD, "is not supported");
        if (drainUrl.isEmpty() && !anyRefused(Var.APP_DRAIN_URL) && present(Var.APP_DRAIN_METHOD)) {
            problems.add(Var.APP_DRAIN_METHOD.envName() + " is set but " + Var.APP_DRAIN_URL.envName()
                    + " is not, so no drain call would be made; valid: set both, or neither");
        }
        Optional<String> signal = signal();
        Optional<ProcessSelector> process = process();
        if (signal.isPresent() && process.isEmpty() && !anyRefused(Var.APP_PROCESS)) {
            problems.add(Var.APP_DRAIN_SIGNAL.envName() + "='" + signal.get() + "' needs "
                    + Var.APP_PROCESS.envName() + " to find the process to signal; valid: a regex over its"
                    + " command line, e.g. 'nginx: master', or pidfile:/run/nginx.pid");
        }
        List<Integer> ports = ports();
        if (process.isPresent() && ports.isEmpty() && signal.isEmpty() && drainUrl.isEmpty()
                && !anyRefused(Var.APP_PORTS, Var.APP_DRAIN_SIGNAL, Var.APP_DRAIN_URL)) {
            // The kubelet sends the app SIGTERM only after its preStop hook returns, so an app that
            // nobody tells to drain cannot exit during the wait: every shutdown would spend the budget.
            problems.add(Var.APP_PROCESS.envName() + " without " + Var.APP_PORTS.envName() + " makes the idle"
                    + " wait wait for the app process to exit, but nothing tells it to: the kubelet signals the"
                    + " app only after the preStop hook returns, so every shutdown would use the whole budget;"
                    + " valid: also set " + Var.APP_DRAIN_SIGNAL.envName() + " (e.g. SIGQUIT for nginx) or "
                    + Var.APP_DRAIN_URL.envName() + " (an endpoint after which the app exits), or set "
                    + Var.APP_PORTS.envName() + " to wait for connections instead");
        }
        int exitAt = exitAtConnections(ports);
        Optional<URI> readyUrl = url(Var.APP_READY_URL);
        Duration postTimeout = duration(Var.POSTSTART_TIMEOUT, Duration.ZERO, Duration.ofHours(1));
        boolean fail;
        switch (raw(Var.POSTSTART_ON_TIMEOUT)) {
            case "proceed": fail = false; break;
            case "fail": fail = true; break;
            default:
                problem(Var.POSTSTART_ON_TIMEOUT, "is not a known policy");
                fail = false;
        }
        return new AppConfig(drainUrl, method, signal, process, ports, readyUrl, postTimeout, fail, exitAt);
    }

    private int exitAtConnections(List<Integer> ports) {
        String s = raw(Var.DRAIN_EXIT_AT_CONNECTIONS);
        if (!s.matches("[0-9]{1,5}") || Integer.parseInt(s) > 65535) {
            problem(Var.DRAIN_EXIT_AT_CONNECTIONS, "is not a whole number of connections");
            return 0;
        }
        int n = Integer.parseInt(s);
        if (n > 0 && ports.isEmpty() && !anyRefused(Var.APP_PORTS)) {
            problems.add(Var.DRAIN_EXIT_AT_CONNECTIONS.envName() + "='" + s + "' has no effect without "
                    + Var.APP_PORTS.envName() + ": only connections on the app ports are counted; valid: set "
                    + Var.APP_PORTS.envName() + " too, or leave it unset (0)");
        }
        return n;
    }

    private Optional<URI> url(Var v) {
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

    private Optional<String> signal() {
        String s = raw(Var.APP_DRAIN_SIGNAL).toUpperCase(java.util.Locale.ROOT);
        if (s.isEmpty()) return Optional.empty();
        String name = s.startsWith("SIG") ? s : "SIG" + s;
        if (name.equals("SIGKILL") || name.equals("SIGSTOP")) {
            problem(Var.APP_DRAIN_SIGNAL, "cannot make an app drain: it cannot be caught");
            return Optional.empty();
        }
        if (!DRAIN_SIGNALS.contains(name)) {
            problem(Var.APP_DRAIN_SIGNAL, "is not a known signal");
            return Optional.empty();
        }
        return Optional.of(name);
    }

    static final List<String> DRAIN_SIGNALS = List.of("SIGQUIT", "SIGTERM", "SIGINT", "SIGHUP", "SIGUSR1", "SIGUSR2",
            "SIGWINCH");

    private Optional<ProcessSelector> process() {
        String s = raw(Var.APP_PROCESS);
        if (s.isEmpty()) return Optional.empty();
        if (s.startsWith("pidfile:")) {
            Path p = Path.of(s.substring("pidfile:".length()));
            if (!p.isAbsolute()) {
                problem(Var.APP_PROCESS, "names a pidfile by a relative path");
                return Optional.empty();
            }
            return Optional.of(new ProcessSelector.PidFile(p));
        }
        try {
            return Optional.of(new ProcessSelector.CmdlineRegex(Pattern.compile(s)));
        } catch (PatternSyntaxException e) {
            problem(Var.APP_PROCESS, "is not a valid regex (" + e.getDescription() + " near index " + e.getIndex() + ")");
            return Optional.empty();
        }
    }

    private List<Integer> ports() {
        String s = raw(Var.APP_PORTS);
        List<Integer> out = new ArrayList<>();
        if (s.isEmpty()) return out;
        for (String part : s.split(",", -1)) {
            String p = part.trim();
            if (p.matches("[0-9]{1,5}") && Integer.parseInt(p) >= 1 && Integer.parseInt(p) <= 65535) {
                if (!out.contains(Integer.parseInt(p))) out.add(Integer.parseInt(p));
            } else {
                problem(Var.APP_PORTS, "entry '" + p + "' is not a port");
            }
        }
        return out;
    }

    private boolean present(Var v) {
        String s = env.get(v.envName());
        return s != null && !s.isBlank();
    }

    private boolean anyRefused(Var... vars) {
        for (Var v : vars) if (refused.contains(v)) return true;
        return false;
    }

    private Duration duration(Var v, Duration min, Duration max) {
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

    /** No silent open door: hooks reachable from other pods need a token, an allowlist or an opt-out. */
    private void checkHookSecurity(Config c) {
        boolean guarded = c.hookToken().isPresent() || !c.hookAllowFrom().isEmpty();
        if (c.hookAuth() == Config.HookAuth.NONE && guarded) {
            problems.add(Var.HOOK_AUTH.envName() + "='none' contradicts " + Var.HOOK_TOKEN.envName()
                    + "/" + Var.HOOK_ALLOW_FROM.envName()
                    + " being set; valid: unset " + Var.HOOK_AUTH.envName() + ", or drop the token and allowlist");
            return;
        }
        if (guarded || c.hookAuth() == Config.HookAuth.NONE || !c.reachableBeyondLoopback()) return;
        // Where the server listens is only known once the port and the address parsed.
        if (anyRefused(Var.PORT, Var.BIND_ADDRESS)) return;
        String where = c.bindAddress().map(InetAddress::getHostAddress).orElse("all interfaces");
        problems.add("hooks would be open to any pod: the server listens on " + where + ":" + c.port()
                + " and none of " + Var.HOOK_TOKEN.envName() + ", " + Var.HOOK_ALLOW_FROM.envName()
                + ", " + Var.HOOK_AUTH.envName() + "=none is set. Set " + Var.HOOK_TOKEN.envName()
                + " (e.g. from a Secret) and send it from each hook in the pod spec:\n"
                + "      lifecycle:\n"
                + "        preStop:\n"
                + "          httpGet:\n"
                + "            path: /shutdown\n"
                + "            port: " + c.port() + "\n"
                + "            httpHeaders:\n"
                + "            - name: X-Gracekeeper-Token\n"
                + "              value: \"<the same token>\"\n"
                + "    or allow only the node's address with " + Var.HOOK_ALLOW_FROM.envName()
                + "=<node CIDR>, or opt out explicitly with " + Var.HOOK_AUTH.envName() + "=none");
    }

    private String raw(Var v) {
        String s = env.get(v.envName());
        boolean unset = s == null || s.isBlank();
        String value = unset ? v.defaultValue() : s.trim();
        String shown = value.isEmpty() ? "(unset)" : v.secret() ? "****" : value;
        effective.put(v, shown + (unset && !value.isEmpty() ? " (default)" : ""));
        return value;
    }

    private void problem(Var v, String what) {
        String shown = v.secret() ? "****" : env.getOrDefault(v.envName(), v.defaultValue());
        problems.add(v.envName() + "='" + shown + "' " + what + "; valid: " + v.valid());
        refused.add(v);
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
