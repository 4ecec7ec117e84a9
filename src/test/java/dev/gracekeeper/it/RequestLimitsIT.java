package dev.gracekeeper.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A slow or huge request must not pin the server. */
class RequestLimitsIT {
    @TempDir Path state;

    @Test
    void requestThatNeverFinishesArrivingIsCutOffWhileOthersAreServed() throws Exception {
        try (Sidecar s = Sidecar.start(state, Map.of());
             Socket slow = new Socket(InetAddress.getLoopbackAddress(), s.port)) {
            slow.setSoTimeout(15_000);
            OutputStream out = slow.getOutputStream();
            out.write("GET /shutdown HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long start = System.nanoTime();
            assertEquals(200, s.get("/healthz").statusCode(), "a stalled request does not block others");
            InputStream in = slow.getInputStream();
            int read;
            do {
                read = in.read();
            } while (read >= 0);
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.println("stalled request cut off after " + ms + " ms");
            assertTrue(ms >= 4000 && ms < 12000, "cut off by the 5 s parse timeout: " + ms + " ms");
            assertEquals(200, s.get("/readyz").statusCode(), "the stalled /shutdown had no effect");
        }
    }

    @Test
    void oversizedHeadersAreRefusedAndTheServerCarriesOn() throws Exception {
        try (Sidecar s = Sidecar.start(state, Map.of());
             Socket big = new Socket(InetAddress.getLoopbackAddress(), s.port)) {
            big.setSoTimeout(10_000);
            OutputStream out = big.getOutputStream();
            out.write(("GET /shutdown HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(64 * 1024) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = new String(big.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 4"), "refused: " + answer);
            assertEquals(200, s.get("/readyz").statusCode(), "the oversized /shutdown had no effect");
        } catch (java.net.SocketException reset) {
            // The server may reset the connection while the client is still writing: also a refusal.
            System.out.println("oversized request refused with " + reset);
        }
    }
}
