package dev.gracekeeper.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** {@link TestApp} as a child process, and raw keep-alive clients of it. */
final class App implements AutoCloseable {
    final Process process;
    final int port;
    final Path log;

    private App(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    static App start(int port, long readyAfterMs, long listenAfterMs, boolean waitListening) {
        try {
            Path log = Files.createTempFile("testapp-", ".log");
            String java = ProcessHandle.current().info().command().orElse("java");
            Process p = new ProcessBuilder(java, "-Xmx32m", "-XX:TieredStopAtLevel=1", "-cp",
                    System.getProperty("java.class.path"), TestApp.class.getName(), Integer.toString(port),
                    Long.toString(readyAfterMs), Long.toString(listenAfterMs))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            App app = new App(p, port, log);
            if (waitListening) {
                Sidecar.poll(Duration.ofSeconds(15), "test app listens on " + port, () -> {
                    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                        return s.isConnected();
                    } catch (IOException e) {
                        return false;
                    }
                });
            }
            return app;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A keep-alive client connection that has completed one request and stays open. */
    Socket idleKeepAlive() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(30_000);
        request(s, "/ping");
        return s;
    }

    /** Sends one request and reads its response head and body; returns the status line. */
    static String request(Socket s, String path) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: app\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("connection closed before a response; got: " + head);
            head.append((char) b);
        }
        int len = Integer.parseInt(head.toString().replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
        in.readNBytes(len);
        return head.substring(0, head.indexOf("\r\n"));
    }

    /** True once the server has closed the connection (a read returns end of stream). */
    static boolean closedByServer(Socket s) throws IOException {
        return s.getInputStream().read() < 0;
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
