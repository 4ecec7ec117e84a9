package dev.gracekeeper.drain;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.ConnectionSpec;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The one HTTP client for calls to the app, built in the background because creating it costs
 * a noticeable part of startup. It keeps no idle connections: a pooled connection to the app's
 * port would count as in-flight work and hold the drain open.
 */
public final class HttpClients {
    private final CompletableFuture<OkHttpClient> base;

    private HttpClients() { this(new CompletableFuture<>()); }

    /** Over a build that completes {@code base} (tests control when). */
    HttpClients(CompletableFuture<OkHttpClient> base) { this.base = base; }

    /**
     * Starts building the client. Without {@code tls} it speaks plain HTTP only: OkHttp then never
     * sets up TLS, which loads the JDK's trust store and some 600 classes (RSS about 14 MiB more) for
     * the {@code http://} URLs nearly every pod configures.
     */
    public static HttpClients buildInBackground(boolean tls) {
        HttpClients c = new HttpClients();
        Thread t = new Thread(() -> {
            try {
                OkHttpClient.Builder b = new OkHttpClient.Builder()
                        .connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS))
                        .retryOnConnectionFailure(false)
                        .followRedirects(false);
                if (!tls) b.connectionSpecs(List.of(ConnectionSpec.CLEARTEXT));
                c.base.complete(b.build());
            } catch (RuntimeException | LinkageError e) {
                c.base.completeExceptionally(e);
            }
        }, "http-client-init");
        t.setDaemon(true);
        t.start();
        return c;
    }

    /**
     * A client whose whole call (connect, write, read) is bounded by what is left of {@code bound}
     * once the background build has finished; never blocks. Completes exceptionally with a
     * {@link java.util.concurrent.TimeoutException} when the build takes the whole of {@code bound}.
     * Callers touch no OkHttp class before it completes, so no two threads initialise them at once.
     */
    public CompletableFuture<OkHttpClient> boundedAsync(Duration bound) {
        long end = System.nanoTime() + bound.toNanos();
        return base.thenApply(c -> {
            long left = end - System.nanoTime();
            // Under a millisecond is no bound to OkHttp (it counts whole ms, and 0 means none).
            if (left < 1_000_000) throw new java.util.concurrent.CompletionException(new java.util.concurrent.TimeoutException(
                    "the HTTP client was not built within " + bound.toMillis() + " ms"));
            return withBound(c, Duration.ofNanos(left));
        }).orTimeout(bound.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * One GET of {@code url} on a fresh connection, bounded by {@code bound} including the client's build;
     * never blocks. Completes with the status code, or exceptionally: with an {@link IOException} when the
     * call failed, with anything else when the client could not be had. Here rather than in its callers, so
     * that no OkHttp type (not even the callback's interface) is loaded where no feature calls the app.
     */
    public CompletableFuture<Integer> getStatus(URI url, Duration bound) {
        return boundedAsync(bound).thenCompose(client -> {
            CompletableFuture<Integer> status = new CompletableFuture<>();
            Request req = new Request.Builder().url(url.toString()).header("Connection", "close")
                    .header("User-Agent", "gracekeeper").build();
            client.newCall(req).enqueue(new Callback() {
                @Override
                public void onFailure(Call c, IOException e) {
                    status.completeExceptionally(e);
                }

                @Override
                public void onResponse(Call c, Response r) {
                    try (r) {
                        status.complete(r.code());
                    }
                }
            });
            return status;
        });
    }

    private static OkHttpClient withBound(OkHttpClient c, Duration bound) {
        return c.newBuilder()
                .callTimeout(bound)
                .connectTimeout(bound)
                .readTimeout(bound)
                .build();
    }
}
