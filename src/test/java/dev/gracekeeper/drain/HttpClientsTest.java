package dev.gracekeeper.drain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class HttpClientsTest {
    @Test
    void anAsyncCallerDoesNotWaitForTheBuildAndIsBoundedByIt() {
        CompletableFuture<OkHttpClient> build = new CompletableFuture<>();
        HttpClients clients = new HttpClients(build);
        CompletableFuture<OkHttpClient> pending = clients.boundedAsync(Duration.ofMillis(200));
        assertFalse(pending.isDone(), "returned at once while the client is still being built");
        ExecutionException e = assertThrows(ExecutionException.class, () -> pending.get(5, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, e.getCause(), "a build that takes the whole bound times the caller out");
        assertFalse(build.isDone(), "the caller's timeout does not touch the shared build");
    }

    @Test
    void theCallGetsWhatIsLeftOfTheBound() throws Exception {
        CompletableFuture<OkHttpClient> build = new CompletableFuture<>();
        HttpClients clients = new HttpClients(build);
        CompletableFuture<OkHttpClient> pending = clients.boundedAsync(Duration.ofSeconds(2));
        // The build finishes 300 ms after the caller asked.
        build.completeAsync(OkHttpClient::new, CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS));
        OkHttpClient c = pending.get(5, TimeUnit.SECONDS);
        assertTrue(c.callTimeoutMillis() <= 1700 && c.callTimeoutMillis() > 0,
                "the call timeout is what the build left of 2 s: " + c.callTimeoutMillis());
        assertEquals(c.callTimeoutMillis(), c.connectTimeoutMillis());
        assertEquals(c.callTimeoutMillis(), c.readTimeoutMillis());
    }

    @Test
    void aBuiltClientIsBoundedAtOnce() throws Exception {
        HttpClients clients = new HttpClients(CompletableFuture.completedFuture(new OkHttpClient()));
        CompletableFuture<OkHttpClient> c = clients.boundedAsync(Duration.ofMillis(750));
        assertTrue(c.isDone(), "no wait once built");
        assertTrue(c.get().callTimeoutMillis() > 700 && c.get().callTimeoutMillis() <= 750, "" + c.get().callTimeoutMillis());
    }

    @Test
    void withoutAnHttpsUrlTheClientSpeaksPlainHttpOnlyAndNeverSetsUpTls() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> answerOnce(server, 204));
            t.setDaemon(true);
            t.start();
            HttpClients clients = HttpClients.buildInBackground(false);
            URI url = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/ready");
            assertEquals(204, clients.getStatus(url, Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS));
            OkHttpClient c = clients.boundedAsync(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
            assertFalse(c.connectionSpecs().stream().anyMatch(s -> s.isTls()), c.connectionSpecs().toString());
            assertThrows(IllegalStateException.class, c::sslSocketFactory, "no TLS was set up");
        }
    }

    @Test
    void withAnHttpsUrlTheClientCanSpeakTls() throws Exception {
        OkHttpClient c = HttpClients.buildInBackground(true).boundedAsync(Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS);
        assertTrue(c.connectionSpecs().stream().anyMatch(s -> s.isTls()), c.connectionSpecs().toString());
    }

    private static void answerOnce(ServerSocket server, int status) {
        try (Socket s = server.accept()) {
            InputStream in = s.getInputStream();
            int state = 0;
            while (state < 4) {                          // up to the blank line after the headers
                int b = in.read();
                if (b < 0) return;
                state = (b == '\r' && state % 2 == 0) || (b == '\n' && state % 2 == 1) ? state + 1 : 0;
            }
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 " + status + " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (java.io.IOException e) {
            // the test's assertion on the status reports it
        }
    }

    /** OkHttp counts whole milliseconds and reads 0 as "no timeout": less than that left is a timeout now. */
    @Test
    void lessThanAMillisecondLeftIsATimeoutNotAnUnboundedCall() throws Exception {
        HttpClients http = HttpClients.buildInBackground(false);
        http.boundedAsync(Duration.ofSeconds(30)).get(30, TimeUnit.SECONDS);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> http.boundedAsync(Duration.ofNanos(400_000)).get(5, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, e.getCause());
    }
}
