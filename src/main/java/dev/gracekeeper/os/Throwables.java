package dev.gracekeeper.os;

/** What a log line says of a failure that comes wrapped: the innermost cause, which names the trouble. */
public final class Throwables {
    private Throwables() {}

    public static String rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.toString();
    }
}
