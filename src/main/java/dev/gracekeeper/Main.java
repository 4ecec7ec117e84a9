package dev.gracekeeper;

import dev.gracekeeper.app.AppProbe;
import dev.gracekeeper.app.RestartWatcher;
import dev.gracekeeper.app.TerminationMessage;
import dev.gracekeeper.config.AppConfig;
import dev.gracekeeper.config.Budget;
import dev.gracekeeper.config.Config;
import dev.gracekeeper.config.ConfigException;
import dev.gracekeeper.config.ConfigParser;
import dev.gracekeeper.config.Var;
import dev.gracekeeper.drain.HttpClients;
import dev.gracekeeper.drain.HttpDrain;
import dev.gracekeeper.drain.IdleWait;
import dev.gracekeeper.drain.PropagationDelay;
import dev.gracekeeper.drain.SignalDrain;
import dev.gracekeeper.hook.HookServer;
import dev.gracekeeper.hook.Metrics;
import dev.gracekeeper.lifecycle.Clock;
import dev.gracekeeper.lifecycle.Lifecycle;
import dev.gracekeeper.lifecycle.MarkerStore;
import dev.gracekeeper.lifecycle.Phase;
import dev.gracekeeper.lifecycle.ShutdownResult;
import dev.gracekeeper.lifecycle.ShutdownStep;
import dev.gracekeeper.lifecycle.Snapshot;
import dev.gracekeeper.lifecycle.Trigger;
import dev.gracekeeper.os.AppProcess;
import dev.gracekeeper.os.Posix;
import dev.gracekeeper.os.ProcNetTcp;
import dev.gracekeeper.os.SignalTrap;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wiring, and the one place the process exits. */
public final class Main {
    static final Duration RESPONSE_FLUSH = Duration.ofSeconds(2);
    static final Duration APP_GONE_POLL = Duration.ofMillis(10);
    /** Loading jffi's library takes about 70 ms; one still loading after this is as good as broken. */
    static final Duration NATIVE_LOAD_BOUND = Duration.ofSeconds(10);
    /** Not a class: the name says why the platform MBean server is refused (see keepJmxOut). */
    static final String NO_MBEAN_SERVER = "none: gracekeeper keeps JMX off";
    private static final Logger log = LoggerFactory.getLogger("main");

    private Main() {}

    public static void main(String[] args) {
        long mainStarted = System.nanoTime();
        keepJmxOut();
        // Undertow logs through java.util.logging unless told otherwise; set before it loads.
        System.setProperty("org.jboss.logging.provider", "slf4j");
        SignalTrap trap = SignalTrap.install();
        ExitCode code;
        try {
            code = run(System.getenv(), trap, mainStarted);
        } catch (RuntimeException | Error e) {
            log.error("unexpected failure", e);
            code = ExitCode.FAILURE;
        }
        System.exit(code.code());
    }

    /**
     * XNIO registers its provider, worker and listener as JMX MBeans, unconditionally, and jboss-threads
     * its worker pool: that creates the platform MBean server with every platform MXBean, about a
     * thousand classes and 130 ms on JDK 17, for beans nothing in a pod reads. jboss-threads has a
     * switch for it; XNIO has none, but ignores any failure to register, so the platform MBean server
     * is made to fail at once: its builder class does not exist. The image's JRE has no
     * java.management module at all (docker/build-runtime.sh). Either property given on the command
     * line wins: {@code -Djavax.management.builder.initial=javax.management.MBeanServerBuilder}
     * brings JMX back.
     */
    static void keepJmxOut() {
        setUnlessGiven("jboss.threads.eqe.register-mbean", "false");
        setUnlessGiven("javax.management.builder.initial", NO_MBEAN_SERVER);
    }

    private static void setUnlessGiven(String property, String value) {
        if (System.getProperty(property) == null) System.setProperty(property, value);
    }

