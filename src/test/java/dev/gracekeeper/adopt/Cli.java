package dev.gracekeeper.adopt;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs a command in-process, as Main would, with the given stdin; captures stdout, stderr, exit code. */
record Cli(int exit, String out, String err) {
    static Cli run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Command.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), o, e);
        }
        return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** inject from stdin with the given options. */
    static Cli inject(String manifest, String... options) {
        return onStdin("inject", manifest, options);
    }

    static Cli check(String manifest, String... options) {
        return onStdin("check", manifest, options);
    }

    private static Cli onStdin(String command, String manifest, String... options) {
        String[] args = new String[options.length + 2];
        args[0] = command;
        System.arraycopy(options, 0, args, 1, options.length);
        args[args.length - 1] = "-";
        return run(manifest, args);
    }

    @Override
    public String toString() {
        return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
