package dev.gracekeeper.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The real gracekeeper jar as a child process, driven over real HTTP and real signals. */
final class Sidecar implements AutoCloseable {
    static final Duration START_BOUND = Duration.ofSeconds(20);

    final Process process;
    final int port;
    final Path logFile;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private Sidecar(Process process, int port, Path logFile) {
        this.process = process;
        this.port = port;
        this.logFile = logFile;
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("gracekeeper.jar", "target/gracekeeper.jar"));
        assertTrue(Files.isRegularFile(jar), "the runnable jar exists at " + jar + " (run mvn verify)");
        return jar;
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the jar and waits until {@code /healthz} answers 200. */
    static Sidecar start(Path stateDir, Map<String, String> env) {
        Sidecar s = launch(stateDir, env);
        s.awaitHealthy();
        return s;
    }

    /** Starts the jar without waiting; loopback-only unless the caller sets the bind address. */
    static Sidecar launch(Path stateDir, Map<String, String> env) {
        return launch(stateDir, env, javaJar());
    }

    /** {@code java -jar} the jar, with the JVM that runs the tests. */
    static List<String> javaJar() {
        return List.of(ProcessHandle.current().info().command().orElse("java"), "-jar", jar().toString());
    }

    /** Starts the sidecar by the given command (a launcher, or a wrapper around one) without waiting. */
    static Sidecar launch(Path stateDir, Map<String, String> env, List<String> command) {
        Map<String, String> full = new HashMap<>();
        full.put("GRACEKEEPER_BIND_ADDRESS", "127.0.0.1");
        full.put("GRACEKEEPER_PORT", Integer.toString(freePort()));
        full.put("GRACEKEEPER_STATE_DIR", stateDir.toString());
        full.putAll(env);
        try {
            Path log = Files.createTempFile("gracekeeper-it-", ".log");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("GRACEKEEPER_") || k.startsWith("POD_"));
            pb.environment().putAll(full);
            String port = full.get("GRACEKEEPER_PORT");
            return new Sidecar(pb.start(), port.matches("[0-9]+") ? Integer.parseInt(port) : -1, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void awaitHealthy() {
        poll(START_BOUND, "GET /healthz answers 200", () -> {
            if (!process.isAlive()) throw new AssertionError("sidecar exited with " + process.exitValue() + ":\n" + log());
            try {
                return get("/healthz").statusCode() == 200;
            } catch (RuntimeException e) {
                return false;
            }
        });
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET(), Map.of());
    }

    HttpResponse<String> get(String path, Map<String, String> headers) {
        return send(HttpRequest.newBuilder(uri(path)).GET(), headers);
    }

    HttpResponse<String> request(String method, String path) {
        return send(HttpRequest.newBuilder(uri(path)).method(method, HttpRequest.BodyPublishers.noBody()), Map.of());
    }

    CompletableFuture<HttpResponse<String>> getAsync(String path) {
        return http.sendAsync(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(HttpRequest.Builder b, Map<String, String> headers) {
        headers.forEach(b::header);
        try {
            return http.send(b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Sends SIGTERM (Process.destroy on Unix). */
    void sigterm() { process.destroy(); }

    void sigkill() { process.destroyForcibly(); }

    void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            assertTrue(kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + name + " worked");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    int awaitExit(Duration bound) {
        try {
            if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("sidecar still running after " + bound.toMillis() + " ms:\n" + log());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    String log() {
        try {
            return Files.readString(logFile);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    long logCount(String fragment) {
        return log().lines().filter(l -> l.contains(fragment)).count();
    }

    void awaitLog(String fragment, Duration bound) {
        poll(bound, "log line containing '" + fragment + "'", () -> log().contains(fragment));
    }

    /** Like {@link #poll(Duration, String, BooleanSupplier)}, with this sidecar's log in the failure. */
    void await(Duration bound, String what, BooleanSupplier condition) {
        try {
            poll(bound, what, condition);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; sidecar log:\n" + log(), e);
        }
    }

    /** Polls a condition until it holds or the bound passes; never a fixed sleep. */
    static void poll(Duration bound, String what, BooleanSupplier condition) {
        long end = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) throw new AssertionError("not within " + bound.toMillis() + " ms: " + what);
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
