package dev.gracekeeper.drain;

import dev.gracekeeper.os.Untrusted;
import dev.gracekeeper.lifecycle.Figure;
import dev.gracekeeper.lifecycle.ShutdownStep;
import dev.gracekeeper.lifecycle.StepContext;
import dev.gracekeeper.os.AppProcess;
import dev.gracekeeper.os.Posix;
import java.time.Duration;
import java.util.Optional;

/** Tells the app to drain with a signal, e.g. SIGQUIT for nginx's graceful shutdown. */
public final class SignalDrain implements ShutdownStep {
    public static final String NAME = "app-drain-signal";
    static final Duration LOAD_BOUND = Duration.ofSeconds(3);

    private final String signal;
    private final AppProcess process;
    private final Posix posix;

    public SignalDrain(String signal, AppProcess process, Posix posix) {
        this.signal = signal;
        this.process = process;
        this.posix = posix;
    }

    @Override
    public String name() { return NAME; }

    @Override
    public String run(StepContext ctx) {
        AppProcess.Found found = process.find();
        if (found.id().isEmpty()) {
            return signal + " not sent: " + found.explanation() + "; carrying on with the idle wait";
        }
        AppProcess.Id id = found.id().get();
        Duration bound = ctx.budget().remaining().compareTo(LOAD_BOUND) < 0 ? ctx.budget().remaining() : LOAD_BOUND;
        Optional<String> error = posix.kill(id.pid(), signal, bound);
        if (error.isPresent()) {
            return signal + " to " + found.explanation() + " failed: " + error.get() + "; carrying on with the idle wait";
        }
        ctx.figure(Figure.APP_DRAIN_SIGNAL_PID, id.pid());
        return signal + " sent to " + found.explanation() + " (" + Untrusted.clip(id.cmdline(), 60) + ")";
    }

}
