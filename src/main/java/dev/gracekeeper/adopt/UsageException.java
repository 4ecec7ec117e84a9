package dev.gracekeeper.adopt;

/** The command line is wrong: the message names the option, the value and what would be valid. */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
