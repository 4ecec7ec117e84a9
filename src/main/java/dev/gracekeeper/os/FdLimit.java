package dev.gracekeeper.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The process's descriptor limit (RLIMIT_NOFILE), from {@code /proc/self/limits}. The JVM on Linux
 * raises the soft limit to the hard one as it starts ({@code -XX:+MaxFDLimit}, on by default), so
 * no native call is needed to do it; a soft limit below the hard one means that flag was turned off.
 *
 * @param soft the limit that applies; {@link Long#MAX_VALUE} for unlimited
 * @param hard the ceiling the soft limit may be raised to
 */
public record FdLimit(long soft, long hard) {
    private static final String LINE = "Max open files";

    /** This process's limit, or empty (with no error: a platform without /proc) when it cannot be read. */
    public static Optional<FdLimit> ofThisProcess() {
        return read(Path.of("/proc/self/limits"));
    }

    static Optional<FdLimit> read(Path limits) {
        try {
            return Files.readAllLines(limits).stream().filter(l -> l.startsWith(LINE)).findFirst()
                    .flatMap(FdLimit::parse);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** "Max open files   20000   20000   files", soft then hard. */
    static Optional<FdLimit> parse(String line) {
        String[] f = line.substring(LINE.length()).trim().split("\\s+");
        if (f.length < 2) return Optional.empty();
        try {
            return Optional.of(new FdLimit(value(f[0]), value(f[1])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static long value(String s) {
        return s.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(s);
    }

    public boolean raisedToHard() { return soft >= hard; }
}
