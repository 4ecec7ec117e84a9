package dev.gracekeeper.adopt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gracekeeper.adopt.check.Rules;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's "Adopt it" section shows what the commands really print. */
class ReadmeAdoptTest {
    static String readme() throws Exception {
        return Files.readString(Path.of("README.md"));
    }

    @Test
    void theRulesTableIsGeneratedFromTheRules() throws Exception {
        String r = readme();
        int a = r.indexOf("<!-- rules:start -->\n");
        int b = r.indexOf("<!-- rules:end -->");
        assertTrue(a >= 0 && b > a, "README has the rules markers");
        assertEquals(Rules.markdownTable(), r.substring(a + "<!-- rules:start -->\n".length(), b),
                "README rules table is stale; paste Rules.markdownTable() between the markers");
    }

    @Test
    void theHelpShownIsTheHelpPrinted() throws Exception {
        assertTrue(readme().contains("$ java -jar target/gracekeeper.jar inject --help\n" + InjectOptions.HELP + "```"),
                "README shows inject --help as printed");
    }

    @Test
    void theCheckRunsShownAreWhatCheckPrints() throws Exception {
        Cli base = Cli.run("", "check", "examples/kustomize/base/deployment.yaml");
        assertTrue(readme().contains("check examples/kustomize/base/deployment.yaml\n" + base.out()), base.out());
        String broken = Files.readString(Path.of("examples/http-drain/deployment.yaml"))
                .replace("terminationGracePeriodSeconds: 45", "terminationGracePeriodSeconds: 30")
                .replaceAll("(?m)port: 8686$", "port: gracekeeper");
        Cli r = Cli.check(broken);
        assertEquals(1, r.exit());
        assertTrue(readme().contains("| java -jar target/gracekeeper.jar check -\n" + r.out()), r.out());
    }

    @Test
    void theInjectRunShownIsWhatInjectPrints() throws Exception {
        Cli refused = Cli.run("", "inject", "examples/kustomize/base/deployment.yaml");
        assertTrue(readme().contains("inject examples/kustomize/base/deployment.yaml\n" + refused.err()), refused.err());
        Cli r = Cli.run("", "inject", "--emit-secret", "--drain-url", "http://127.0.0.1:8080/drain",
                "examples/kustomize/base/deployment.yaml");
        assertTrue(readme().contains("> api.yaml\n" + r.err()), r.err());
        String app = r.out().substring(r.out().indexOf("      containers:\n"), r.out().indexOf("      volumes:\n"));
        String token = Tree.child(Tree.map(Manifest.read(r.out(), "o").documents().get(0)), "stringData").get("token")
                .toString();
        assertTrue(readme().replaceAll("[0-9a-f]{32}", token).contains(app), "the app container shown:\n" + app);
    }
}
