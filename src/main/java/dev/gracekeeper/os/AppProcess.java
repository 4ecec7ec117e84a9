package dev.gracekeeper.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the app process in {@code /proc} by a command-line regex or a pidfile. A process is
 * identified by pid and start time together, so a reused pid is never mistaken for the app.
 */
public final class AppProcess {
    private final ProcessSelector selector;
    private final Path proc;
    private final long self = ProcessHandle.current().pid();
    private volatile Optional<Id> lastFound = Optional.empty();

    public AppProcess(ProcessSelector selector) {
        this(selector, Path.of("/proc"));
    }

    AppProcess(ProcessSelector selector, Path proc) {
        this.selector = selector;
        this.proc = proc;
    }

    /** A process as pid + start time (clock ticks since boot, field 22 of /proc/pid/stat). */
    public record Id(long pid, long startTicks, String cmdline) {}

    /** The result of a search: the process, or why none was found. */
    public record Found(Optional<Id> id, String explanation) {}

    /** The process the last successful {@link #find} returned: the one a drain signal went to. */
    public Optional<Id> lastFound() { return lastFound; }

    public Found find() {
        Found f = search();
        if (f.id().isPresent()) lastFound = f.id();
        return f;
    }

    private Found search() {
        if (selector instanceof ProcessSelector.PidFile pf) return fromPidFile(pf.path());
        java.util.regex.Pattern pattern = ((ProcessSelector.CmdlineRegex) selector).pattern();
        Id best = null;
        int matches = 0;
        int seen = 0;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(proc)) {
            for (Path d : dirs) {
                String name = d.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) continue;
                long pid = Long.parseLong(name);
                if (pid == self) continue;
                seen++;
                Optional<Id> id = describe(pid);
                if (id.isEmpty() || !pattern.matcher(id.get().cmdline()).find()) continue;
                matches++;
                if (best == null || id.get().startTicks() < best.startTicks()) best = id.get();
            }
        } catch (IOException e) {
            return new Found(Optional.empty(), "cannot list " + proc + ": " + e);
        }
        if (best == null) {
            return new Found(Optional.empty(), "no process matches " + selector + " among the " + seen
                    + " processes visible in " + proc + " (without `shareProcessNamespace: true` the sidecar sees"
                    + " only its own container's processes)");
        }
        return new Found(Optional.of(best), matches == 1 ? "pid " + best.pid() : "pid " + best.pid()
                + ", the oldest of " + matches + " processes matching " + selector);
    }

    /** True while the identified process still runs (gone, replaced or a zombie counts as exited). */
    public boolean alive(Id id) {
        Optional<Id> now = describe(id.pid());
        return now.isPresent() && now.get().startTicks() == id.startTicks();
    }

    private Found fromPidFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
            return new Found(Optional.empty(), "pidfile " + file + " does not exist");
        } catch (IOException e) {
            return new Found(Optional.empty(), "cannot read pidfile " + file + ": " + e);
        }
        if (!text.matches("[0-9]{1,10}")) {
            return new Found(Optional.empty(), "pidfile " + file + " holds '" + Untrusted.clip(text, 40) + "', not a pid");
        }
        long pid = Long.parseLong(text);
        Optional<Id> id = describe(pid);
        return id.map(i -> new Found(Optional.of(i), "pid " + pid + " from " + file))
                .orElseGet(() -> new Found(Optional.empty(), "pidfile " + file + " names pid " + pid
                        + ", which is not running or not visible (needs `shareProcessNamespace: true`)"));
    }

    /** Reads pid's start time and command line; empty if it is gone or a zombie. */
    Optional<Id> describe(long pid) {
        Path dir = proc.resolve(Long.toString(pid));
        try {
            String stat = Files.readString(dir.resolve("stat"), StandardCharsets.US_ASCII);
            int close = stat.lastIndexOf(')');               // the command name may hold spaces and ')'
            String[] f = stat.substring(close + 2).split(" ");
            if (f[0].equals("Z") || f[0].equals("X")) return Optional.empty();
            long start = Long.parseLong(f[19]);              // field 22 overall
            byte[] raw = Files.readAllBytes(dir.resolve("cmdline"));
            for (int i = 0; i < raw.length; i++) if (raw[i] == 0) raw[i] = ' ';
            return Optional.of(new Id(pid, start, new String(raw, StandardCharsets.UTF_8).trim()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

}
