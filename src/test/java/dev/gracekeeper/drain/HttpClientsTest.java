package dev.gracekeeper.drain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
