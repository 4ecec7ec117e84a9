package dev.gracekeeper.adopt;

/** A workload inject will not change as asked: the message names it, the reason and the way out. */
public final class InjectException extends Exception {
    private static final long serialVersionUID = 1L;

    public InjectException(Workload w, String message) {
        super(w.where() + ": " + message);
    }
}
