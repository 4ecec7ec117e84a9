package dev.gracekeeper.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The same rolling termination under load, three ways, in one run: (a) no coordination (the app
 * gets SIGTERM at once and drains), (b) a preStop {@code sleep} long enough to be safe, (c)
 * gracekeeper. Prints a table and writes an SVG timeline of one gracekeeper run. Run through
 * {@code bench/rolling-termination.sh}.
 *
 * <p>Traffic: kube-proxy-like L4 balancing over 2 replicas, endpoint lag uniform in [LAG_MIN,
 * LAG_MAX], wrk with 16 keep-alive connections, each request taking 50 ms to MAX_REQUEST.
 */
public final class RollingBench {
    static final Duration LAG_MIN = Duration.ofMillis(500);
    static final Duration LAG_MAX = Duration.ofMillis(2500);
    static final int MAX_REQUEST_MS = 2000;
    static final String LUA = "math.randomseed(os.time())\nrequest = function()\n"
            + "  return wrk.format(\"GET\", \"/slow?ms=\" .. math.random(50, " + MAX_REQUEST_MS + "))\nend\n";

    record Row(String way, long requests, long failed, double p99ms, long terminationMs) {}

    public static void main(String[] args) throws Exception {
        List<String> missing = Bed.missing();
        if (!missing.isEmpty()) {
            System.err.println("rolling-termination bench needs the pod bed: " + missing);
            System.exit(2);
        }
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        Path out = Path.of(args.length > 1 ? args[1] : "target/bench");
        Files.createDirectories(out);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            rows.add(run("a) no coordination", out, noCoordination(), null));
            rows.add(run("b) preStop sleep " + (LAG_MAX.toMillis() + MAX_REQUEST_MS) + " ms", out, sleep(), null));
            rows.add(run("c) gracekeeper", out, gracekeeper(), i == 0 ? out.resolve("timeline.svg") : null));
        }
        long physical = LAG_MAX.toMillis() + MAX_REQUEST_MS;
        System.out.printf(Locale.ROOT, "%nrolling termination of 1 of 2 pods under keep-alive load; endpoint lag %d-%d ms,"
                + " requests 50-%d ms; physical limit (max lag + longest request) %d ms%n", LAG_MIN.toMillis(),
                LAG_MAX.toMillis(), MAX_REQUEST_MS, physical);
        System.out.printf("| way | requests | failed | p99 ms | termination ms | termination / limit |%n");
        System.out.printf("|---|---:|---:|---:|---:|---:|%n");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "| %s | %d | %d | %.0f | %d | %.2f |%n", r.way(), r.requests(), r.failed(),
                    r.p99ms(), r.terminationMs(), r.terminationMs() / (double) physical);
        }
    }

    static Specs.Options noCoordination() {
        Specs.Options o = new Specs.Options();
        o.sidecar = Specs.Sidecar.NONE;
        o.graceSeconds = 30;
        return o;
    }

    static Specs.Options sleep() {
        Specs.Options o = noCoordination();
        o.preStopSleep = LAG_MAX.plusMillis(MAX_REQUEST_MS);
        return o;
    }

    static Specs.Options gracekeeper() {
        Specs.Options o = new Specs.Options();
        o.graceSeconds = 30;
        o.stopReserve = Duration.ofSeconds(5);
        o.drainDelay = LAG_MAX;
        return o;
    }

    static Row run(String way, Path out, Specs.Options o, Path svg) throws IOException {
        Path dir = Files.createTempDirectory("gk-bench-");
        try (Replicas r = new Replicas(dir, 2, o, Lb.Mode.KUBE_PROXY, LAG_MIN, LAG_MAX).startAll()) {
            Wrk wrk = Wrk.start(dir, r.url("/"), 16, 14, LUA);
            Bed.sleep(3000);
            Sampler sampler = svg == null ? null : Sampler.start(r);
            long start = System.nanoTime();
            r.kubelets.get(0).delete();
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (sampler != null) sampler.stop();
            Wrk.Result load = wrk.await();
            System.out.printf("%s: %s; pod gone in %d ms%n", way, load, ms);
            if (svg != null) {
                Files.writeString(svg, TimelineSvg.render(r.timeline, sampler.samples(), "gracekeeper: deleting one of"
                        + " two pods under load (drain delay " + o.drainDelay.toMillis() + " ms)"));
                Files.writeString(out.resolve("timeline.txt"), r.timeline.toString());
                System.out.println("timeline: " + svg);
            }
            return new Row(way, load.requests(), load.failed(), load.p99ms(), ms);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Samples the app's established connections and the sidecar's phase every 20 ms. */
    static final class Sampler {
        record Sample(long ms, int connections, String phase) {}

        private final List<Sample> samples = new ArrayList<>();
        private volatile boolean stop;
        private Thread thread;

        static Sampler start(Replicas r) {
            Sampler s = new Sampler();
            Kubelet k = r.kubelets.get(0);
            long appPid = k.container("app").pid;
            s.thread = new Thread(() -> {
                String last = "";
                while (!s.stop) {
                    int conns = established(appPid);
                    Kubelet.HookResult st = k.hook(PodSpec.HttpGet.of("/status", Specs.SIDECAR_PORT), Duration.ofMillis(200));
                    String phase = st.ok() ? phaseAndStep(st.body()) : "gone";
                    if (!phase.equals(last)) r.timeline.add("phase", phase);
                    last = phase;
                    synchronized (s.samples) {
                        s.samples.add(new Sample(r.timeline.now(), conns, phase));
                    }
                    Bed.sleep(20);
                }
            }, "sampler");
            s.thread.setDaemon(true);
            s.thread.start();
            return s;
        }

        void stop() throws IOException {
            stop = true;
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        List<Sample> samples() {
            synchronized (samples) {
                return List.copyOf(samples);
            }
        }

        /** "draining: idle-wait" from the sidecar's /status, or just the phase between steps. */
        static String phaseAndStep(String status) {
            java.util.regex.Matcher phase = java.util.regex.Pattern.compile("\"phase\":\"([a-z-]+)\"").matcher(status);
            java.util.regex.Matcher step = java.util.regex.Pattern.compile("\"step\":\\{\"name\":\"([a-z-]+)\"")
                    .matcher(status);
            String p = phase.find() ? phase.group(1) : "?";
            return step.find() ? p + ": " + step.group(1) : p;
        }

        /** ESTABLISHED server-side connections on the app port, read from the app's own netns. */
        static int established(long pid) {
            int n = 0;
            for (String f : List.of("tcp", "tcp6")) {
                try {
                    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/net/" + f))) {
                        String[] c = line.trim().split("\\s+");
                        if (c.length > 3 && c[1].endsWith(String.format(":%04X", Specs.APP_PORT)) && c[3].equals("01")) n++;
                    }
                } catch (IOException e) {
                    return 0;
                }
            }
            return n;
        }
    }
}
