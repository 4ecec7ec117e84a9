package dev.gracekeeper.config;

/**
 * The catalogue of every environment variable gracekeeper reads. It is the single source for the
 * parser, the startup log and the README's configuration table (a test keeps the README in step).
 */
public enum Var {
    PORT("GRACEKEEPER_PORT", "8686", "an integer 1-65535",
            "TCP port of the hook server (hooks, health, readiness, status, metrics)."),
    BIND_ADDRESS("GRACEKEEPER_BIND_ADDRESS", "", "an IPv4 or IPv6 literal, e.g. 0.0.0.0, ::, 127.0.0.1",
            "Address to listen on. Unset: all interfaces (`::` dual-stack, `0.0.0.0` if the host has no IPv6)."
                    + " The kubelet calls hooks on the pod IP, so loopback-only works only for local tests."),
    STATE_DIR("GRACEKEEPER_STATE_DIR", "/var/run/gracekeeper", "an existing, writable directory",
            "Where the idempotency marker lives. Mount an `emptyDir` here so the marker survives a sidecar"
                    + " restart. It is never created: a missing directory means the volume is not mounted."),
    HOOK_TOKEN("GRACEKEEPER_HOOK_TOKEN", "", "at least 16 printable ASCII characters, no spaces",
            "When set, `/poststart` and `/shutdown` need the header `X-Gracekeeper-Token` with this value.",
            true),
    HOOK_ALLOW_FROM("GRACEKEEPER_HOOK_ALLOW_FROM", "", "comma-separated CIDRs, e.g. 10.0.0.0/8,fd00::/8",
            "When set, only these source addresses (and 127.0.0.1, ::1) may call the hooks."),
    HOOK_AUTH("GRACEKEEPER_HOOK_AUTH", "auto", "auto or none",
            "`auto`: hooks need the token and/or allowlist when reachable beyond loopback, and startup fails"
                    + " if neither is set. `none`: explicit opt-out, anyone who reaches the port may call hooks."),
    GRACE_PERIOD("GRACEKEEPER_GRACE_PERIOD", "30s", "a duration 1s-1h, equal to the pod's terminationGracePeriodSeconds",
            "The pod's grace period. The shutdown must end by T0 + grace period - stop reserve (T0: first trigger)."),
    STOP_RESERVE("GRACEKEEPER_STOP_RESERVE", "5s", "a duration 1s-1h, below the grace period",
            "What the app needs after the kubelet's SIGTERM; the shutdown leaves it this much of the grace period."
                    + " At least 1s: the sidecar itself exits 1s before the kubelet's SIGKILL."),
    DRAIN_DELAY("GRACEKEEPER_DRAIN_DELAY", "5s", "a duration 0ms-10m with a unit: ms, s, m or h,"
            + " below grace period - stop reserve",
            "Propagation wait after readiness turns 503, while endpoints and load balancers stop routing here."
                    + " With `GRACEKEEPER_PROPAGATION=endpoints`: the cap of that wait, and the fixed delay it falls"
                    + " back to."),
    PROPAGATION("GRACEKEEPER_PROPAGATION", "delay", "delay or endpoints; endpoints needs POD_UID",
            "How the propagation wait ends. `delay`: at T0 + `GRACEKEEPER_DRAIN_DELAY`. `endpoints`: when every"
                    + " EndpointSlice that listed the pod shows it gone or not ready, plus"
                    + " `GRACEKEEPER_PROPAGATION_MARGIN`, never later than T0 + `GRACEKEEPER_DRAIN_DELAY`; needs a"
                    + " Role to get, list and watch endpointslices (see \"Endpoint-aware propagation\")."),
    PROPAGATION_MARGIN("GRACEKEEPER_PROPAGATION_MARGIN", "1s", "a duration 0ms-10m, at most GRACEKEEPER_DRAIN_DELAY",
            "With `endpoints`: what kube-proxy, ingress controllers and load balancers take to act on the"
                    + " EndpointSlice change; waited after the change is seen."),
    SERVICEACCOUNT_DIR("GRACEKEEPER_SERVICEACCOUNT_DIR", "/var/run/secrets/kubernetes.io/serviceaccount",
            "an absolute directory path",
            "For tests outside a cluster only: where `token`, `ca.crt` and `namespace` are read with"
                    + " `endpoints`. Leave it unset in a pod."),
    DRAIN_TIMEOUT("GRACEKEEPER_DRAIN_TIMEOUT", "", "a duration, at most what the budget leaves after the delay",
            "Caps the wait for the app to become idle below the budget. Unset: the budget is the cap."),
    DRAIN_EXIT_AT_CONNECTIONS("GRACEKEEPER_DRAIN_EXIT_AT_CONNECTIONS", "0", "an integer 0-65535; above 0 needs"
            + " GRACEKEEPER_APP_PORTS",
            "The idle wait ends once no more than this many connections are left on the app ports. For an app"
                    + " without a drain action whose monitoring keeps a keep-alive connection open (a metrics"
                    + " scrape), which would otherwise hold every drain to its timeout."),
    APP_DRAIN_URL("GRACEKEEPER_APP_DRAIN_URL", "", "an http:// or https:// URL",
            "Called after the delay to tell the app to drain (e.g. stop keep-alive, finish in-flight work)."),
    APP_DRAIN_METHOD("GRACEKEEPER_APP_DRAIN_METHOD", "POST", "GET, POST, PUT or DELETE",
            "HTTP method of the drain call."),
    APP_DRAIN_SIGNAL("GRACEKEEPER_APP_DRAIN_SIGNAL", "", "a signal name such as SIGQUIT, SIGTERM, SIGINT, SIGHUP,"
            + " SIGUSR1, SIGUSR2, SIGWINCH; needs GRACEKEEPER_APP_PROCESS",
            "Sent after the delay to the app process to make it drain (e.g. SIGQUIT for nginx)."
                    + " Needs `shareProcessNamespace: true` and the same UID as the app or CAP_KILL."),
    APP_PROCESS("GRACEKEEPER_APP_PROCESS", "", "a regex searched in /proc/<pid>/cmdline (arguments joined by"
            + " spaces), or pidfile:<absolute path>",
            "Finds the app process, for the drain signal and to wait for its exit. Without"
                    + " GRACEKEEPER_APP_PORTS the idle wait waits for that exit, so a drain signal or URL must make"
                    + " the app exit."),
    APP_PORTS("GRACEKEEPER_APP_PORTS", "", "comma-separated ports 1-65535",
            "The app's listening ports: the drain waits until no ESTABLISHED connection is left on them;"
                    + " readiness on postStart waits until they listen."),
    APP_READY_URL("GRACEKEEPER_APP_READY_URL", "", "an http:// or https:// URL",
            "The app's readiness: postStart waits until it answers 2xx, and `/readyz` includes it."),
    POSTSTART_TIMEOUT("GRACEKEEPER_POSTSTART_TIMEOUT", "60s", "a duration 0s-1h",
            "How long `/poststart` waits for the app to become ready."),
    POSTSTART_ON_TIMEOUT("GRACEKEEPER_POSTSTART_ON_TIMEOUT", "proceed", "proceed or fail",
            "`proceed`: log and answer. `fail`: abort the connection without a response, so the kubelet"
                    + " reports FailedPostStartHook and restarts the app container."),
    TERMINATION_MESSAGE_PATH("GRACEKEEPER_TERMINATION_MESSAGE_PATH", "/dev/termination-log", "an absolute file path",
            "Where the one-line summary of the last shutdown is written. The default is written only if the"
                    + " kubelet created it; a path you set is created if needed."),
    POD_NAME("POD_NAME", "", "any text (downward API `metadata.name`)",
            "Pod name, shown in logs and `/status`."),
    POD_NAMESPACE("POD_NAMESPACE", "", "any text (downward API `metadata.namespace`)",
            "Pod namespace, shown in logs and `/status`."),
    POD_UID("POD_UID", "", "any text (downward API `metadata.uid`)",
            "Pod UID, shown in `/status` and recorded in the marker; with `endpoints`, how the pod is found in"
                    + " EndpointSlices."),
    KUBERNETES_SERVICE_HOST("KUBERNETES_SERVICE_HOST", "", "an IP address or DNS name (set by the kubelet)",
            "The API server, for `endpoints`."),
    KUBERNETES_SERVICE_PORT("KUBERNETES_SERVICE_PORT", "443", "an integer 1-65535 (set by the kubelet)",
            "The API server's port, for `endpoints`.");

