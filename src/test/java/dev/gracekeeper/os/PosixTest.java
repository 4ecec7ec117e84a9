package dev.gracekeeper.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The startup decision (is native POSIX there?) and its words. jffi's messages below are the ones it
 * gave on a read-only and on a noexec /tmp, stack frames shortened; the real failure is started by
 * NativeUnavailableIT, since jffi loads once per JVM.
 */
class PosixTest {
    static final Duration BOUND = Duration.ofSeconds(10);
    static final String FIXES = "Fix: pass -Djffi.boot.library.path=<a directory holding the library taken out of the"
            + " jar> (the image's JVM flags do, see docker/build-runtime.sh), or -Djava.io.tmpdir=<a writable directory"
            + " not mounted noexec>, e.g. an emptyDir volume";

    static final UnsatisfiedLinkError READ_ONLY = new UnsatisfiedLinkError("could not get native definition for type"
            + " `POINTER`, original error message follows: java.io.IOException: Unable to write jffi binary stub to"
            + " `/tmp`. Set `TMPDIR` or Java property `java.io.tmpdir` to a read/write path that is not mounted"
            + " \"noexec\".\n\tat com.kenai.jffi.internal.StubLoader.tempReadonlyError(StubLoader.java:569)\n"
            + "\tat com.kenai.jffi.internal.StubLoader.loadFromJar(StubLoader.java:470)\n"
            + "Caused by: java.io.IOException: Read-only file system\n"
            + "\tat java.base/java.io.File.createTempFile(File.java:2170)\n\t... 13 more\n");
    static final UnsatisfiedLinkError NOEXEC = new UnsatisfiedLinkError("could not get native definition for type"
            + " `POINTER`, original error message follows: java.lang.UnsatisfiedLinkError: Unable to execute or load"
            + " jffi binary stub from `/tmp`. Set `TMPDIR` or Java property `java.io.tmpdir` to a read/write path that"
            + " is not mounted \"noexec\".\n/tmp/jffi112.so: /tmp/jffi112.so: failed to map segment from shared"
            + " object\n\tat com.kenai.jffi.internal.StubLoader.tempLoadError(StubLoader.java:579)\n");

    @Test
    void readOnlyTempDirIsExplainedWithJffisWordsTheOsReasonAndBothFixes() {
        assertEquals("native POSIX (libc through jffi) is unavailable: java.io.IOException: Unable to write jffi"
                + " binary stub to `/tmp`. (java.io.IOException: Read-only file system). jffi.boot.library.path is not"
                + " set, so jffi extracts its library into java.io.tmpdir=/tmp or else the working directory /, and"
                + " neither is writable and not mounted noexec. " + FIXES,
                Posix.explain(READ_ONLY, "/tmp", "/", null));
    }

    @Test
    void noexecTempDirIsExplainedWithTheLoadersReason() {
        String text = Posix.explain(NOEXEC, "/tmp", "/", "");
        assertTrue(text.startsWith("native POSIX (libc through jffi) is unavailable: java.lang.UnsatisfiedLinkError:"
                + " Unable to execute or load jffi binary stub from `/tmp`. /tmp/jffi112.so: /tmp/jffi112.so: failed"
                + " to map segment from shared object. jffi.boot.library.path is not set"), text);
        assertTrue(text.endsWith(FIXES), text);
    }

    @Test
    void aWrappedFailureIsExplainedByTheJffiMessageInsideIt() {
        UnsatisfiedLinkError outer = new UnsatisfiedLinkError("could not load FFI provider jnr.ffi.provider.jffi.Provider");
        outer.initCause(READ_ONLY);
        assertEquals(Posix.explain(READ_ONLY, "/tmp", "/", null), Posix.explain(outer, "/tmp", "/", null));
    }

    @Test
    void aBootPathThatDidNotHelpIsNamed() {
        String text = Posix.explain(READ_ONLY, "/tmp", "/", "/opt/gracekeeper/lib/native");
        assertTrue(text.contains(". jffi.boot.library.path=/opt/gracekeeper/lib/native holds no loadable libjffi for"
                + " this platform, so jffi extracts"), text);
    }

    @Test
    void aFailedLibraryLoadFailsTheStartupCheckAndEveryKill() {
        Posix posix = Posix.load(() -> { throw READ_ONLY; }, () -> { throw new AssertionError("not reached"); });
        Optional<String> problem = posix.awaitLibrary(BOUND);
        assertTrue(problem.orElseThrow().contains("Unable to write jffi binary stub to `/tmp`"), problem.toString());
        assertEquals(problem, posix.kill(1, "SIGTERM", BOUND));
    }

    @Test
    void aLibcThatDoesNotLoadFailsEveryKillWithItsCause() {
        Posix posix = Posix.load(() -> { }, () -> { throw new IllegalStateException("libc has no kill"); });
        assertEquals(Optional.empty(), posix.awaitLibrary(BOUND), "the library itself loaded");
        String problem = posix.kill(1, "SIGTERM", BOUND).orElseThrow();
        assertTrue(problem.startsWith("native POSIX (libc through jffi) is unavailable:"
                + " java.lang.IllegalStateException: libc has no kill."), problem);
    }

    @Test
    void killsARealProcessAndNamesWhatWentWrong() throws Exception {
        Posix posix = Posix.loadInBackground();
        Process sleep = new ProcessBuilder("sleep", "60").start();
        try {
            assertEquals(Optional.empty(), posix.kill(sleep.pid(), "SIGTERM", BOUND));
            assertTrue(sleep.waitFor(5, java.util.concurrent.TimeUnit.SECONDS), "the signal arrived");
            assertEquals(128 + 15, sleep.exitValue());
        } finally {
            sleep.destroyForcibly();
        }
        assertEquals(Optional.of("ESRCH: pid 2147483646 no longer exists"), posix.kill(2147483646L, "SIGTERM", BOUND));
    }

    @Test
    void aLoadStillRunningAfterTheBoundCountsAsUnavailable() {
        CountDownLatch never = new CountDownLatch(1);
        try {
            Posix posix = Posix.load(() -> {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, Libc::get);
            assertEquals(Optional.of("native POSIX did not load within 50 ms"), posix.awaitLibrary(Duration.ofMillis(50)));
        } finally {
            never.countDown();
        }
    }

    @Test
    void theRealNativeSideLoadsAndSignalsARealProcess() throws Exception {
        Process child = new ProcessBuilder("sleep", "60").start();
        try {
            Posix posix = Posix.loadInBackground();
            assertEquals(Optional.empty(), posix.awaitLibrary(BOUND));
            assertEquals(Optional.empty(), posix.kill(child.pid(), "SIGTERM", BOUND));
            assertTrue(child.waitFor(5, TimeUnit.SECONDS), "the child exited on SIGTERM");
            assertEquals(128 + 15, child.exitValue());
            assertEquals(Optional.of("ESRCH: pid " + child.pid() + " no longer exists"),
                    posix.kill(child.pid(), "SIGTERM", BOUND));
        } finally {
            child.destroyForcibly();
        }
    }
}
