package dev.gracekeeper.it;

import static dev.gracekeeper.it.HookIT.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GRACEKEEPER_PROPAGATION=endpoints against an API server stand-in over TLS: the real jar, the
 * real client, the real protocol. The wait ends when the pod's slice drops it, plus the margin;
 * every fault falls back to the fixed delay (the cap) or recovers, as the README promises.
 */
class EndpointsPropagationIT {
    static final String UID = "6c1f0e55-0b5c-4bd1-9d8e-1f2a3b4c5d6e";
    static final long CAP_MS = 4000;
    static final long MARGIN_MS = 300;
    /** How late a bounded wait may end on a loaded 2-core machine (a starved JVM notices late). */
    static final long SLACK_MS = 1500;
    static final String SLICE = "web-x7k2p";
    /** Where the wait must recover from a fault, a cap far enough not to end it on a loaded machine. */
    static final long RECOVERY_CAP_MS = 10_000;

    @TempDir Path dir;
    ApiServer api;

    @BeforeEach
    void apiServer() {
        api = ApiServer.start("127.0.0.1", dir);
        api.bookmarkEvery(200);
        api.slices().put("web", SLICE, List.of(new SliceStore.Endpoint("web-0", UID, "10.1.0.7", true),
                new SliceStore.Endpoint("web-1", "other-uid", "10.1.0.8", true)));
        api.slices().put("other", "other-abcde", List.of(new SliceStore.Endpoint("x-0", "x-uid", "10.1.0.9", true)));
    }

    @AfterEach
    void stop() {
        api.close();
    }

    Sidecar sidecar() throws Exception {
        return sidecar(CAP_MS);
    }

    Sidecar sidecar(long capMs) throws Exception {
        Map<String, String> env = new HashMap<>(api.sidecarEnv(UID));
        env.put("GRACEKEEPER_DRAIN_DELAY", capMs + "ms");
        env.put("GRACEKEEPER_PROPAGATION_MARGIN", MARGIN_MS + "ms");
        env.put("POD_NAMESPACE", ApiServer.NAMESPACE);
        return Sidecar.start(Files.createDirectories(dir.resolve("state")), env);
    }

    /** Starts a shutdown and waits until the sidecar's watch is open. */
    static CompletableFuture<HttpResponse<String>> shutdownAndAwaitWatch(Sidecar s, ApiServer api, int watches) {
        long t0 = System.nanoTime();
        CompletableFuture<HttpResponse<String>> r = s.getAsync("/shutdown");
        s.await(Duration.ofSeconds(3), watches + " watch(es) requested", () -> watches(api) >= watches);
        System.out.println("watch " + watches + " open " + (System.nanoTime() - t0) / 1_000_000 + " ms after the trigger");
        return r;
    }

    static long watches(ApiServer api) {
        return api.requests().stream().filter(q -> q.contains("watch=true")).count();
    }

    static long lists(ApiServer api) {
        return api.requests().stream().filter(q -> !q.contains("watch=true")).count();
    }

    /** Whether a watch was requested after the {@code n}-th LIST. */
    static boolean watchAfterList(ApiServer api, int n) {
        List<String> q = api.requests();
        int seen = 0;
        for (String r : q) {
            if (!r.contains("watch=true")) seen++;
            else if (seen >= n) return true;
        }
        return false;
    }

    static long ms(HttpResponse<String> r) {
        return Long.parseLong(field(r.body(), "duration_ms"));
    }

    /** A namespace of many Services: the LIST comes in pages, and the pod's slice on the last one still counts. */
    @Test
    void aLargeNamespaceIsListedPageByPage() throws Exception {
        api.slices().delete(SLICE);
        for (int i = 0; i < 1100; i++) {
            api.slices().put("svc" + i, "svc" + i + "-abcde", List.of(new SliceStore.Endpoint("p-" + i, "uid-" + i,
                    "10.2." + (i / 250) + "." + (i % 250), true)));
        }
        api.slices().put("web", SLICE, List.of(new SliceStore.Endpoint("web-0", UID, "10.1.0.7", true)));
        try (Sidecar s = sidecar(RECOVERY_CAP_MS)) {
            CompletableFuture<HttpResponse<String>> f = shutdownAndAwaitWatch(s, api, 1);
            api.slices().setReady(SLICE, UID, false);
            HttpResponse<String> r = f.join();
            assertEquals(3, lists(api), "1102 slices in pages of 500: " + api.requests());
            assertTrue(r.body().contains("propagation-delay: endpoints: EndpointSlices of [web]"), r.body() + s.log());
        }
    }

