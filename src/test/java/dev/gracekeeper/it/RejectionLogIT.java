package dev.gracekeeper.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Any pod can send rejected hook calls by the thousand; the log must not grow with them. */
class RejectionLogIT {
    static final String TOKEN = "3f1c9a7e0b2d4e6f8a1b3c5d";
    static final int CALLS = 3000;
    /** Not 127.0.0.1, which needs no token; still loopback, so no namespace is needed. */
    static final String SOURCE = "127.0.0.2";
    @TempDir Path state;

    @Test
    void rejectedCallsAreLoggedOncePerSourceAndIntervalAndCountedEveryOne() throws Exception {
        try (Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_HOOK_TOKEN", TOKEN))) {
            long start = System.nanoTime();
            try (Socket c = new Socket()) {
                c.bind(new InetSocketAddress(InetAddress.getByName(SOURCE), 0));
                c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), s.port), 2000);
                c.setSoTimeout(5000);
                OutputStream out = c.getOutputStream();
                InputStream in = new BufferedInputStream(c.getInputStream());
                byte[] request = "GET /shutdown HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < CALLS; i++) {
                    out.write(request);
                    out.flush();
                    assertEquals(401, readResponse(in), "call " + i);
                }
            }
            System.out.printf("%d rejected calls in %d ms, log %d bytes%n", CALLS, (System.nanoTime() - start) / 1_000_000,
                    Files.size(s.logFile));
            String metrics = s.get("/metrics").body();
            assertTrue(metrics.contains("gracekeeper_hook_rejected_total{reason=\"no_token\"} " + CALLS + "\n"), metrics);
            assertEquals(1, s.logCount("/shutdown from " + SOURCE + " rejected (401)"), s.log());
            s.awaitLog("hook calls rejected: " + (CALLS - 1) + " more from " + SOURCE + " in the last 1", Duration.ofSeconds(15));
            assertEquals(200, s.get("/readyz").statusCode(), "no rejected call started a shutdown");
            assertTrue(Files.size(s.logFile) < 16 * 1024, "the log stays small: " + Files.size(s.logFile) + " bytes");
        }
    }

    /** Reads one response with a Content-Length body; returns its status code. */
    static int readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("connection closed after: " + head);
            head.append((char) b);
        }
        String h = head.toString();
        int length = 0;
        for (String line : h.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) length = Integer.parseInt(line.substring(15).trim());
        }
        in.readNBytes(length);
        return Integer.parseInt(h.substring(9, 12));
    }
}
