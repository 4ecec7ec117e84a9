package dev.gracekeeper.os;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import jnr.constants.platform.Errno;
import jnr.constants.platform.Signal;

/**
 * Native POSIX calls (kill) through {@link Libc}, for the drain signal. Loading the native side
 * starts in the background and only when a feature needs it. jffi loads its native library from
 * {@code jffi.boot.library.path} or else extracts it into {@code java.io.tmpdir}; on a read-only or
 * noexec temp dir that fails, and this class says why, in words that name the fix.
 *
 * <p>The load has two parts: jffi's library (about 70 ms, the part a temp dir breaks), then the
 * symbol lookups of {@link Libc} (a few milliseconds). Startup waits for the first only.
 */
public final class Posix {
    private static final String JFFI_FOLLOWS = "original error message follows:";
    /** jffi's advice names only the temp dir; the message here gives both fixes instead. */
    private static final Pattern JFFI_ADVICE = Pattern.compile("Set `TMPDIR`.*?\"noexec\"\\.", Pattern.DOTALL);

    private static final Pattern STACK_ELISION = Pattern.compile("\\.\\.\\. [0-9]+ more");
    private static final String CAUSED_BY = "Caused by: ";

    private final CompletableFuture<Void> library;
    private final CompletableFuture<Libc> loading;

    private Posix(CompletableFuture<Void> library, CompletableFuture<Libc> loading) {
        this.library = library;
        this.loading = loading;
    }

    /** Starts loading the native library on a background thread. */
    public static Posix loadInBackground() {
        // The size of a pointer comes from jffi's native side: asking for it loads the library.
        return load(() -> com.kenai.jffi.Type.POINTER.size(), Libc::get);
    }

    static Posix load(Runnable loadLibrary, Supplier<Libc> loadLibc) {
        CompletableFuture<Void> lib = new CompletableFuture<>();
        CompletableFuture<Libc> posix = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                loadLibrary.run();
                lib.complete(null);
                posix.complete(loadLibc.get());
            } catch (RuntimeException | LinkageError e) {
                lib.completeExceptionally(e);
                posix.completeExceptionally(e);
            }
        }, "posix-loader");
        t.setDaemon(true);
        t.start();
        return new Posix(lib, posix);
    }

    /**
     * Waits until jffi's native library has loaded: empty when it has, else what is wrong and how
     * to fix it. For the startup check of a feature that needs native calls.
     */
    public Optional<String> awaitLibrary(Duration bound) {
        return await(library, bound).problem();
    }

    private record Loaded<T>(T value, Optional<String> problem) {}

    private static <T> Loaded<T> await(CompletableFuture<T> f, Duration bound) {
        try {
            return new Loaded<>(f.get(bound.toMillis(), TimeUnit.MILLISECONDS), Optional.empty());
        } catch (TimeoutException e) {
            return new Loaded<>(null, Optional.of("native POSIX did not load within " + bound.toMillis() + " ms"));
        } catch (ExecutionException e) {
            return new Loaded<>(null, Optional.of(explain(e.getCause(), System.getProperty("java.io.tmpdir"),
                    System.getProperty("user.dir"), System.getProperty("jffi.boot.library.path"))));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Loaded<>(null, Optional.of("interrupted while loading native POSIX"));
        }
    }

    /**
     * The cause of a failed load, and the two ways to fix it. jffi's own words, which name the
     * directory, come first; the operating system's reason, if jffi kept it, after them.
     */
    static String explain(Throwable failure, String tmpdir, String workDir, String bootPath) {
        String jffi = null;
        Throwable root = failure;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            root = t;
            String m = t.getMessage();
            if (m != null && m.contains("jffi")) jffi = m;
        }
        String cause = jffi == null ? oneLine(root.toString()) : jffiWords(jffi);
        String rootWords = root.getMessage() == null ? null : oneLine(root.getMessage());
        if (jffi != null && rootWords != null && !rootWords.contains("jffi") && !cause.contains(rootWords)) {
            cause += " (" + rootWords + ")";
        }
        cause = cause.replaceAll("[ .]+$", "");
        String boot = bootPath == null || bootPath.isBlank()
                ? "jffi.boot.library.path is not set"
                : "jffi.boot.library.path=" + bootPath + " holds no loadable libjffi for this platform";
        return "native POSIX (libc through jffi) is unavailable: " + cause + ". " + boot + ", so jffi extracts its"
                + " library into java.io.tmpdir=" + tmpdir + " or else the working directory " + workDir + ", and"
                + " neither is writable and not mounted noexec. Fix: pass -Djffi.boot.library.path=<a directory holding"
                + " the library taken out of the jar> (the image's JVM flags do, see docker/build-runtime.sh), or"
                + " -Djava.io.tmpdir=<a writable directory not mounted noexec>, e.g. an emptyDir volume";
    }

    /**
     * jffi's own words about its stub, without the wrapper around them, the stack trace it pastes
     * into the message, or its advice.
     */
    private static String jffiWords(String message) {
        int follows = message.indexOf(JFFI_FOLLOWS);
        String m = follows < 0 ? message : message.substring(follows + JFFI_FOLLOWS.length());
        StringBuilder words = new StringBuilder();
        for (String line : m.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("at ") || STACK_ELISION.matcher(l).matches()) continue;
            words.append(' ').append(l.startsWith(CAUSED_BY) ? "(" + l.substring(CAUSED_BY.length()) + ")" : l);
        }
        return oneLine(JFFI_ADVICE.matcher(words).replaceAll(" "));
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }

    /** The outcome of a kill: empty on success, else what went wrong in plain words. */
    public Optional<String> kill(long pid, String signalName, Duration loadBound) {
        Loaded<Libc> loaded = await(loading, loadBound);
        if (loaded.problem().isPresent()) return loaded.problem();
        Libc libc = loaded.value();
        Signal sig = Signal.valueOf(signalName);
        if (libc.kill(pid, sig.intValue()) == 0) return Optional.empty();
        int errno = libc.errno();
        if (errno == Errno.EPERM.intValue()) {
            return Optional.of("EPERM: not allowed to signal pid " + pid
                    + "; the sidecar needs the app's UID (runAsUser) or the CAP_KILL capability");
        }
        if (errno == Errno.ESRCH.intValue()) {
            return Optional.of("ESRCH: pid " + pid + " no longer exists");
        }
        return Optional.of("kill(" + pid + ", " + signalName + ") failed with errno " + errno);
    }
}
