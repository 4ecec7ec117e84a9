package dev.gracekeeper.lifecycle;

/** What asked for a shutdown; all of them go to the same idempotent entry point. */
public enum Trigger {
    PRESTOP_HOOK("prestop-hook"),
    SIGTERM("SIGTERM"),
    SIGINT("SIGINT");

    private final String label;

    Trigger(String label) { this.label = label; }

    public String label() { return label; }

    public static Trigger fromLabel(String label) {
        for (Trigger t : values()) if (t.label.equals(label)) return t;
        throw new IllegalArgumentException("unknown trigger '" + label + "'");
    }
}
