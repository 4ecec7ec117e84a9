package dev.gracekeeper.e2e;

import dev.gracekeeper.e2e.PodSpec.ContainerSpec;
import dev.gracekeeper.e2e.PodSpec.HttpGet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The pods the scenarios and the benchmark run: an app, and gracekeeper beside it or not. */
final class Specs {
    static final int APP_PORT = 8080;
    static final int SIDECAR_PORT = 8686;
    /** The sidecar container's name, here and in every example manifest. */
    static final String SIDECAR = "gracekeeper";
    static final String TOKEN = "b7e2c4a9d1f08e3c5a6b7d9e";

    enum Sidecar { NONE, CLASSIC, NATIVE }

    enum App { TESTAPP_HTTP_DRAIN, NGINX_SIGNAL_DRAIN }

    /** How a pod is built; the defaults are a classic sidecar, HTTP drain, with the token. */
    static final class Options {
        Sidecar sidecar = Sidecar.CLASSIC;
        App app = App.TESTAPP_HTTP_DRAIN;
        boolean token = true;
        int graceSeconds = 10;
        Duration drainDelay = Duration.ofSeconds(2);
        Duration stopReserve = Duration.ofSeconds(2);
        Duration preStopSleep;                          // without a sidecar: the Kubernetes sleep action
        boolean appPostStart;                           // the app's postStart pointed at the sidecar
        Map<String, String> sidecarEnv = new HashMap<>();
        String appSigterm = "graceful";
        long appReadyAfterMs;                           // -1: never ready
        boolean image;                                  // the sidecar from the image, when podman is here
    }

    private Specs() {}

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    static Path jar() {
        return Path.of(System.getProperty("gracekeeper.jar", "target/gracekeeper.jar")).toAbsolutePath();
    }

    static PodSpec pod(String name, Path podDir, Options o) {
        List<ContainerSpec> containers = new ArrayList<>();
        boolean shared = o.app == App.NGINX_SIGNAL_DRAIN;             // the signal drain must see the app
        ContainerSpec app = ContainerSpec.app("app", appCommand(podDir, o));
        if (o.sidecar == Sidecar.NONE) {
            app = app.readinessProbe(HttpGet.of(o.app == App.NGINX_SIGNAL_DRAIN ? "/" : "/ready", APP_PORT));
            if (o.preStopSleep != null) app = app.preStop(new PodSpec.Sleep(o.preStopSleep));
            return new PodSpec(name, o.graceSeconds, shared, List.of(app));
        }
        HttpGet shutdown = HttpGet.of("/shutdown", SIDECAR_PORT);
        HttpGet poststart = HttpGet.of("/poststart", SIDECAR_PORT);
        if (o.token) {
            shutdown = shutdown.withHeader("X-Gracekeeper-Token", TOKEN);
            poststart = poststart.withHeader("X-Gracekeeper-Token", TOKEN);
        }
        app = app.readinessProbe(HttpGet.of("/readyz", SIDECAR_PORT)).preStop(shutdown);
        if (o.appPostStart) app = app.postStart(poststart);
        ContainerSpec sidecar = ContainerSpec.app(SIDECAR, sidecarCommand()).env(sidecarEnv(name, podDir, o));
        if (o.sidecar == Sidecar.NATIVE) {
            sidecar = sidecar.kind(PodSpec.Kind.NATIVE_SIDECAR).startupProbe(HttpGet.of("/healthz", SIDECAR_PORT));
        }
        Optional<String> image = o.image ? Images.gracekeeper() : Optional.empty();
        if (image.isPresent()) {
            // The examples' securityContext, one UID for both containers: the drain signal needs it.
            SecurityContext restricted = SecurityContext.restricted(Images.NONROOT);
            Path state = Path.of(sidecar.env().get("GRACEKEEPER_STATE_DIR"));
            sidecar = sidecar.image(new Image(image.get(), Map.of(state, state.toString()))).security(restricted);
            app = app.security(restricted);
        }
        containers.add(sidecar);                                       // a classic sidecar is listed first
        containers.add(app);
        return new PodSpec(name, o.graceSeconds, shared, containers);
    }

