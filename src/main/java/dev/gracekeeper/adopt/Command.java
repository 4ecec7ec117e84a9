package dev.gracekeeper.adopt;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * The jar's commands besides the sidecar: {@code inject} and {@code check}. Main hands over here
 * before any of the sidecar is set up, and only these classes load the YAML library.
 */
public final class Command {
    /** Done; for check: no error found. */
    public static final int OK = 0;
    /** inject refused a workload; check found an error. */
    public static final int PROBLEMS = 1;
    /** The command line or the input could not be read. */
    public static final int UNREADABLE = 2;

    static final String HELP = """
            usage: gracekeeper                          run the sidecar (configured by GRACEKEEPER_* variables)
                   gracekeeper inject [options] FILE|-  add gracekeeper to the workloads in FILE, write them to stdout
                   gracekeeper check [--output json] FILE|-  report problems in the workloads' shutdown configuration
            exit codes of inject and check: 0 done (check: no error), 1 a workload refused (check: errors found),
            2 the command line or the input could not be read. `gracekeeper inject --help` lists inject's options.
            """;

    private Command() {}

    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        boolean help = Arrays.asList(rest).contains("--help") || Arrays.asList(rest).contains("-h");
        switch (args[0]) {
            case "inject":
                if (help) {
                    out.print(InjectOptions.HELP);
                    return OK;
                }
                return InjectCommand.run(rest, in, out, err);
            case "check":
                if (help) {
                    out.print(CheckCommand.HELP);
                    return OK;
                }
                return CheckCommand.run(rest, in, out, err);
            case "help", "--help", "-h":
                out.print(HELP);
                return OK;
            default:
                err.print("unknown command '" + args[0] + "'\n" + HELP);
                return UNREADABLE;
        }
    }
}
