package dev.gracekeeper.os;

import java.nio.file.Path;
import java.util.regex.Pattern;

/** How to find the app process in /proc: by a regex over its command line, or by a pid file. */
public sealed interface ProcessSelector permits ProcessSelector.CmdlineRegex, ProcessSelector.PidFile {
    record CmdlineRegex(Pattern pattern) implements ProcessSelector {
        @Override public String toString() { return "cmdline =~ /" + pattern.pattern() + "/"; }
    }

    record PidFile(Path path) implements ProcessSelector {
        @Override public String toString() { return "pidfile:" + path; }
    }
}