    static ExitCode run(Map<String, String> env, SignalTrap trap, long mainStarted) {
        Config config;
        try {
            config = ConfigParser.parse(env);
        } catch (ConfigException e) {
            log.error("configuration rejected (exit {}), {}", ExitCode.CONFIG.code(), e.getMessage());
            return ExitCode.CONFIG;
        }
        for (Var v : Var.values()) log.info("config {}={}", v.envName(), config.effective().get(v));
        log.info("budget: {}", config.budget().explain());

        Clock clock = Clock.SYSTEM;
        AppConfig app = config.app();
        // Slow to initialise, so started now in the background and only when a feature needs them.
        HttpClients http = app.callsAppOverHttp() ? HttpClients.buildInBackground(app.callsAppOverTls()) : null;
        Posix posix = app.needsNativePosix() ? Posix.loadInBackground() : null;
        Optional<AppProcess> process = app.process().map(AppProcess::new);
        AppProbe probe = new AppProbe(app, process, new ProcNetTcp(), http);

        MarkerStore store = new MarkerStore(config.stateDir());
        Lifecycle lifecycle = new Lifecycle(store, store.load(config.pod().uid()), steps(config, clock, http, posix,
                process), clock, config.pod().uid(), config.budget().shutdownBound());
        Metrics metrics = new Metrics();
        TerminationMessage message = new TerminationMessage(config.terminationMessagePath(),
                !config.terminationMessagePath().toString().equals(Var.TERMINATION_MESSAGE_PATH.defaultValue()));
        lifecycle.onFinished(metrics::finished);
        lifecycle.onFinished(r -> message.write(r.summary()));

        HookServer server = new HookServer(config, lifecycle, store, probe, metrics);
        // Checked before listening: a sidecar that cannot send the drain signal must never pass its
        // startupProbe, or the app would start beside it and lose its drain.
        Optional<String> nativeProblem = posix == null ? Optional.empty() : posix.awaitLibrary(NATIVE_LOAD_BOUND);
        if (nativeProblem.isPresent()) {
            log.error("{} needs native POSIX calls (exit {}): {}", Var.APP_DRAIN_SIGNAL.envName(),
                    ExitCode.NATIVE_UNAVAILABLE.code(), nativeProblem.get());
            return ExitCode.NATIVE_UNAVAILABLE;
        }
        InetSocketAddress bound;
        try {
            bound = server.start();
        } catch (RuntimeException e) {
            log.error("cannot listen on port {} (exit {}): {}", config.port(), ExitCode.LISTEN.code(), rootCause(e));
            return ExitCode.LISTEN;
        }
        if (probe.canSeeApp()) {
            RestartWatcher watcher = new RestartWatcher(lifecycle, probe);
            lifecycle.onStarted(watcher::shutdownStarted);
            probe.every(RestartWatcher.PERIOD, watcher);
        } else {
            log.warn("neither GRACEKEEPER_APP_PORTS nor GRACEKEEPER_APP_PROCESS is set, so the sidecar cannot"
                    + " see the app: the idle wait has nothing to watch, and after a drain only a postStart hook"
                    + " on /poststart brings readiness back (an app container restarted without one stays"
                    + " unready). Set GRACEKEEPER_APP_PORTS to the app's port(s).");
        }
        log.info("gracekeeper {} serving {} on {}, {} ms after main() began; marker {}", version(),
                config.pod().describe(), bound, (System.nanoTime() - mainStarted) / 1_000_000, store.file());
        try {
            return awaitSignalThenStop(trap, lifecycle, server, probe, config);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCode.FAILURE;
        } finally {
            server.stop();
        }
    }

    /** The shutdown's steps, in order, for what is configured. */
    static List<ShutdownStep> steps(Config config, Clock clock, HttpClients http, Posix posix,
                                    Optional<AppProcess> process) {
        AppConfig app = config.app();
        List<ShutdownStep> steps = new ArrayList<>();
        steps.add(new PropagationDelay(config.drainDelay(), clock));
        // No lambda here: one capturing `http` or `posix` would load its class in every pod (linking the
        // call site names the captured types), and with it, in the AOT cache, OkHttp's or jnr's classes.
        if (app.drainUrl().isPresent()) steps.add(new HttpDrain(app.drainUrl().get(), app.drainMethod(), http));
        if (app.drainSignal().isPresent()) {
            steps.add(new SignalDrain(app.drainSignal().get(), process.orElseThrow(), posix));
        }
        if (!app.ports().isEmpty() || process.isPresent()) {
            steps.add(new IdleWait(app.ports(), process, config.budget().drainTimeout(), new ProcNetTcp(), clock));
        }
        return steps;
    }