    public static final String PREFIX = "GRACEKEEPER_";

    private final String envName;
    private final String defaultValue;
    private final String valid;
    private final String description;
    private final boolean secret;

    Var(String envName, String defaultValue, String valid, String description) {
        this(envName, defaultValue, valid, description, false);
    }

    Var(String envName, String defaultValue, String valid, String description, boolean secret) {
        this.envName = envName;
        this.defaultValue = defaultValue;
        this.valid = valid;
        this.description = description;
        this.secret = secret;
    }

    public String envName() { return envName; }

    /** The default as text; empty means "unset". */
    public String defaultValue() { return defaultValue; }

    /** What a valid value looks like, quoted in every error about this variable. */
    public String valid() { return valid; }

    public String description() { return description; }

    /** Secrets are masked in the startup log and in status. */
    public boolean secret() { return secret; }

    /** The README configuration table, generated from this catalogue. */
    public static String markdownTable() {
        StringBuilder sb = new StringBuilder();
        sb.append("| Variable | Default | Valid values | Meaning |\n");
        sb.append("|---|---|---|---|\n");
        for (Var v : values()) {
            sb.append("| `").append(v.envName).append("` | ")
                    .append(v.defaultValue.isEmpty() ? "unset" : "`" + v.defaultValue + "`").append(" | ")
                    .append(v.valid).append(" | ")
                    .append(v.description).append(" |\n");
        }
        return sb.toString();
    }
}
