package dev.gracekeeper.adopt.check;

/** How bad a finding is: only errors fail {@code check} (exit 1). */
public enum Severity {
    /** The shutdown will lose requests or the sidecar will not start. */
    ERROR,
    /** Works, but wastes time or weakens the setup. */
    WARNING,
    /** Worth knowing; nothing is wrong. */
    INFO;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
