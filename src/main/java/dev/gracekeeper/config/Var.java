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
            "When set, only these source addresses (and loopback) may call the hooks."),
    HOOK_AUTH("GRACEKEEPER_HOOK_AUTH", "auto", "auto or none",
            "`auto`: hooks need the token and/or allowlist when reachable beyond loopback, and startup fails"
                    + " if neither is set. `none`: explicit opt-out, anyone who reaches the port may call hooks."),
    DRAIN_DELAY("GRACEKEEPER_DRAIN_DELAY", "5s", "a duration 0ms-10m with a unit: ms, s, m or h",
            "Propagation wait after readiness turns 503, while endpoints and load balancers stop routing here."),
    POD_NAME("POD_NAME", "", "any text (downward API `metadata.name`)",
            "Pod name, shown in logs and `/status`."),
    POD_NAMESPACE("POD_NAMESPACE", "", "any text (downward API `metadata.namespace`)",
            "Pod namespace, shown in logs and `/status`."),
    POD_UID("POD_UID", "", "any text (downward API `metadata.uid`)",
            "Pod UID, shown in `/status` and recorded in the marker.");

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
