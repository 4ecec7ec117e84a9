package dev.gracekeeper;

import dev.gracekeeper.config.Config;
import dev.gracekeeper.config.ConfigException;
import dev.gracekeeper.config.ConfigParser;
import dev.gracekeeper.config.Var;
import dev.gracekeeper.drain.PropagationDelay;
import dev.gracekeeper.hook.HookServer;
import dev.gracekeeper.lifecycle.Clock;
import dev.gracekeeper.lifecycle.Lifecycle;
import dev.gracekeeper.lifecycle.MarkerStore;
import dev.gracekeeper.lifecycle.ShutdownResult;
import dev.gracekeeper.lifecycle.Trigger;
import dev.gracekeeper.os.SignalTrap;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wiring, and the one place the process exits. */
public final class Main {
    /** How long past its own bound a shutdown may run before the sidecar gives up on it. */
    static final Duration SHUTDOWN_SLACK = Duration.ofSeconds(10);
    static final Duration RESPONSE_FLUSH = Duration.ofSeconds(2);

    private Main() {}

    public static void main(String[] args) {
        long mainStarted = System.nanoTime();
        // Undertow logs through java.util.logging unless told otherwise; set before it loads.
        System.setProperty("org.jboss.logging.provider", "slf4j");
        SignalTrap trap = SignalTrap.install();
        ExitCode code;
        try {
            code = run(System.getenv(), trap, mainStarted);
        } catch (RuntimeException | Error e) {
            LoggerFactory.getLogger("main").error("unexpected failure", e);
            code = ExitCode.FAILURE;
        }
        System.exit(code.code());
    }

    static ExitCode run(Map<String, String> env, SignalTrap trap, long mainStarted) {
        Logger log = LoggerFactory.getLogger("main");
        Config config;
        try {
            config = ConfigParser.parse(env);
        } catch (ConfigException e) {
            log.error("configuration rejected (exit {}), {}", ExitCode.CONFIG.code(), e.getMessage());
            return ExitCode.CONFIG;
        }
        for (Var v : Var.values()) log.info("config {}={}", v.envName(), config.effective().get(v));

        Clock clock = Clock.SYSTEM;
        MarkerStore store = new MarkerStore(config.stateDir());
        MarkerStore.Load loaded = store.load(config.pod().uid());
        Lifecycle lifecycle = new Lifecycle(store, loaded,
                List.of(new PropagationDelay(config.drainDelay(), clock)), clock, config.pod().uid());
        HookServer server = new HookServer(config, lifecycle, store);
        InetSocketAddress bound;
        try {
            bound = server.start();
        } catch (RuntimeException e) {
            log.error("cannot listen on port {} (exit {}): {}", config.port(), ExitCode.LISTEN.code(), rootCause(e));
            return ExitCode.LISTEN;
        }
        log.info("gracekeeper {} serving {} on {}, {} ms after main() began; marker {}", version(),
                config.pod().describe(), bound, (System.nanoTime() - mainStarted) / 1_000_000, store.file());
        try {
            return awaitSignalAndDrain(trap, lifecycle, server, config, log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCode.FAILURE;
        } finally {
            server.stop();
        }
    }

    private static ExitCode awaitSignalAndDrain(SignalTrap trap, Lifecycle lifecycle, HookServer server,
                                                Config config, Logger log) throws InterruptedException {
        Optional<String> signal = Optional.empty();
        while (signal.isEmpty()) signal = trap.next(Long.MAX_VALUE / 2);
        Trigger trigger = signal.get().equals("SIGINT") ? Trigger.SIGINT : Trigger.SIGTERM;
        Lifecycle.Attempt attempt = lifecycle.shutdown(trigger, "");
        log.info("{} received: {} the shutdown of generation {}{}", signal.get(),
                attempt.join().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '), attempt.generation(),
                attempt.result().isDone() ? "" : "; hooks are still served until it is done");
        Duration bound = config.drainDelay().plus(SHUTDOWN_SLACK);
        ShutdownResult result;
        try {
            result = attempt.result().get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.error("shutdown of generation {} did not finish within {} ms; exiting (exit {})",
                    attempt.generation(), bound.toMillis(), ExitCode.SHUTDOWN_TIMEOUT.code());
            return ExitCode.SHUTDOWN_TIMEOUT;
        } catch (ExecutionException e) {
            log.error("shutdown of generation {} failed", attempt.generation(), e.getCause());
            return ExitCode.FAILURE;
        }
        if (!server.awaitHookResponses(RESPONSE_FLUSH)) {
            log.warn("{} hook response(s) still unsent after {} ms; exiting anyway", server.hooksInFlight(),
                    RESPONSE_FLUSH.toMillis());
        }
        log.info("exiting (exit {}): generation {} shutdown {} in {} ms since the first trigger", ExitCode.OK.code(),
                result.generation(), result.outcome(), result.duration().toMillis());
        return ExitCode.OK;
    }

    private static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "(dev)" : v;
    }

    private static String rootCause(Throwable t) {
        while (t.getCause() != null) t = t.getCause();
        return t.toString();
    }
}