    @Test
    void theWaitEndsWhenTheSliceMarksThePodNotReadyPlusTheMargin() throws Exception {
        try (Sidecar s = sidecar(RECOVERY_CAP_MS)) {
            assertTrue(api.requests().isEmpty(), "no API traffic while serving: " + api.requests());
            long t0 = System.nanoTime();
            CompletableFuture<HttpResponse<String>> f = shutdownAndAwaitWatch(s, api, 1);
            Thread.sleep(500);                               // the control plane's lag, after the watch is open
            api.slices().setReady(SLICE, UID, false);
            long lag = (System.nanoTime() - t0) / 1_000_000;
            HttpResponse<String> r = f.join();
            long ms = ms(r);
            System.out.println("endpoints: slice changed " + lag + " ms after T0, shutdown took " + ms + " ms: "
                    + r.body() + "\n" + s.log());
            assertTrue(ms >= lag - 300 + MARGIN_MS && ms < lag + MARGIN_MS + SLACK_MS, "lag + margin, not the cap: "
                    + ms);
            assertTrue(r.body().contains("propagation-delay: endpoints: EndpointSlices of [web]"), r.body());
            List<String> q = api.requests();
            assertEquals(2, q.size(), "one LIST, one WATCH: " + q);
            assertEquals("GET " + ApiServer.BASE + "?limit=500", q.get(0));
            assertTrue(q.get(1).contains("watch=true") && q.get(1).contains("allowWatchBookmarks=true")
                    && q.get(1).contains("resourceVersion=1002")
                    && q.get(1).contains("labelSelector=kubernetes.io/service-name in (web)"), q.get(1));
            String status = s.get("/status").body();
            assertTrue(status.contains("\"propagation\":{\"configured\":\"endpoints\",\"used\":\"endpoints\""), status);
            long observed = Long.parseLong(field(status, "observed_ms"));
            assertTrue(observed >= lag - 300 && observed < lag + 300, "observed " + observed + " ms: " + status);
            String metrics = s.get("/metrics").body();
            assertTrue(metrics.contains("gracekeeper_propagation_observed_seconds " + String.format(
                    java.util.Locale.ROOT, "%.3f", observed / 1000.0)), metrics);
            assertEquals(0, s.logCount("falling back"), s.log());
        }
    }

    @Test
    void aPodInNoServiceWaitsOnlyTheMargin() throws Exception {
        api.slices().delete(SLICE);
        try (Sidecar s = sidecar()) {
            HttpResponse<String> r = s.get("/shutdown");
            long ms = ms(r);
            System.out.println("no Service: shutdown took " + ms + " ms");
            // The margin after one LIST: well below the cap, however slow the machine makes that LIST.
            assertTrue(ms >= MARGIN_MS && ms < CAP_MS / 2, "only the margin: " + ms + " " + r.body());
            assertTrue(r.body().contains("the pod is in no Service"), r.body());
            assertEquals(1, api.requests().size(), "one LIST, no WATCH: " + api.requests());
        }
    }

    @Test
    void apiServerDownFallsBackToTheDelayWithOneLineSayingSo() throws Exception {
        try (Sidecar s = sidecar()) {
            api.close();
            fellBackToTheDelay("API down", s);
            assertTrue(s.log().contains("is unreachable") && s.log().contains("fix: allow egress"), s.log());
            assertTrue(s.get("/status").body().contains("\"used\":\"delay\""), s.get("/status").body());
            assertTrue(s.get("/metrics").body().contains("gracekeeper_propagation_observed_seconds NaN"));
        }
    }

