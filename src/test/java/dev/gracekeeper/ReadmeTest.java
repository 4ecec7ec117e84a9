package dev.gracekeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gracekeeper.config.Var;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's tables are generated from the code; this keeps the copy in the README current. */
class ReadmeTest {
    static String section(String name) throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String start = "<!-- " + name + ":start -->\n";
        String end = "<!-- " + name + ":end -->";
        int a = readme.indexOf(start);
        int b = readme.indexOf(end);
        assertTrue(a >= 0 && b > a, "README.md has the markers " + start.trim() + " ... " + end);
        return readme.substring(a + start.length(), b);
    }

    @Test
    void configurationTableMatchesTheCatalogue() throws Exception {
        assertEquals(Var.markdownTable(), section("config"),
                "README configuration table is stale; paste the expected text between the config markers");
    }

    @Test
    void exitCodeTableMatchesTheExitCodes() throws Exception {
        assertEquals(ExitCode.markdownTable(), section("exit-codes"),
                "README exit-code table is stale; paste the expected text between the exit-codes markers");
    }

    @Test
    void ciRunsExactlyTheTestCommandTheReadmeGives() throws Exception {
        String ci = Files.readString(Path.of(".ci/run"));
        String readme = Files.readString(Path.of("README.md"));
        assertTrue(readme.contains("\nmvn -B verify\n"), "README shows the test command on its own line");
        assertTrue(ci.contains("\nmvn -B verify\n"), ".ci/run runs the README's test command");
    }

    @Test
    void theCommandWithoutTheImageGivesTheImagesFlags() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int a = readme.indexOf("**Without the image**");
        int start = readme.indexOf("```\n", a);
        int end = readme.indexOf("```", start + 4);
        assertTrue(a >= 0 && start > a && end > start, "README.md has a command block after **Without the image**");
        String command = readme.substring(start + 4, end).replace("\\\n", " ");
        int last = -1;
        for (String flag : ImageFlags.print()) {
            // JDK 17 rejects this one; the README says to add it on JDK 23 and later.
            if (flag.startsWith("--sun-misc-unsafe-memory-access")) continue;
            String quoted = flag.contains("*") ? "'" + flag + "'" : flag;
            int at = command.indexOf(" " + quoted + " ");
            assertTrue(at >= 0, "README.md's command without the image lacks " + quoted
                    + " of docker/build-runtime.sh --print-flags:\n" + command);
            // Order matters to the JVM for some flags (UnlockDiagnosticVMOptions, CompileCommand=quiet).
            assertTrue(at > last, "README.md's command without the image gives " + quoted
                    + " earlier than docker/build-runtime.sh --print-flags does:\n" + command);
            last = at;
        }
    }
}
