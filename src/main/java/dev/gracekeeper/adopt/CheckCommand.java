package dev.gracekeeper.adopt;

import dev.gracekeeper.adopt.check.Finding;
import dev.gracekeeper.adopt.check.Rule;
import dev.gracekeeper.adopt.check.Rules;
import dev.gracekeeper.adopt.check.Severity;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** {@code check}: every rule over every workload; one line per finding, or JSON. */
final class CheckCommand {
    static final String HELP;

    static {
        StringBuilder sb = new StringBuilder("""
                usage: gracekeeper check [--output json] FILE|-
                  Reports problems in the shutdown configuration of the workloads in FILE (- for stdin).
                  Exit 0: no error (warnings and information may be listed); 1: errors; 2: unreadable input.
                rules:
                """);
        for (Rule r : Rules.ALL) sb.append("  ").append(r.id).append(' ').append(r.name).append(" (")
                .append(r.severity.label()).append("): ").append(r.summary).append('\n');
        HELP = sb.toString();
    }

    private CheckCommand() {}

    static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        boolean json = false;
        String input = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--output") || a.startsWith("--output=")) {
                String v = a.contains("=") ? a.substring(a.indexOf('=') + 1) : i + 1 < args.length ? args[++i] : "";
                if (!v.equals("json") && !v.equals("text")) {
                    err.println("check: --output '" + v + "' is not a format; valid: json or text");
                    return Command.UNREADABLE;
                }
                json = v.equals("json");
            } else if ((a.equals("-") || !a.startsWith("-")) && input == null) {
                input = a;
            } else {
                err.print("check: unexpected argument " + a + "\n" + HELP);
                return Command.UNREADABLE;
            }
        }
        if (input == null) {
            err.print("check: no input: name a FILE, or - for stdin\n" + HELP);
            return Command.UNREADABLE;
        }
        List<Finding> findings;
        int workloads;
        try {
            List<Workload> found = Workloads.find(Input.read(input, in).documents());
            workloads = found.size();
            findings = Rules.check(found);
        } catch (ManifestException e) {
            err.println("check: " + e.getMessage());
            return Command.UNREADABLE;
        }
        long errors = findings.stream().filter(f -> f.severity() == Severity.ERROR).count();
        long warnings = findings.stream().filter(f -> f.severity() == Severity.WARNING).count();
        String summary = workloads + " workload(s) checked: " + errors + " error(s), " + warnings + " warning(s)";
        if (json) {
            out.println(Json.write(Tree.of("findings", findings.stream().map(CheckCommand::asMap).toList(),
                    "workloads", workloads, "errors", errors, "warnings", warnings)));
        } else {
            findings.forEach(f -> out.println(f.line()));
            out.println(summary);
        }
        out.flush();
        return errors > 0 ? Command.PROBLEMS : Command.OK;
    }

    private static Map<String, Object> asMap(Finding f) {
        return Tree.of("id", f.id(), "rule", f.rule(), "severity", f.severity().label(), "object", f.object(),
                "container", f.container(), "field", f.field(), "problem", f.problem(), "fix", f.fix());
    }
}
