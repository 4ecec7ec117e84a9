package dev.gracekeeper.lifecycle;

/** How a shutdown ended; the label is what the marker, /status, /metrics and the log show. */
public enum Outcome {
    /** Every step finished within the budget. */
    DRAINED("drained"),
    /** The budget (or the drain timeout) ran out first; what was left is in the result's detail. */
    TIMED_OUT("timed-out"),
    /** A step broke; the steps after it still ran. */
    FAILED("failed");

    private final String label;

    Outcome(String label) { this.label = label; }

    public String label() { return label; }

    @Override public String toString() { return label; }

    public static Outcome fromLabel(String label) {
        for (Outcome o : values()) if (o.label.equals(label)) return o;
        throw new IllegalArgumentException("unknown outcome '" + label + "' (drained, timed-out or failed)");
    }
}
