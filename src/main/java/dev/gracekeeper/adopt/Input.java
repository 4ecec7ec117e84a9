package dev.gracekeeper.adopt;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the commands' input: a file, or stdin for {@code -}. */
final class Input {
    /** Larger input is refused: the manifests of a whole cluster are far smaller. */
    static final int MAX_BYTES = 64 * 1024 * 1024;

    private Input() {}

    static Manifest read(String name, InputStream stdin) throws ManifestException {
        byte[] bytes;
        try {
            if (name.equals("-")) {
                bytes = stdin.readNBytes(MAX_BYTES + 1);
            } else {
                Path p = Path.of(name);
                if (!Files.isRegularFile(p)) throw new ManifestException(name + ": no such file");
                if (Files.size(p) > MAX_BYTES) throw new ManifestException(name + ": larger than " + MAX_BYTES + " bytes");
                bytes = Files.readAllBytes(p);
            }
        } catch (IOException e) {
            throw new ManifestException(name + ": cannot read it: " + e.getMessage());
        }
        if (bytes.length > MAX_BYTES) throw new ManifestException(name + ": larger than " + MAX_BYTES + " bytes");
        return Manifest.read(new String(bytes, StandardCharsets.UTF_8), name.equals("-") ? "stdin" : name);
    }
}
