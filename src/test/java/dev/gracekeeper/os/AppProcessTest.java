package dev.gracekeeper.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real child processes found through the real /proc. */
class AppProcessTest {
    final String marker = "gk-" + UUID.randomUUID();
    Process child;

    @AfterEach
    void stop() throws Exception {
        if (child != null) {
            child.descendants().forEach(ProcessHandle::destroyForcibly);
            child.destroyForcibly();
            child.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void findsTheProcessByCommandLineRegexAndSeesItExit() throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "sleep 60; : " + marker).start();
        child = p;
        AppProcess ap = new AppProcess(new ProcessSelector.CmdlineRegex(Pattern.compile("sleep 60; : " + marker)));
        AppProcess.Found f = ap.find();
        assertEquals(p.pid(), f.id().orElseThrow().pid(), f.explanation());
        assertTrue(ap.alive(f.id().get()));
        p.destroy();
        assertTrue(p.waitFor(5, TimeUnit.SECONDS));
        assertFalse(ap.alive(f.id().get()));
        assertEquals(f.id(), ap.lastFound(), "the process found last is remembered after it exited");
    }

    @Test
    void findsTheProcessByPidfileAndExplainsABadOne(@TempDir Path dir) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "sleep 60; : " + marker).start();
        child = p;
        Path pidfile = Files.writeString(dir.resolve("app.pid"), p.pid() + "\n");
        assertEquals(p.pid(), new AppProcess(new ProcessSelector.PidFile(pidfile)).find().id().orElseThrow().pid());
        Files.writeString(pidfile, "not-a-pid");
        assertEquals("pidfile " + pidfile + " holds 'not-a-pid', not a pid",
                new AppProcess(new ProcessSelector.PidFile(pidfile)).find().explanation());
        assertEquals("pidfile " + dir.resolve("gone.pid") + " does not exist",
                new AppProcess(new ProcessSelector.PidFile(dir.resolve("gone.pid"))).find().explanation());
    }

    @Test
    void noMatchExplainsWhatWasSearchedAndTheSharedProcessNamespaceHint() {
        AppProcess.Found f = new AppProcess(new ProcessSelector.CmdlineRegex(Pattern.compile(marker))).find();
        assertTrue(f.id().isEmpty());
        assertTrue(f.explanation().startsWith("no process matches cmdline =~ /" + marker + "/ among the "),
                f.explanation());
        assertTrue(f.explanation().contains("shareProcessNamespace: true"), f.explanation());
    }

    @Test
    void nativeKillSignalsARealProcessAndExplainsAMissingOne() throws Exception {
        Process p = new ProcessBuilder("sleep", "60").start();
        child = p;
        Posix posix = Posix.loadInBackground();
        assertEquals(java.util.Optional.empty(), posix.kill(p.pid(), "SIGTERM", Duration.ofSeconds(10)));
        assertTrue(p.waitFor(5, TimeUnit.SECONDS));
        assertEquals(143, p.exitValue(), "killed by SIGTERM");
        assertEquals(java.util.Optional.of("ESRCH: pid " + p.pid() + " no longer exists"),
                posix.kill(p.pid(), "SIGTERM", Duration.ofSeconds(10)));
    }
}
