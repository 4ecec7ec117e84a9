package dev.gracekeeper.adopt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The hook token. The sidecar reads it from a Secret, but an httpGet hook's headers are literal
 * text (they cannot refer to a Secret), so inject must know the value itself: from a Secret of that
 * name in the input, from {@code --token-file}, or made up here with {@code --emit-secret}, one per
 * namespace, and written as a Secret ahead of the workloads.
 */
final class Tokens {
    static final String KEY = "token";

    private final InjectOptions options;
    private final Optional<String> fromFile;
    private final Map<String, String> inInput = new LinkedHashMap<>();
    private final Map<String, String> generated = new LinkedHashMap<>();
    private final SecureRandom random = new SecureRandom();

    private Tokens(InjectOptions options, Optional<String> fromFile) {
        this.options = options;
        this.fromFile = fromFile;
    }

    static Tokens of(InjectOptions options, List<Object> documents) throws UsageException {
        Optional<String> file = Optional.empty();
        if (options.tokenFile().isPresent()) {
            try {
                file = Optional.of(Files.readString(options.tokenFile().get(), StandardCharsets.UTF_8).strip());
            } catch (IOException e) {
                throw new UsageException("--token-file " + options.tokenFile().get() + ": cannot read it (" + e + ")");
            }
        }
        Tokens t = new Tokens(options, file);
        for (Object d : documents) t.collect(Tree.map(d));
        return t;
    }

    private void collect(Map<String, Object> obj) throws UsageException {
        if (obj == null) return;
        for (Object item : Tree.list(obj.get("items")) == null ? List.of() : Tree.list(obj.get("items"))) {
            collect(Tree.map(item));
        }
        Map<String, Object> meta = Tree.child(obj, "metadata");
        if (!"Secret".equals(Tree.str(obj, "kind")) || !options.tokenSecret().equals(Tree.str(meta, "name"))) return;
        String ns = namespace(Tree.str(meta, "namespace"));
        String plain = Tree.str(Tree.child(obj, "stringData"), KEY);
        String encoded = Tree.str(Tree.child(obj, "data"), KEY);
        if (plain != null) {
            inInput.put(ns, plain);
        } else if (encoded != null) {
            try {
                inInput.put(ns, new String(Base64.getMimeDecoder().decode(encoded), StandardCharsets.UTF_8).strip());
            } catch (IllegalArgumentException e) {
                throw new UsageException("Secret " + options.tokenSecret() + " in namespace " + ns + ": data." + KEY
                        + " is not base64 (" + e.getMessage() + "); valid: the token in base64, or in stringData."
                        + KEY);
            }
        }
    }

    /** The token the workload's hooks must send. */
    String tokenFor(Workload w) throws InjectException {
        String ns = namespace(w.namespace());
        if (inInput.containsKey(ns)) return inInput.get(ns);
        if (fromFile.isPresent()) return fromFile.get();
        if (options.emitSecret()) {
            return generated.computeIfAbsent(ns, k -> {
                byte[] b = new byte[16];
                random.nextBytes(b);
                return HexFormat.of().formatHex(b);
            });
        }
        throw new InjectException(w, "the hooks must send the token in a header, and a header cannot read a Secret:"
                + " pass --emit-secret to create Secret '" + options.tokenSecret() + "' with a random token, or"
                + " --token-file FILE holding the value of its key '" + KEY + "'");
    }

    /** The Secrets made up for the workloads, to go ahead of them in the output. */
    List<Object> secrets() {
        List<Object> out = new ArrayList<>();
        generated.forEach((ns, token) -> out.add(Tree.of("apiVersion", "v1", "kind", "Secret", "metadata",
                Tree.of("name", options.tokenSecret(), "namespace", ns.isEmpty() ? null : ns), "type", "Opaque",
                "stringData", Tree.of(KEY, token))));
        return out;
    }

    private static String namespace(String ns) {
        return ns == null ? "" : ns;
    }
}
