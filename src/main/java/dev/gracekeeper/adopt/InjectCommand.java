package dev.gracekeeper.adopt;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code inject}: the input with gracekeeper added to every workload, on stdout; one line per
 * workload on stderr. If any workload cannot be injected, nothing is written to stdout (a
 * half-done stream piped into kubectl apply would be worse than none) and every reason is listed.
 */
final class InjectCommand {
    private InjectCommand() {}

    static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        try {
            InjectOptions options = InjectOptions.parse(args);
            Manifest manifest = Input.read(options.input(), in);
            List<Workload> workloads = Workloads.find(manifest.documents());
            Tokens tokens = Tokens.of(options, manifest.documents());
            Injector injector = new Injector(options, tokens);
            List<String> failures = new ArrayList<>();
            List<String> lines = new ArrayList<>();
            int injected = 0;
            for (Workload w : workloads) {
                try {
                    String what = injector.inject(w);
                    if (what.startsWith("injected")) injected++;
                    lines.add(w.where() + ": " + what);
                } catch (InjectException e) {
                    failures.add(e.getMessage());
                }
            }
            if (!failures.isEmpty()) {
                err.println("inject: nothing written, " + failures.size() + " workload(s) refused:");
                failures.forEach(f -> err.println("  " + f));
                return Command.PROBLEMS;
            }
            out.print(manifest.write(withSecrets(manifest, tokens.secrets())));
            out.flush();
            lines.forEach(l -> err.println("inject: " + l));
            if (injected == 0) {
                err.println("inject: nothing to change: " + (workloads.isEmpty() ? "no workload in the input"
                        : "every workload already has gracekeeper") + "; the output is the input");
            }
            tokens.secrets().forEach(s -> err.println("inject: wrote Secret " + options.tokenSecret()
                    + " with a random token, ahead of the workloads"));
            if (manifest.comments()) err.println("inject: note: comments in the input are not kept in the output");
            if (injected > 0) {
                err.println("inject: " + injected + " workload(s) injected, " + (workloads.size() - injected)
                        + " already had gracekeeper; every other object passed through unchanged");
            }
            return Command.OK;
        } catch (UsageException e) {
            err.println("inject: " + e.getMessage());
            return Command.UNREADABLE;
        } catch (ManifestException e) {
            err.println("inject: " + e.getMessage());
            return Command.UNREADABLE;
        }
    }

    /** Secrets go first, so kubectl apply creates them before the pods that read them. */
    private static List<Object> withSecrets(Manifest manifest, List<Object> secrets) {
        List<Object> docs = manifest.documents();
        if (secrets.isEmpty()) return docs;
        if (docs.size() == 1 && Tree.list(Tree.map(docs.get(0)).get("items")) != null) {
            Tree.list(Tree.map(docs.get(0)).get("items")).addAll(0, secrets);
            return docs;
        }
        List<Object> out = new ArrayList<>(secrets);
        out.addAll(docs);
        return out;
    }
}
