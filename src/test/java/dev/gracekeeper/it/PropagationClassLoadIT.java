package dev.gracekeeper.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The endpoint-aware wait costs nothing unless it is configured: in delay mode not one class of
 * the API client, of OkHttp or of the JSON reader is loaded, through a whole shutdown. And what it
 * costs when configured, in classes and resident memory, measured side by side.
 */
class PropagationClassLoadIT {
    static final List<String> CLIENT = List.of("okhttp3.", "okio.", "kotlin.", "dev.gracekeeper.kube.",
            "dev.gracekeeper.drain.EndpointsWait");

    @TempDir Path dir;

    record Run(List<String> loaded, long rssKb) {}

    Run run(String name, Map<String, String> extra) throws Exception {
        Path log = dir.resolve(name + "-classes.log");
        Path state = Files.createDirectories(dir.resolve(name + "-state"));
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xlog:class+load=info:file=" + log, "-jar", Sidecar.jar().toString()));
        Map<String, String> env = new HashMap<>(Map.of("GRACEKEEPER_DRAIN_DELAY", "1s",
                "GRACEKEEPER_PROPAGATION_MARGIN", "100ms"));
        env.putAll(extra);
        try (Sidecar s = Sidecar.launch(state, env, cmd)) {
            s.awaitHealthy();
            assertEquals(200, s.get("/shutdown").statusCode());
            long rss = rssKb(s.process.pid());
            s.sigterm();
            assertEquals(0, s.awaitExit(java.time.Duration.ofSeconds(10)), s.log());
            // AppProbe's anonymous okhttp3.Callback makes the verifier load that one interface at
            // startup, in every mode; it is the app probe's, not this client's, and costs nothing.
            List<String> loaded = Files.readAllLines(log).stream()
                    .filter(l -> CLIENT.stream().anyMatch(l::contains) && !l.contains(" okhttp3.Callback ")).toList();
            return new Run(loaded, rss);
        }
    }

    static long rssKb(long pid) throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
        return -1;
    }

    @Test
    void delayModeLoadsNoClassOfTheApiClientAndEndpointsModeLoadsThem() throws Exception {
        try (ApiServer api = ApiServer.start("127.0.0.1", dir)) {
            Map<String, String> endpoints = new HashMap<>(api.sidecarEnv("uid-1"));
            List<Long> delayRss = new ArrayList<>();
            List<Long> endpointsRss = new ArrayList<>();
            Run d = null;
            Run e = null;
            for (int i = 0; i < 3; i++) {                       // interleaved: the machine is shared
                d = run("delay" + i, Map.of());
                e = run("endpoints" + i, endpoints);
                delayRss.add(d.rssKb());
                endpointsRss.add(e.rssKb());
            }
            assertEquals(List.of(), d.loaded(), "delay mode loads none of " + CLIENT);
            assertTrue(e.loaded().stream().anyMatch(l -> l.contains("dev.gracekeeper.kube.KubeApi "))
                    && e.loaded().stream().anyMatch(l -> l.contains("okhttp3.OkHttpClient ")), "the proof can fail: "
                    + "endpoints mode loads the client (" + e.loaded().size() + " classes)");
            System.out.printf("propagation footprint after one shutdown: delay mode 0 client classes, RSS %s KiB;"
                    + " endpoints mode %d client classes, RSS %s KiB%n", delayRss, e.loaded().size(), endpointsRss);
        }
    }
}
