package dev.gracekeeper;

/** The sidecar's exit codes; documented in the README. Only {@link Main} exits. */
public enum ExitCode {
    /** Stopped by SIGTERM/SIGINT after the shutdown of the current generation finished. */
    OK(0),
    /** An unexpected internal error. */
    FAILURE(1),
    /** The configuration was rejected; the message lists every problem. */
    CONFIG(2),
    /** The hook server could not listen (port in use, address not local, no permission). */
    LISTEN(3),
    /** Stopped by a signal, but the shutdown did not finish within its bound. */
    SHUTDOWN_TIMEOUT(4);

    private final int code;

    ExitCode(int code) { this.code = code; }

    public int code() { return code; }
}
