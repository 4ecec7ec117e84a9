package dev.gracekeeper;

/** The sidecar's exit codes, documented in the README from this list. Only {@link Main} exits. */
public enum ExitCode {
    OK(0, "Stopped by SIGTERM or SIGINT after the shutdown of the current generation finished."),
    FAILURE(1, "An unexpected internal error; the log has the stack trace."),
    CONFIG(2, "The configuration was rejected; the log lists every problem, one per line."),
    LISTEN(3, "The hook server could not listen: port in use, address not on this host, or no permission."),
    SHUTDOWN_TIMEOUT(4, "Stopped by a signal, but the shutdown did not finish within its bound.");

    private final int code;
    private final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    public int code() { return code; }

    /** The README exit-code table, generated from this enum. */
    public static String markdownTable() {
        StringBuilder sb = new StringBuilder("| Code | Name | Meaning |\n|---|---|---|\n");
        for (ExitCode e : values()) {
            sb.append("| ").append(e.code).append(" | `").append(e.name()).append("` | ").append(e.meaning).append(" |\n");
        }
        return sb.toString();
    }
}