    static Map<String, String> sidecarEnv(String name, Path podDir, Options o) {
        Map<String, String> env = new HashMap<>();
        try {
            env.put("GRACEKEEPER_STATE_DIR", Files.createDirectories(podDir.resolve("state")).toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        env.put("GRACEKEEPER_GRACE_PERIOD", o.graceSeconds + "s");
        env.put("GRACEKEEPER_STOP_RESERVE", o.stopReserve.toMillis() + "ms");
        env.put("GRACEKEEPER_DRAIN_DELAY", o.drainDelay.toMillis() + "ms");
        env.put("GRACEKEEPER_APP_PORTS", Integer.toString(APP_PORT));
        if (o.token) env.put("GRACEKEEPER_HOOK_TOKEN", TOKEN);
        else env.put("GRACEKEEPER_HOOK_ALLOW_FROM", "10.215.0.0/16");   // the node's addresses
        if (o.app == App.NGINX_SIGNAL_DRAIN) {
            env.put("GRACEKEEPER_APP_DRAIN_SIGNAL", "SIGQUIT");
            env.put("GRACEKEEPER_APP_PROCESS", "nginx: master process");
        } else {
            env.put("GRACEKEEPER_APP_DRAIN_URL", "http://127.0.0.1:" + APP_PORT + "/drain");
            env.put("GRACEKEEPER_APP_READY_URL", "http://127.0.0.1:" + APP_PORT + "/ready");
        }
        env.put("POD_NAME", name);
        env.put("POD_NAMESPACE", "bed");
        env.put("POD_UID", "uid-" + name);
        env.putAll(o.sidecarEnv);
        return env;
    }

    /** The sidecar's container command: the real jar. */
    static List<String> sidecarCommand() {
        return List.of(java(), "-Xmx32m", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", "-jar",
                jar().toString());
    }

    /** The test server (slow requests, /ready, /drain, keep-alive) on all addresses. */
    static List<String> testApp(int port, long readyAfterMs, String sigterm) {
        return List.of(java(), "-Xmx32m", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), "dev.gracekeeper.it.TestApp", Integer.toString(port),
                Long.toString(readyAfterMs), "0", "0.0.0.0", sigterm);
    }

    private static List<String> appCommand(Path podDir, Options o) {
        if (o.app == App.TESTAPP_HTTP_DRAIN) return testApp(APP_PORT, o.appReadyAfterMs, o.appSigterm);
        return nginx(podDir, APP_PORT);
    }

    /** nginx as its master and one worker, answering "ok" on every path, with long keep-alive. */
    static List<String> nginx(Path podDir, int port) {
        try {
            Path dir = Files.createDirectories(podDir.resolve("nginx"));
            Path temp = Files.createDirectories(dir.resolve("temp"));
            String conf = "user root;\ndaemon off;\nmaster_process on;\nworker_processes 1;\n"
                    + "pid " + dir.resolve("nginx.pid") + ";\nerror_log " + dir.resolve("error.log") + " notice;\n"
                    + "events { worker_connections 512; }\n"
                    + "http {\n  access_log off;\n  keepalive_timeout 300s;\n  keepalive_requests 100000;\n"
                    + "  client_body_temp_path " + temp + "/body;\n  proxy_temp_path " + temp + "/proxy;\n"
                    + "  fastcgi_temp_path " + temp + "/fastcgi;\n  uwsgi_temp_path " + temp + "/uwsgi;\n"
                    + "  scgi_temp_path " + temp + "/scgi;\n"
                    + "  server {\n    listen " + port + ";\n    location / { return 200 \"ok\\n\"; }\n  }\n}\n";
            Path confFile = Files.writeString(dir.resolve("nginx.conf"), conf);
            return List.of(Bed.NGINX.toString(), "-c", confFile.toString(), "-p", dir.toString(), "-e",
                    dir.resolve("error.log").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
