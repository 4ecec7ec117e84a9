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
}
