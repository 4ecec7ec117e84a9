package dev.gracekeeper.os;

/**
 * How text the sidecar did not write (a request path, a command line, a marker line) is shown in
 * logs and answers: printable ASCII only, so it cannot forge log lines or colours, and clipped.
 */
public final class Untrusted {
    private Untrusted() {}

    public static String clip(String s, int max) {
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > max ? printable.substring(0, max) + "..." : printable;
    }
}
