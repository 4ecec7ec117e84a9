package dev.gracekeeper.adopt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * examples/kustomize: the component renders what inject writes for the same base, when
 * {@code kubectl kustomize} is available (it renders offline; skipped, saying so, when it is not).
 */
class KustomizeComponentTest {
    static final Path DIR = Path.of("examples", "kustomize");

    @Test
    void theComponentRendersWhatInjectWrites() throws Exception {
        Optional<String> rendered = kustomize(DIR.resolve("overlay"));
        assumeTrue(rendered.isPresent(), "kubectl kustomize is not available on this machine: the component is not"
                + " rendered here (inject's side is still checked by InjectExamplesTest)");
        List<Object> kustomized = Manifest.read(rendered.get(), "kustomize").documents();
        Map<String, Object> secret = byKind(kustomized, "Secret");
        String token = (String) Tree.child(secret, "stringData").get("token");
        Path tokenFile = Files.createTempFile("token", "");
        Files.writeString(tokenFile, token);
        Cli injected = Cli.run("", "inject", "--token-file", tokenFile.toString(), "--drain-url",
                "http://127.0.0.1:8080/drain", "--drain-timeout", "30s", DIR.resolve("base/deployment.yaml").toString());
        assertEquals(0, injected.exit(), injected.toString());
        List<Object> docs = Manifest.read(injected.out(), "inject").documents();
        Map<String, Object> a = byKind(kustomized, "Deployment");
        Map<String, Object> b = byKind(docs, "Deployment");
        for (Map<String, Object> d : List.of(a, b)) InjectExamplesTest.sortVolumes(Tree.path(d, "spec.template.spec"));
        assertEquals(b, a, "the component's Deployment equals inject's\n" + rendered.get());
        assertEquals(byKind(docs, "Service"), byKind(kustomized, "Service"));
        assertEquals(0, Cli.check(rendered.get()).exit(), "and checks clean: " + Cli.check(rendered.get()));
        assertTrue(rendered.get().contains("value: " + token), "the hooks send the Secret's token");
    }

    static Map<String, Object> byKind(List<Object> docs, String kind) {
        return docs.stream().map(Tree::map).filter(d -> kind.equals(d.get("kind"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind));
    }

    /** The rendered overlay, or empty when kubectl is missing or cannot render offline. */
    static Optional<String> kustomize(Path dir) throws InterruptedException {
        try {
            Process p = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(false).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return p.exitValue() == 0 ? Optional.of(new String(out, StandardCharsets.UTF_8)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
