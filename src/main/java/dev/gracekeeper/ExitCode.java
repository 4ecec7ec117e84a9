package dev.gracekeeper;

/** The sidecar's exit codes, documented in the README from this list. Only {@link Main} exits. */
public enum ExitCode {
    OK(0, "Stopped by SIGTERM or SIGINT after the shutdown finished and the app was gone (or, with native"
            + " sidecars, the app had already exited)."),
    FAILURE(1, "An unexpected internal error; the log has the stack trace."),
    CONFIG(2, "The configuration was rejected; the log lists every problem, one per line."),
    LISTEN(3, "The hook server could not listen: port in use, address not on this host, or no permission."),
    SHUTDOWN_TIMEOUT(4, "Stopped by a signal, but the shutdown itself did not finish by the grace period's end."),
    APP_STILL_RUNNING(5, "Stopped by a signal after the shutdown, but the app was still there (or could not be seen"
            + " to be gone: its connection tables were unreadable) at the grace period's end minus a margin; exited"
            + " before the kubelet's SIGKILL."),
    DRAIN_TIMED_OUT(6, "Stopped by a signal; the app had not drained when the budget ran out (see the result's"
            + " detail for what was still open)."),
    NATIVE_UNAVAILABLE(7, "A feature that needs native POSIX calls (`GRACEKEEPER_APP_DRAIN_SIGNAL`) is configured, but"
            + " jffi's native library could not load (a read-only or noexec temp dir and no `jffi.boot.library.path`);"
            + " the log names the cause and the fix.");

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
