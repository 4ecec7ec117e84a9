package dev.gracekeeper.config;

import java.util.List;

/** Every problem found in the environment, one line each. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;
    // An array, not a List: javac after 17 (serial lint) flags a field of a non-serializable type.
    private final String[] problems;

    public ConfigException(List<String> problems) {
        super(problems.size() + " configuration problem(s):\n  " + String.join("\n  ", problems));
        this.problems = problems.toArray(String[]::new);
    }

    public List<String> problems() { return List.of(problems); }
}