    @Test
    void rbacDeniedFallsBackAndNamesTheRoleToAdd() throws Exception {
        api.forbid(true);
        try (Sidecar s = sidecar()) {
            HttpResponse<String> r = fellBackToTheDelay("403", s);
            assertTrue(s.log().contains("403 Forbidden") && s.log().contains("resources: [endpointslices], verbs:"
                    + " [get, list, watch]"), s.log());
            assertEquals(1, api.requests().size(), "403 is not retried: " + api.requests());
            assertTrue(r.body().contains("fell back to the fixed delay"), r.body());
        }
    }

    @Test
    void aWatchCutMidWaitReconnectsFromTheLastResourceVersion() throws Exception {
        try (Sidecar s = sidecar(RECOVERY_CAP_MS)) {
            CompletableFuture<HttpResponse<String>> f = shutdownAndAwaitWatch(s, api, 1);
            api.slices().put("other", "other-abcde", List.of());         // not watched: seen only in a bookmark
            long rv = api.slices().resourceVersion();
            s.await(Duration.ofSeconds(2), "a bookmark at " + rv + " sent", () -> api.lastBookmark() >= rv);
            api.slices().cutWatches();
            shutdownAndAwaitWatchAgain(s, 2);
            api.slices().setReady(SLICE, UID, false);
            HttpResponse<String> r = f.join();
            System.out.println("watch cut: shutdown took " + ms(r) + " ms; requests " + api.requests());
            assertTrue(ms(r) < RECOVERY_CAP_MS && r.body().contains("no longer list the pod ready"),
                    "ended by the slice, not the cap: " + r.body());
            assertEquals(1, lists(api), "a reconnect, not a new LIST: " + api.requests());
            assertTrue(api.requests().get(2).contains("resourceVersion=" + rv), "from the bookmark's resourceVersion: "
                    + api.requests());
            assertTrue(s.log().contains("the watch ended; reconnecting"), s.log());
        }
    }

    @Test
    void gone410IsAnsweredByAFreshList() throws Exception {
        // A bookmark between the compaction and the cut would move the client past it: no 410 then.
        api.bookmarkEvery(60_000);
        try (Sidecar s = sidecar(RECOVERY_CAP_MS)) {
            CompletableFuture<HttpResponse<String>> f = shutdownAndAwaitWatch(s, api, 1);
            api.slices().put("other", "other-abcde", List.of());          // history the client has not seen
            api.slices().compact();
            api.slices().cutWatches();
            // Watches are counted when requested: the compaction can reach the first watch before the
            // server has registered it, and then that watch is the one answered 410. Either way: a
            // second LIST, then a watch from it.
            s.await(Duration.ofSeconds(3), "a second LIST after 410, then a watch", () -> watchAfterList(api, 2));
            api.slices().setReady(SLICE, UID, false);
            HttpResponse<String> r = f.join();
            System.out.println("410: shutdown took " + ms(r) + " ms; requests " + api.requests());
            assertTrue(ms(r) < RECOVERY_CAP_MS && r.body().contains("no longer list the pod ready"),
                    "ended by the slice, not the cap: " + r.body());
            assertTrue(s.log().contains("410 Gone") && s.log().contains("listing afresh"), s.log());
            assertEquals(0, s.logCount("falling back"), s.log());
        }
    }

    @Test
    void aTokenRotatedMidWaitIsReadAgainFromItsFile() throws Exception {
        try (Sidecar s = sidecar(RECOVERY_CAP_MS)) {
            CompletableFuture<HttpResponse<String>> f = shutdownAndAwaitWatch(s, api, 1);
            api.rotateToken();
            api.slices().cutWatches();
            shutdownAndAwaitWatchAgain(s, 2);
            api.slices().setReady(SLICE, UID, false);
            HttpResponse<String> r = f.join();
            System.out.println("token rotated: shutdown took " + ms(r) + " ms; requests " + api.requests());
            assertTrue(ms(r) < RECOVERY_CAP_MS && r.body().contains("no longer list the pod ready"),
                    "ended by the slice, not the cap: " + r.body());
            assertEquals(0, s.logCount("falling back"), s.log());
            assertTrue(r.body().contains("propagation-delay: endpoints:"), r.body());
        }
    }

