package dev.gracekeeper.adopt;

import dev.gracekeeper.config.Var;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * Adds gracekeeper to one pod template, or says why not. Everything is decided and the sidecar's
 * configuration validated before the first change, so a refused workload is left as it was.
 */
final class Injector {
    private final InjectOptions options;
    private final Tokens tokens;

    Injector(InjectOptions options, Tokens tokens) {
        this.options = options;
        this.tokens = tokens;
    }

    /** One line on what was done; the workload's pod spec is changed in place. */
    String inject(Workload w) throws InjectException {
        PodView pod = new PodView(w);
        if (pod.sidecar().isPresent()) {
            return "already has gracekeeper (container " + PodView.name(pod.sidecar().get()) + "), unchanged";
        }
        boolean nativeSidecar = !options.classic();
        if (!nativeSidecar && w.job()) {
            throw new InjectException(w, "a classic sidecar never exits by itself, so the Job would never complete;"
                    + " drop --classic: a native sidecar stops when the app has exited");
        }
        Map<String, Object> app = AppChoice.choose(pod, options.container());
        String appName = PodView.name(app);
        Map<String, Object> preStop = Tree.child(Tree.child(app, "lifecycle"), "preStop");
        OptionalLong sleep = Handlers.sleepSeconds(preStop);
        if (preStop != null && !options.replacePreStop()) {
            throw new InjectException(w, "container " + appName + " has a preStop (" + Handlers.describe(preStop) + ")"
                    + (sleep.isPresent() ? "; gracekeeper replaces that wait: rerun with --replace-prestop, and its "
                    + sleep.getAsLong() + "s become GRACEKEEPER_DRAIN_DELAY unless --drain-delay is given"
                    : "; gracekeeper's /shutdown must be the app's preStop: rerun with --replace-prestop to replace it"
                    + " (its work could move to a drain URL, --drain-url)"));
        }
        SidecarEnv env = env(w, pod, app, sleep);
        int port = Integer.parseInt(env.get(Var.PORT));
        checkFree(w, pod, port);
        Readiness readiness = Readiness.plan(app, port);
        readiness.readyUrl().ifPresent(u -> env.set(Var.APP_READY_URL, u, "the app's readinessProbe"));
        String token = tokens.tokenFor(w);
        env.validate(w, token);

        List<String> notes = new ArrayList<>();
        Tree.ensureList(w.spec(), "volumes").add(SidecarContainer.volume());
        Map<String, Object> sidecar = SidecarContainer.build(options.image(), nativeSidecar, port,
                env.entries(options.tokenSecret()), readiness.sidecarProbe().orElse(null),
                Identity.sidecarUid(w, app, env.has(Var.APP_DRAIN_SIGNAL), notes), !Identity.podNonRoot(w),
                env.endpointsMode());
        if (nativeSidecar) Tree.ensureList(w.spec(), "initContainers").add(sidecar);
        else Tree.ensureList(w.spec(), "containers").add(0, sidecar);
        Map<String, Object> lifecycle = Tree.ensureMap(app, "lifecycle");
        if (nativeSidecar && lifecycle.get("postStart") == null) {
            // postStart ahead of preStop, as they run; the map is replaced where it stands.
            Map<String, Object> ordered = Tree.of("postStart", SidecarContainer.hook("/poststart", port, token));
            ordered.putAll(lifecycle);
            app.put("lifecycle", ordered);
            lifecycle = ordered;
        } else if (nativeSidecar) {
            notes.add("its own postStart kept");
        }
        lifecycle.put("preStop", SidecarContainer.hook("/shutdown", port, token));
        readiness.apply(app, port);
        if (env.has(Var.APP_DRAIN_SIGNAL)) w.spec().put("shareProcessNamespace", true);
        return "injected: " + (nativeSidecar ? "native" : "classic") + " sidecar, app container " + appName
                + (preStop == null ? "" : ", preStop " + Handlers.describe(preStop) + " replaced")
                + ", GRACEKEEPER_DRAIN_DELAY=" + env.get(Var.DRAIN_DELAY) + ", " + readiness.note()
                + notes.stream().map(n -> "; " + n).collect(Collectors.joining());
    }

    private SidecarEnv env(Workload w, PodView pod, Map<String, Object> app, OptionalLong sleep) throws InjectException {
        SidecarEnv env = new SidecarEnv();
        env.set(Var.STATE_DIR, SidecarContainer.STATE_DIR, "inject");
        env.set(Var.GRACE_PERIOD, pod.gracePeriodSeconds() + "s", w.spec().containsKey("terminationGracePeriodSeconds")
                ? "terminationGracePeriodSeconds" : "terminationGracePeriodSeconds (unset: 30)");
        if (sleep.isPresent()) env.set(Var.DRAIN_DELAY, sleep.getAsLong() + "s", "the app's preStop sleep");
        else env.set(Var.DRAIN_DELAY, Var.DRAIN_DELAY.defaultValue(), "the default");
        env.set(Var.STOP_RESERVE, Var.STOP_RESERVE.defaultValue(), "the default");
        String ports = Tree.maps(app, "ports").stream()
                .filter(p -> p.get("protocol") == null || "TCP".equals(Tree.str(p, "protocol")))
                .map(p -> Tree.str(p, "containerPort")).filter(p -> p != null).distinct().collect(Collectors.joining(","));
        if (!ports.isEmpty()) env.set(Var.APP_PORTS, ports, "the ports of container " + PodView.name(app));
        options.env().forEach((v, s) -> env.set(v, s, InjectOptions.optionFor(v).orElse(v.envName())));
        if (options.classic() && !env.has(Var.APP_PORTS) && !env.has(Var.APP_PROCESS)) {
            throw new InjectException(w, "container " + PodView.name(app) + " declares no TCP port, and a classic"
                    + " sidecar must see the app to outlive it: pass --app-ports or --app-process");
        }
        if (!env.get(Var.PORT).matches("[0-9]{1,5}")) env.validate(w, PodView.PLACEHOLDER_TOKEN);
        return env;
    }

    /** Containers share the pod's network: the sidecar's port must be nobody else's. */
    private static void checkFree(Workload w, PodView pod, int port) throws InjectException {
        List<Map<String, Object>> all = new ArrayList<>(pod.initContainers());
        all.addAll(pod.containers());
        for (Map<String, Object> c : all) {
            for (Map<String, Object> p : Tree.maps(c, "ports")) {
                if (PodView.port(c, p.get("containerPort")).orElse(-1) == port) {
                    throw new InjectException(w, "container " + PodView.name(c) + " already uses port " + port
                            + "; give the sidecar another with --port");
                }
            }
        }
        for (Map<String, Object> v : Tree.maps(w.spec(), "volumes")) {
            if (SidecarContainer.STATE_VOLUME.equals(Tree.str(v, "name"))) {
                throw new InjectException(w, "a volume named " + SidecarContainer.STATE_VOLUME + " exists but no"
                        + " gracekeeper container: remove the volume, or add the container by hand");
            }
        }
    }
}
