package dev.gracekeeper.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the environment into a {@link Config}. Every problem is collected, so one failed start
 * shows all of them: variable, bad value, and what would be valid. Empty means unset.
 */
public final class ConfigParser {
    static final Duration MAX_DRAIN_DELAY = Duration.ofMinutes(10);
    static final int MIN_TOKEN_LENGTH = 16;

    private final EnvReader r;

    private ConfigParser(Map<String, String> env) {
        this.r = new EnvReader(env);
    }

    public static Config parse(Map<String, String> env) throws ConfigException {
        return new ConfigParser(env).parse();
    }

    private Config parse() throws ConfigException {
        r.rejectUnknownVariables();
        int port = port();
        Optional<InetAddress> bind = bindAddress();
        Path stateDir = Path.of(r.raw(Var.STATE_DIR));
        Optional<Secret> token = token();
        List<Cidr> allow = allowFrom();
        Config.HookAuth auth = hookAuth();
        Budget budget = budget();
        AppConfig app = AppConfigParser.parse(r);
        Path terminationMessage = Path.of(r.raw(Var.TERMINATION_MESSAGE_PATH));
        if (!terminationMessage.isAbsolute()) r.problem(Var.TERMINATION_MESSAGE_PATH, "is not an absolute path");
        Config.Pod pod = new Config.Pod(r.raw(Var.POD_NAME), r.raw(Var.POD_NAMESPACE), r.raw(Var.POD_UID));
        if (!stateDir.isAbsolute()) {
            r.problem(Var.STATE_DIR, "is not an absolute path");
        }
        Propagation propagation = PropagationParser.parse(r, budget, pod);
        Config config = new Config(port, bind, stateDir, token, allow, auth, budget, app, terminationMessage, pod,
                r.effective(), propagation);
        checkHookSecurity(config);
        if (!r.problems().isEmpty()) throw new ConfigException(r.problems());
        return config;
    }


    private int port() {
        String s = r.raw(Var.PORT);
        if (s.matches("[0-9]{1,5}") && Integer.parseInt(s) >= 1 && Integer.parseInt(s) <= 65535) {
            return Integer.parseInt(s);
        }
        r.problem(Var.PORT, "is not a port number");
        return 0;
    }

    private Optional<InetAddress> bindAddress() {
        String s = r.raw(Var.BIND_ADDRESS);
        if (s.isEmpty()) {
            r.effective().put(Var.BIND_ADDRESS, "(all interfaces)");
            return Optional.empty();
        }
        Optional<byte[]> bytes = Cidr.literal(s);
        if (bytes.isEmpty()) {
            r.problem(Var.BIND_ADDRESS, "is not an IP address literal (host names are not resolved)");
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByAddress(bytes.get()));
        } catch (UnknownHostException e) {
            r.problem(Var.BIND_ADDRESS, "is not an IP address literal");
            return Optional.empty();
        }
    }

    private Optional<Secret> token() {
        String s = r.raw(Var.HOOK_TOKEN);
        if (s.isEmpty()) return Optional.empty();
        r.effective().put(Var.HOOK_TOKEN, "**** (set, " + s.length() + " characters)");
        if (s.length() < MIN_TOKEN_LENGTH) {
            r.add(Var.HOOK_TOKEN.envName() + ": too short (" + s.length()
                    + " characters); valid: " + Var.HOOK_TOKEN.valid() + ", e.g. from `openssl rand -hex 16`");
        } else if (!s.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            // The value is a secret: say what is wrong without echoing it.
            r.add(Var.HOOK_TOKEN.envName() + ": contains a space, control or non-ASCII character;"
                    + " valid: " + Var.HOOK_TOKEN.valid());
        }
        return Optional.of(new Secret(s));
    }

    private List<Cidr> allowFrom() {
        String s = r.raw(Var.HOOK_ALLOW_FROM);
        List<Cidr> out = new ArrayList<>();
        if (s.isEmpty()) return out;
        for (String part : s.split(",", -1)) {
            if (part.isBlank()) {
                r.problem(Var.HOOK_ALLOW_FROM, "has an empty entry");
                continue;
            }
            try {
                out.add(Cidr.parse(part));
            } catch (IllegalArgumentException e) {
                r.problem(Var.HOOK_ALLOW_FROM, "entry '" + part.trim() + "': " + e.getMessage());
            }
        }
        return out;
    }

    private Config.HookAuth hookAuth() {
        switch (r.raw(Var.HOOK_AUTH)) {
            case "auto": return Config.HookAuth.AUTO;
            case "none": return Config.HookAuth.NONE;
            default:
                r.problem(Var.HOOK_AUTH, "is not a known mode");
                return Config.HookAuth.AUTO;
        }
    }

    private Budget budget() {
        Duration grace = r.duration(Var.GRACE_PERIOD, Duration.ofSeconds(1), Duration.ofHours(1));
        Duration reserve = r.duration(Var.STOP_RESERVE, Budget.EXIT_MARGIN, Duration.ofHours(1));
        Duration delay = r.duration(Var.DRAIN_DELAY, Duration.ZERO, MAX_DRAIN_DELAY);
        Optional<Duration> timeout = r.raw(Var.DRAIN_TIMEOUT).isEmpty() ? Optional.empty()
                : Optional.of(r.duration(Var.DRAIN_TIMEOUT, Duration.ZERO, Duration.ofHours(1)));
        // The arithmetic only means something once each duration parsed.
        if (!r.anyRefused(Var.GRACE_PERIOD, Var.STOP_RESERVE, Var.DRAIN_DELAY, Var.DRAIN_TIMEOUT)) {
            Budget.check(grace, reserve, delay, timeout).ifPresent(r::add);
        }
        return new Budget(grace, reserve, delay, timeout);
    }












    /** No silent open door: hooks reachable from other pods need a token, an allowlist or an opt-out. */
    private void checkHookSecurity(Config c) {
        boolean guarded = c.hookToken().isPresent() || !c.hookAllowFrom().isEmpty();
        if (c.hookAuth() == Config.HookAuth.NONE && guarded) {
            r.add(Var.HOOK_AUTH.envName() + "='none' contradicts " + Var.HOOK_TOKEN.envName()
                    + "/" + Var.HOOK_ALLOW_FROM.envName()
                    + " being set; valid: unset " + Var.HOOK_AUTH.envName() + ", or drop the token and allowlist");
            return;
        }
        if (guarded || c.hookAuth() == Config.HookAuth.NONE || !c.reachableBeyondLoopback()) return;
        // Where the server listens is only known once the port and the address parsed.
        if (r.anyRefused(Var.PORT, Var.BIND_ADDRESS)) return;
        String where = c.bindAddress().map(InetAddress::getHostAddress).orElse("all interfaces");
        r.add("hooks would be open to any pod: the server listens on " + where + ":" + c.port()
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





}
