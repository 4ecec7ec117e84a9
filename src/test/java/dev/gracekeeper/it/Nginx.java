package dev.gracekeeper.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A real nginx from Debian in the foreground, proxying to {@link TestApp}. */
final class Nginx implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/sbin/nginx");

    final Process process;
    final int port;
    final Path dir;

    private Nginx(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    static boolean installed() { return Files.isExecutable(BINARY); }

    static Nginx start(Path dir, int port, int upstreamPort) {
        try {
            Path temp = Files.createDirectories(dir.resolve("temp"));
            boolean root = "root".equals(System.getProperty("user.name"));
            String conf = (root ? "user root;\n" : "") + "daemon off;\nmaster_process on;\nworker_processes 1;\n"
                    + "pid " + dir.resolve("nginx.pid") + ";\nerror_log " + dir.resolve("error.log") + " info;\n"
                    + "events { worker_connections 128; }\n"
                    + "http {\n  access_log off;\n  keepalive_timeout 300s;\n"
                    + "  client_body_temp_path " + temp + "/body;\n  proxy_temp_path " + temp + "/proxy;\n"
                    + "  fastcgi_temp_path " + temp + "/fastcgi;\n  uwsgi_temp_path " + temp + "/uwsgi;\n"
                    + "  scgi_temp_path " + temp + "/scgi;\n"
                    + "  server {\n    listen 127.0.0.1:" + port + ";\n"
                    + "    location = /ping { return 200 \"pong\\n\"; }\n"
                    + "    location / { proxy_pass http://127.0.0.1:" + upstreamPort + "; proxy_read_timeout 60s; }\n"
                    + "  }\n}\n";
            Path confFile = Files.writeString(dir.resolve("nginx.conf"), conf);
            Process p = new ProcessBuilder(BINARY.toString(), "-c", confFile.toString(), "-p", dir.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
            Nginx n = new Nginx(p, port, dir);
            Sidecar.poll(Duration.ofSeconds(10), "nginx listens on " + port, () -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    return s.isConnected();
                } catch (IOException e) {
                    return false;
                }
            });
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path conf() { return dir.resolve("nginx.conf"); }

    String errorLog() {
        try {
            return Files.readString(dir.resolve("error.log"));
        } catch (IOException e) {
            return "(no error log: " + e + ")";
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
        // Workers of a SIGKILLed master would linger: end them by the pidfile's process group.
        try {
            new ProcessBuilder("pkill", "-KILL", "-f", conf().toString()).start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            // pkill missing: nothing more to do
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
