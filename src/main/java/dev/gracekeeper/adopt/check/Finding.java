package dev.gracekeeper.adopt.check;

/**
 * One problem: which rule, where (object, container, field), what is wrong and the fix.
 *
 * @param container the container's name, or empty for the pod itself
 */
public record Finding(String id, String rule, Severity severity, String object, String container, String field,
                      String problem, String fix) {

    /** The one line {@code check} prints. */
    public String line() {
        return severity.label() + " " + id + " " + rule + ": " + object + (container.isEmpty() ? "" : " container " + container)
                + " " + field + ": " + problem + "; fix: " + fix;
    }
}
