package dev.gracekeeper.config;

import dev.gracekeeper.os.ProcessSelector;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The app's part of the configuration: how to tell it to drain, find it, see it idle or ready. */
final class AppConfigParser {
    static final List<String> DRAIN_SIGNALS = List.of("SIGQUIT", "SIGTERM", "SIGINT", "SIGHUP", "SIGUSR1", "SIGUSR2",
            "SIGWINCH");

    private final EnvReader r;

    private AppConfigParser(EnvReader r) { this.r = r; }

    static AppConfig parse(EnvReader r) { return new AppConfigParser(r).app(); }

    private AppConfig app() {
        Optional<URI> drainUrl = r.url(Var.APP_DRAIN_URL);
        String method = r.raw(Var.APP_DRAIN_METHOD);
        if (!List.of("GET", "POST", "PUT", "DELETE").contains(method)) r.problem(Var.APP_DRAIN_METHOD, "is not supported");
        if (drainUrl.isEmpty() && !r.anyRefused(Var.APP_DRAIN_URL) && r.present(Var.APP_DRAIN_METHOD)) {
            r.add(Var.APP_DRAIN_METHOD.envName() + " is set but " + Var.APP_DRAIN_URL.envName()
                    + " is not, so no drain call would be made; valid: set both, or neither");
        }
        Optional<String> signal = signal();
        Optional<ProcessSelector> process = process();
        if (signal.isPresent() && process.isEmpty() && !r.anyRefused(Var.APP_PROCESS)) {
            r.add(Var.APP_DRAIN_SIGNAL.envName() + "='" + signal.get() + "' needs "
                    + Var.APP_PROCESS.envName() + " to find the process to signal; valid: a regex over its"
                    + " command line, e.g. 'nginx: master', or pidfile:/run/nginx.pid");
        }
        List<Integer> ports = ports();
        if (process.isPresent() && ports.isEmpty() && signal.isEmpty() && drainUrl.isEmpty()
                && !r.anyRefused(Var.APP_PORTS, Var.APP_DRAIN_SIGNAL, Var.APP_DRAIN_URL)) {
            // The kubelet sends the app SIGTERM only after its preStop hook returns, so an app that
            // nobody tells to drain cannot exit during the wait: every shutdown would spend the budget.
            r.add(Var.APP_PROCESS.envName() + " without " + Var.APP_PORTS.envName() + " makes the idle"
                    + " wait wait for the app process to exit, but nothing tells it to: the kubelet signals the"
                    + " app only after the preStop hook returns, so every shutdown would use the whole budget;"
                    + " valid: also set " + Var.APP_DRAIN_SIGNAL.envName() + " (e.g. SIGQUIT for nginx) or "
                    + Var.APP_DRAIN_URL.envName() + " (an endpoint after which the app exits), or set "
                    + Var.APP_PORTS.envName() + " to wait for connections instead");
        }
        int exitAt = exitAtConnections(ports);
        Optional<URI> readyUrl = r.url(Var.APP_READY_URL);
        Duration postTimeout = r.duration(Var.POSTSTART_TIMEOUT, Duration.ZERO, Duration.ofHours(1));
        boolean fail;
        switch (r.raw(Var.POSTSTART_ON_TIMEOUT)) {
            case "proceed": fail = false; break;
            case "fail": fail = true; break;
            default:
                r.problem(Var.POSTSTART_ON_TIMEOUT, "is not a known policy");
                fail = false;
        }
        return new AppConfig(drainUrl, method, signal, process, ports, readyUrl, postTimeout, fail, exitAt);
    }

    private int exitAtConnections(List<Integer> ports) {
        String s = r.raw(Var.DRAIN_EXIT_AT_CONNECTIONS);
        if (!s.matches("[0-9]{1,5}") || Integer.parseInt(s) > 65535) {
            r.problem(Var.DRAIN_EXIT_AT_CONNECTIONS, "is not a whole number of connections");
            return 0;
        }
        int n = Integer.parseInt(s);
        if (n > 0 && ports.isEmpty() && !r.anyRefused(Var.APP_PORTS)) {
            r.add(Var.DRAIN_EXIT_AT_CONNECTIONS.envName() + "='" + s + "' has no effect without "
                    + Var.APP_PORTS.envName() + ": only connections on the app ports are counted; valid: set "
                    + Var.APP_PORTS.envName() + " too, or leave it unset (0)");
        }
        return n;
    }

    private Optional<String> signal() {
        String s = r.raw(Var.APP_DRAIN_SIGNAL).toUpperCase(java.util.Locale.ROOT);
        if (s.isEmpty()) return Optional.empty();
        String name = s.startsWith("SIG") ? s : "SIG" + s;
        if (name.equals("SIGKILL") || name.equals("SIGSTOP")) {
            r.problem(Var.APP_DRAIN_SIGNAL, "cannot make an app drain: it cannot be caught");
            return Optional.empty();
        }
        if (!DRAIN_SIGNALS.contains(name)) {
            r.problem(Var.APP_DRAIN_SIGNAL, "is not a known signal");
            return Optional.empty();
        }
        return Optional.of(name);
    }

    private Optional<ProcessSelector> process() {
        String s = r.raw(Var.APP_PROCESS);
        if (s.isEmpty()) return Optional.empty();
        if (s.startsWith("pidfile:")) {
            Path p = Path.of(s.substring("pidfile:".length()));
            if (!p.isAbsolute()) {
                r.problem(Var.APP_PROCESS, "names a pidfile by a relative path");
                return Optional.empty();
            }
            return Optional.of(new ProcessSelector.PidFile(p));
        }
        try {
            return Optional.of(new ProcessSelector.CmdlineRegex(Pattern.compile(s)));
        } catch (PatternSyntaxException e) {
            r.problem(Var.APP_PROCESS, "is not a valid regex (" + e.getDescription() + " near index " + e.getIndex() + ")");
            return Optional.empty();
        }
    }

    private List<Integer> ports() {
        String s = r.raw(Var.APP_PORTS);
        List<Integer> out = new ArrayList<>();
        if (s.isEmpty()) return out;
        for (String part : s.split(",", -1)) {
            String p = part.trim();
            if (p.matches("[0-9]{1,5}") && Integer.parseInt(p) >= 1 && Integer.parseInt(p) <= 65535) {
                if (!out.contains(Integer.parseInt(p))) out.add(Integer.parseInt(p));
            } else {
                r.problem(Var.APP_PORTS, "entry '" + p + "' is not a port");
            }
        }
        return out;
    }
}