    /**
     * After SIGTERM: keep serving hooks, finish the shutdown, wait until the app is gone, exit.
     * Every wait ends by T0 + grace period - a margin, before the kubelet's SIGKILL.
     */
    private static ExitCode awaitSignalThenStop(SignalTrap trap, Lifecycle lifecycle, HookServer server,
                                                AppProbe probe, Config config) throws InterruptedException {
        Optional<String> signal = Optional.empty();
        while (signal.isEmpty()) signal = trap.next(Long.MAX_VALUE / 2);
        Trigger trigger = signal.get().equals("SIGINT") ? Trigger.SIGINT : Trigger.SIGTERM;
        Snapshot before = lifecycle.snapshot();
        if (before.phase() == Phase.SERVING && probe.presence() == AppProbe.Presence.GONE) {
            // Native sidecar: the kubelet signals it only after the app exited. Nothing left to drain.
            log.info("{} received and the app is already gone: exiting (exit {}) without a shutdown", signal.get(),
                    ExitCode.OK.code());
            return ExitCode.OK;
        }
        Lifecycle.Attempt attempt = lifecycle.shutdown(trigger, "");
        log.info("{} received: {} the shutdown of generation {}{}", signal.get(),
                attempt.join().name().toLowerCase(Locale.ROOT).replace('_', ' '), attempt.generation(),
                attempt.result().isDone() ? "" : "; hooks are still served until it is done");
        Budget budget = config.budget();
        Instant t0 = lifecycle.snapshot().firstTriggerAt().orElse(Instant.now());
        Instant exitAt = t0.plus(budget.exitBound());
        ShutdownResult result;
        try {
            result = attempt.result().get(Math.max(0, Duration.between(Instant.now(), exitAt).toMillis()),
                    TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.error("the shutdown of generation {} had not finished at T0 + {} ms, just before the kubelet's SIGKILL;"
                    + " exiting (exit {})", attempt.generation(), budget.exitBound().toMillis(),
                    ExitCode.SHUTDOWN_TIMEOUT.code());
            return ExitCode.SHUTDOWN_TIMEOUT;
        } catch (ExecutionException e) {
            log.error("the shutdown of generation {} failed", attempt.generation(), e.getCause());
            return ExitCode.FAILURE;
        }
        if (!server.awaitHookResponses(RESPONSE_FLUSH)) {
            log.warn("{} hook response(s) still unsent after {} ms; exiting anyway", server.hooksInFlight(),
                    RESPONSE_FLUSH.toMillis());
        }
        ExitCode code = awaitAppGone(probe, exitAt, budget);
        if (code == ExitCode.OK && ShutdownResult.TIMED_OUT.equals(result.outcome())) code = ExitCode.DRAIN_TIMED_OUT;
        log.info("exiting (exit {}): {}", code.code(), result.summary());
        return code;
    }

    /** The sidecar outlives the app, so a late preStop or the app's last requests still find it. */
    private static ExitCode awaitAppGone(AppProbe probe, Instant exitAt, Budget budget) {
        if (!probe.canSeeApp()) return ExitCode.OK;
        long start = System.nanoTime();
        while (probe.presence() == AppProbe.Presence.PRESENT) {
            if (!Instant.now().isBefore(exitAt)) {
                log.warn("the app is still there at T0 + {} ms (grace period - {} ms margin): exiting before the"
                        + " kubelet's SIGKILL (exit {})", budget.exitBound().toMillis(),
                        Budget.EXIT_MARGIN.toMillis(), ExitCode.APP_STILL_RUNNING.code());
                return ExitCode.APP_STILL_RUNNING;
            }
            LockSupport.parkNanos(APP_GONE_POLL.toNanos());
        }
        log.info("the app is gone, {} ms after the shutdown finished", (System.nanoTime() - start) / 1_000_000);
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
