import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Drain-complete detection, timed from one process so both ends use the same clock:
 *
 *   java DrainClock APP_PORT SIDECAR_PORT [CONNECTIONS] [SLOW_MS]
 *
 * Opens CONNECTIONS (3) keep-alive connections to the app and sends each a request that takes
 * SLOW_MS (400), +100 ms per connection, then calls the sidecar's /shutdown. Each client closes
 * its connection as soon as its response has arrived; the sidecar's idle wait must see the last
 * one go. Prints one number: milliseconds from the last close() to /shutdown's response read in
 * full. Exits 1 (with the reason on stderr) when the measurement is not valid: /shutdown answered
 * before the last connection closed, or its idle wait saw no connection. Every socket has a 10 s
 * timeout. Loopback only. Used by bench/footprint.sh with the test app (TestApp) as the app.
 */
public final class DrainClock {
    private static final int TIMEOUT_MS = 10_000;

    public static void main(String[] args) throws Exception {
        int appPort = Integer.parseInt(args[0]);
        int sidecarPort = Integer.parseInt(args[1]);
        int connections = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int slowMs = args.length > 3 ? Integer.parseInt(args[3]) : 400;
        InetAddress lo = InetAddress.getLoopbackAddress();

        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Socket s = new Socket(lo, appPort);
            s.setSoTimeout(TIMEOUT_MS);
            s.setTcpNoDelay(true);
            sockets.add(s);
        }
        List<CompletableFuture<Long>> closed = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Socket s = sockets.get(i);
            String path = "/slow?ms=" + (slowMs + 100 * i);
            closed.add(CompletableFuture.supplyAsync(() -> {
                try (s) {
                    String head = exchange(s, "GET " + path + " HTTP/1.1\r\nHost: app\r\n\r\n");
                    if (!head.startsWith("HTTP/1.1 200")) throw new IllegalStateException(path + ": " + head);
                } catch (IOException e) {
                    throw new IllegalStateException(path + ": " + e, e);
                }
                return System.nanoTime();                 // after close(): the connection is gone
            }));
        }

        String body;
        long answered;
        try (Socket s = new Socket(lo, sidecarPort)) {
            s.setSoTimeout(TIMEOUT_MS);
            String response = exchange(s, "GET /shutdown HTTP/1.1\r\nHost: sidecar\r\nConnection: close\r\n\r\n");
            answered = System.nanoTime();
            body = response.substring(response.indexOf("\r\n\r\n") + 4);
            if (!response.startsWith("HTTP/1.1 200")) fail("/shutdown answered " + response);
        }
        long lastClose = 0;
        for (CompletableFuture<Long> f : closed) lastClose = Math.max(lastClose, f.get(TIMEOUT_MS, TimeUnit.MILLISECONDS));
        if (answered < lastClose) fail("/shutdown answered before the last connection closed: " + body);
        if (!body.contains("\"connections_at_drain_start\":") || body.contains("\"connections_at_drain_start\":0")) {
            fail("the idle wait saw no connection, so nothing was timed: " + body);
        }
        System.out.printf(java.util.Locale.ROOT, "%.2f%n", (answered - lastClose) / 1e6);
    }

    /** Sends a request, reads the response head and its Content-Length body; returns both. */
    private static String exchange(Socket s, String request) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) throw new IOException("closed before a full response head: " + head);
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
        }
        String h = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        for (String line : h.split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) length = Integer.parseInt(line.substring(15).trim());
        }
        return h + new String(in.readNBytes(length), StandardCharsets.US_ASCII);
    }

    private static void fail(String why) {
        System.err.println("DrainClock: " + why);
        System.exit(1);
    }
}
