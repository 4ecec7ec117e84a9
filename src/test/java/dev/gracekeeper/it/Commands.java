package dev.gracekeeper.it;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** Host commands the tests need (mount, unshare), for which "not permitted" is an answer, not an error. */
final class Commands {
    private Commands() {}

    /** True when the command ran and exited 0 within 10 s; false when it failed or could not start. */
    static boolean succeeds(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
