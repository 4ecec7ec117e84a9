package dev.gracekeeper;

import dev.gracekeeper.app.AppConnections;
import dev.gracekeeper.app.AppProbe;
import dev.gracekeeper.app.RestartWatcher;
import dev.gracekeeper.config.AppConfig;
import dev.gracekeeper.config.Config;
import dev.gracekeeper.config.ConfigException;
import dev.gracekeeper.config.ConfigParser;
import dev.gracekeeper.config.Propagation;
import dev.gracekeeper.config.Var;
import dev.gracekeeper.drain.EndpointsWait;
import dev.gracekeeper.http.HttpClients;
import dev.gracekeeper.drain.HttpDrain;
import dev.gracekeeper.drain.IdleWait;
import dev.gracekeeper.drain.PropagationDelay;
import dev.gracekeeper.drain.PropagationReport;
import dev.gracekeeper.drain.SignalDrain;
import dev.gracekeeper.hook.HookServer;
import dev.gracekeeper.hook.Metrics;
import dev.gracekeeper.lifecycle.Clock;
import dev.gracekeeper.lifecycle.Lifecycle;
import dev.gracekeeper.lifecycle.MarkerStore;
import dev.gracekeeper.lifecycle.ShutdownStep;
import dev.gracekeeper.lifecycle.TerminationMessage;
import dev.gracekeeper.os.AppProcess;
import dev.gracekeeper.os.Posix;
import dev.gracekeeper.os.ProcNetTcp;
import dev.gracekeeper.os.SignalTrap;
import dev.gracekeeper.os.Throwables;
import dev.gracekeeper.os.TcpStats;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wiring, and the one place the process exits. */
public final class Main {
    /** Loading jffi's library takes about 70 ms; one still loading after this is as good as broken. */
    static final Duration NATIVE_LOAD_BOUND = Duration.ofSeconds(10);
    /** Not a class: the name says why the platform MBean server is refused (see keepJmxOut). */
    static final String NO_MBEAN_SERVER = "none: gracekeeper keeps JMX off";
    private static final Logger log = LoggerFactory.getLogger("main");

    private Main() {}

    public static void main(String[] args) {
        if (args.length > 0) {
            // inject and check: nothing of the sidecar is set up, and only they load the YAML library.
            System.exit(dev.gracekeeper.adopt.Command.run(args, System.in, System.out, System.err));
        }
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
     * is made to fail at once: its builder class does not exist (what still loads: XNIO's ObjectName,
     * the refusing factory, and ThreadMXBean for the idle wait's CPU accounting, some 20 classes).
     * Either property given on the command line wins: {@code -Djavax.management.builder.initial=javax.management.MBeanServerBuilder}
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
        boolean endpoints = config.propagation().mode() == Propagation.Mode.ENDPOINTS;
        // TLS only for the Kubernetes API (endpoints mode) or an https URL of the app: setting it up loads the
        // trust store and some 500 classes.
        HttpClients http = app.callsAppOverHttp() || endpoints
                ? HttpClients.buildInBackground(endpoints || app.callsAppOverTls()) : null;
        PropagationReport propagation = new PropagationReport(config.propagation().mode().label());
        Posix posix = app.needsNativePosix() ? Posix.loadInBackground() : null;
        Optional<AppProcess> process = app.process().map(AppProcess::new);
        AppConnections connections = new AppConnections(app.ports(), new ProcNetTcp(), new TcpStats(), clock,
                AppConnections.threadCpuTime());
        AppProbe probe = new AppProbe(app, process, connections, http);

        MarkerStore store = new MarkerStore(config.stateDir());
        Lifecycle lifecycle = new Lifecycle(store, store.load(config.pod().uid()), steps(config, clock, http, posix,
                process, connections, propagation), clock, config.pod().uid(), config.budget().shutdownBound());
        Metrics metrics = new Metrics();
        TerminationMessage message = new TerminationMessage(config.terminationMessagePath(),
                config.terminationMessageMayBeCreated());
        lifecycle.onFinished(metrics::finished);
        lifecycle.onFinished(r -> message.write(r.summary()));

        HookServer server = new HookServer(config, lifecycle, store, probe, connections, metrics, propagation);
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
            log.error("cannot listen on port {} (exit {}): {}", config.port(), ExitCode.LISTEN.code(), Throwables.rootCause(e));
            return ExitCode.LISTEN;
        }
        if (probe.canSeeApp()) {
            RestartWatcher watcher = new RestartWatcher(lifecycle, probe);
            lifecycle.onStarted(watcher::shutdownStarted);
            probe.every(RestartWatcher.PERIOD, watcher);
        } else {
            log.warn("neither {} nor {} is set, so the sidecar cannot"
                    + " see the app: the idle wait has nothing to watch, and after a drain only a postStart hook"
                    + " on /poststart brings readiness back (an app container restarted without one stays"
                    + " unready). Set {} to the app's port(s).", Var.APP_PORTS.envName(), Var.APP_PROCESS.envName(),
                    Var.APP_PORTS.envName());
        }
        log.info("gracekeeper {} serving {} on {}, {} ms after main() began; marker {}", version(),
                config.pod().describe(), bound, Clock.SYSTEM.millisSince(mainStarted), store.file());
        try {
            ExitSequence exit = new ExitSequence(lifecycle, config.budget(), clock, new ExitSequence.Responses() {
                @Override public boolean awaitFlushed(Duration bound) { return server.awaitHookResponses(bound); }

                @Override public int inFlight() { return server.hooksInFlight(); }
            }, probe.canSeeApp(), probe::presence);
            return exit.onSignal(trap.await());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCode.FAILURE;
        } finally {
            server.stop();
        }
    }

    /** The shutdown's steps, in order, for what is configured. */
    static List<ShutdownStep> steps(Config config, Clock clock, HttpClients http, Posix posix,
                                    Optional<AppProcess> process, AppConnections connections,
                                    PropagationReport propagation) {
        AppConfig app = config.app();
        List<ShutdownStep> steps = new ArrayList<>();
        if (config.propagation().mode() == Propagation.Mode.ENDPOINTS) {
            // Only here are the API client's classes loaded: the delay mode never touches them.
            EndpointsWait wait = new EndpointsWait(config.drainDelay(), config.propagation(), config.pod().namespace(),
                    config.pod().uid(), http, propagation, clock);
            wait.prepare();
            steps.add(wait);
        } else {
            steps.add(new PropagationDelay(config.drainDelay(), clock));
        }
        // No lambda here: one capturing `http` or `posix` would load its class in every pod (linking the
        // call site names the captured types), and with it, in the AOT cache, OkHttp's or jnr's classes.
        if (app.drainUrl().isPresent()) steps.add(new HttpDrain(app.drainUrl().get(), app.drainMethod(), http));
        if (app.drainSignal().isPresent()) {
            steps.add(new SignalDrain(app.drainSignal().get(), process.orElseThrow(), posix));
        }
        if (!app.ports().isEmpty() || process.isPresent()) {
            steps.add(new IdleWait(connections, app.drainExitAtConnections(), process, config.budget().drainTimeout(),
                    clock, AppConnections.threadCpuTime()));
        }
        return steps;
    }

    private static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "(dev)" : v;
    }

}
