package dev.gracekeeper.drain;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;

/**
 * The one HTTP client for calls to the app, built in the background because creating it costs
 * a noticeable part of startup. It keeps no idle connections: a pooled connection to the app's
 * port would count as in-flight work and hold the drain open.
 */
public final class HttpClients {
    private final CompletableFuture<OkHttpClient> base = new CompletableFuture<>();

    private HttpClients() {}

    public static HttpClients buildInBackground() {
        HttpClients c = new HttpClients();
        Thread t = new Thread(() -> {
            try {
                c.base.complete(new OkHttpClient.Builder()
                        .connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS))
                        .retryOnConnectionFailure(false)
                        .followRedirects(false)
                        .build());
            } catch (RuntimeException | LinkageError e) {
                c.base.completeExceptionally(e);
            }
        }, "http-client-init");
        t.setDaemon(true);
        t.start();
        return c;
    }

    /** A client whose whole call (connect, write, read) is bounded by {@code bound}. */
    public OkHttpClient bounded(Duration bound) {
        return base.join().newBuilder()
                .callTimeout(bound)
                .connectTimeout(bound)
                .readTimeout(bound)
                .build();
    }
}