    @Test
    void aSliceThatNeverDropsThePodEndsTheWaitAtTheCap() throws Exception {
        try (Sidecar s = sidecar()) {
            HttpResponse<String> r = s.get("/shutdown");
            long ms = ms(r);
            System.out.println("never dropped: shutdown took " + ms + " ms: " + r.body());
            assertTrue(ms >= CAP_MS && ms < CAP_MS + SLACK_MS, "the cap: " + ms);
            assertTrue(r.body().contains("endpoints: cap of 4000 ms from T0 reached, still listed ready in ["
                    + SLICE + "]"), r.body());
            assertEquals(1, s.logCount("still in rotation at the cap"), s.log());
            assertEquals(0, s.logCount("falling back"), s.log());
            assertTrue(s.get("/status").body().contains("\"used\":\"endpoints\",\"detail\":\"cap reached"));
        }
    }

    @Test
    void aTokenRefusedTwiceFallsBackAndSaysSo() throws Exception {
        Files.writeString(api.serviceAccount.resolve("token"), "a-token-the-server-never-issued");
        try (Sidecar s = sidecar()) {
            fellBackToTheDelay("401", s);
            assertTrue(s.log().contains("401 Unauthorized") && s.log().contains("fix: the API server refused the"
                    + " service account token"), s.log());
            assertEquals(2, api.requests().size(), "one retry with the file read again, then the fallback: "
                    + api.requests());
        }
    }

    @Test
    void anApiServerThatNeverAnswersFallsBackAtTheCap() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            Map<String, String> env = new HashMap<>(api.sidecarEnv(UID));
            env.put("KUBERNETES_SERVICE_PORT", Integer.toString(silent.getLocalPort()));   // accepts, never speaks
            env.put("GRACEKEEPER_DRAIN_DELAY", CAP_MS + "ms");
            env.put("POD_NAMESPACE", ApiServer.NAMESPACE);
            try (Sidecar s = Sidecar.start(Files.createDirectories(dir.resolve("state")), env)) {
                fellBackToTheDelay("timeout", s);
                assertTrue(s.log().contains("no answer from https://127.0.0.1:" + silent.getLocalPort()), s.log());
            }
        }
    }

    @Test
    void aCertificateNotFromTheCaBundleIsRefused() throws Exception {
        try (ApiServer other = ApiServer.start("127.0.0.1", Files.createDirectories(dir.resolve("other")))) {
            Files.copy(other.serviceAccount.resolve("ca.crt"), api.serviceAccount.resolve("ca.crt"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        try (Sidecar s = sidecar()) {
            HttpResponse<String> r = s.get("/shutdown");
            assertTrue(ms(r) >= CAP_MS, r.body());
            assertTrue(s.log().contains("TLS to https://127.0.0.1:") && s.log().contains("fix: ca.crt must be"),
                    s.log());
            assertTrue(api.requests().isEmpty(), "no request got through: " + api.requests());
        }
    }

    /** Runs a shutdown that must take the fixed delay and log exactly one line about falling back. */
    static HttpResponse<String> fellBackToTheDelay(String fault, Sidecar s) {
        HttpResponse<String> r = s.get("/shutdown");
        long ms = ms(r);
        System.out.println(fault + ": shutdown took " + ms + " ms; " + s.log().lines()
                .filter(l -> l.contains("falling back")).findFirst().orElse("(no fallback line)"));
        assertTrue(ms >= CAP_MS && ms < CAP_MS + SLACK_MS, "the fixed delay: " + ms);
        assertEquals(1, s.logCount("falling back to the fixed delay"), s.log());
        return r;
    }

    private void shutdownAndAwaitWatchAgain(Sidecar s, int watches) {
        s.await(Duration.ofSeconds(3), watches + " watches requested", () -> watches(api) >= watches);
    }
}
