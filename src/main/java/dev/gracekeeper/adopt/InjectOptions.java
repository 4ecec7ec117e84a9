package dev.gracekeeper.adopt;

import dev.gracekeeper.config.Var;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The options of {@code inject}, each with its default in one place. Values that end up in the
 * sidecar's env are checked by the sidecar's own parser once the pod's part is known (see
 * {@link SidecarEnv}), so that an option the sidecar would refuse is refused here.
 */
public record InjectOptions(String input, boolean classic, Optional<String> container, boolean replacePreStop,
                            String image, Map<Var, String> env, String tokenSecret, boolean emitSecret,
                            Optional<Path> tokenFile) {
    public InjectOptions {
        env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
    }

    public static final String DEFAULT_IMAGE = "gracekeeper:dev";
    public static final String DEFAULT_TOKEN_SECRET = "gracekeeper";

    /** Options that set a sidecar variable directly, with the variable they set. */
    static final Map<String, Var> ENV_OPTIONS = new LinkedHashMap<>();

    static {
        ENV_OPTIONS.put("--port", Var.PORT);
        ENV_OPTIONS.put("--drain-delay", Var.DRAIN_DELAY);
        ENV_OPTIONS.put("--stop-reserve", Var.STOP_RESERVE);
        ENV_OPTIONS.put("--drain-timeout", Var.DRAIN_TIMEOUT);
        ENV_OPTIONS.put("--drain-url", Var.APP_DRAIN_URL);
        ENV_OPTIONS.put("--drain-method", Var.APP_DRAIN_METHOD);
        ENV_OPTIONS.put("--drain-signal", Var.APP_DRAIN_SIGNAL);
        ENV_OPTIONS.put("--app-process", Var.APP_PROCESS);
        ENV_OPTIONS.put("--app-ports", Var.APP_PORTS);
        ENV_OPTIONS.put("--poststart-timeout", Var.POSTSTART_TIMEOUT);
        ENV_OPTIONS.put("--propagation", Var.PROPAGATION);
        ENV_OPTIONS.put("--propagation-margin", Var.PROPAGATION_MARGIN);
    }

    public static final String HELP = """
            usage: gracekeeper inject [options] FILE|-
              Writes the workloads in FILE (- for stdin) to stdout with gracekeeper added; every
              other object passes through. Input: YAML (several documents), JSON, kind: List.
              Comments are not kept.
              --classic              a regular container listed first (default: a native sidecar,
                                     Kubernetes 1.29+)
              --container NAME       the app container, when the pod has several
              --replace-prestop      replace an existing preStop of the app (a `sleep N` one
                                     also becomes the drain delay unless --drain-delay is given)
              --image IMAGE          the sidecar image (default gracekeeper:dev)
              --port N               the sidecar's port (default 8686)
              --drain-delay D        propagation wait, e.g. 5s (default 5s)
              --stop-reserve D       what the app needs after SIGTERM (default 5s)
              --drain-timeout D      cap of the wait for the app to go idle
              --drain-url URL        tell the app to drain with an HTTP call, e.g. http://127.0.0.1:8080/drain
              --drain-method M       GET, POST, PUT or DELETE (default POST)
              --drain-signal SIG     tell the app to drain with a signal, e.g. SIGQUIT (sets
                                     shareProcessNamespace: true; needs --app-process)
              --app-process REGEX    the app's process: a regex over its command line, or pidfile:PATH
              --app-ports LIST       the app's ports (default: the app container's TCP ports)
              --poststart-timeout D  how long the app's postStart waits for the app (default 60s)
              --propagation MODE     delay (default) or endpoints: end the wait when the
                                     EndpointSlices drop the pod (needs a Role: see the README)
              --propagation-margin D with endpoints, the data plane's lag after the slices change
              --set NAME=VALUE       any other GRACEKEEPER_ variable of the sidecar (see the README's table)
              --token-secret NAME    the Secret whose key `token` the sidecar reads (default gracekeeper)
              --emit-secret          also write that Secret, with a random token, before the workloads
              --token-file PATH      the token's value, for the hooks' header, when the Secret exists
                                     already (a Secret of that name in the input is read instead)
            """;

    public static InjectOptions parse(String[] args) throws UsageException {
        String input = null;
        boolean classic = false;
        boolean replace = false;
        boolean emit = false;
        Optional<String> container = Optional.empty();
        Optional<Path> tokenFile = Optional.empty();
        String image = DEFAULT_IMAGE;
        String secret = DEFAULT_TOKEN_SECRET;
        Map<Var, String> env = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = null;
            if (a.startsWith("--") && a.contains("=")) {
                value = a.substring(a.indexOf('=') + 1);
                a = a.substring(0, a.indexOf('='));
            }
            switch (a) {
                case "--classic" -> classic = true;
                case "--replace-prestop" -> replace = true;
                case "--emit-secret" -> emit = true;
                case "--container" -> container = Optional.of(value(args, ++i, a, value));
                case "--image" -> image = value(args, ++i, a, value);
                case "--token-secret" -> secret = value(args, ++i, a, value);
                case "--token-file" -> tokenFile = Optional.of(Path.of(value(args, ++i, a, value)));
                case "--set" -> {
                    String kv = value(args, ++i, a, value);
                    env.put(settable(kv), kv.substring(kv.indexOf('=') + 1));
                }
                default -> {
                    if (ENV_OPTIONS.containsKey(a)) {
                        env.put(ENV_OPTIONS.get(a), value(args, ++i, a, value));
                    } else if (a.equals("-") || !a.startsWith("-")) {
                        if (input != null) throw new UsageException("one input only, got " + input + " and " + a);
                        input = a;
                    } else {
                        throw new UsageException("unknown option " + a + "; valid options:\n" + HELP);
                    }
                }
            }
            if (value != null && (a.equals("--classic") || a.equals("--replace-prestop") || a.equals("--emit-secret"))) {
                throw new UsageException(a + " takes no value");
            }
        }
        if (input == null) throw new UsageException("no input: name a FILE, or - for stdin\n" + HELP);
        if (image.isBlank()) throw new UsageException("--image is empty; valid: an image reference, e.g. " + DEFAULT_IMAGE);
        if (!secret.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")) {
            throw new UsageException("--token-secret '" + secret + "' is not a valid Secret name; valid: lower-case"
                    + " letters, digits, '-' and '.', e.g. " + DEFAULT_TOKEN_SECRET);
        }
        return new InjectOptions(input, classic, container, replace, image, env, secret, emit, tokenFile);
    }

    private static String value(String[] args, int i, String option, String inline) throws UsageException {
        if (inline != null) return inline;
        if (i >= args.length) throw new UsageException(option + " needs a value; see inject --help");
        return args[i];
    }

    /** The option that sets {@code v}, for error messages. */
    static Optional<String> optionFor(Var v) {
        return Optional.of(ENV_OPTIONS.entrySet().stream().filter(e -> e.getValue() == v).map(Map.Entry::getKey)
                .findFirst().orElse("--set " + v.envName()));
    }

    /** The variable of a {@code --set NAME=VALUE}: a GRACEKEEPER_ one that inject does not own. */
    private static Var settable(String kv) throws UsageException {
        String name = kv.contains("=") ? kv.substring(0, kv.indexOf('=')) : kv;
        for (Var v : Var.values()) {
            if (!v.envName().equals(name) || !kv.contains("=")) continue;
            if (OWNED.contains(v)) {
                throw new UsageException("--set " + name + ": inject sets it from the workload"
                        + (ENV_OPTIONS.containsValue(v) ? " or " + optionFor(v).get() : ""));
            }
            return v;
        }
        throw new UsageException("--set '" + kv + "' is not NAME=VALUE with a sidecar variable; valid names: see"
                + " the README's configuration table, e.g. --set GRACEKEEPER_POSTSTART_ON_TIMEOUT=fail");
    }

    /** Set by inject from the workload itself: the state dir, the grace period, the token, the pod's identity. */
    static final java.util.Set<Var> OWNED = java.util.EnumSet.of(Var.STATE_DIR, Var.GRACE_PERIOD, Var.HOOK_TOKEN,
            Var.POD_NAME, Var.POD_NAMESPACE, Var.POD_UID);
}
