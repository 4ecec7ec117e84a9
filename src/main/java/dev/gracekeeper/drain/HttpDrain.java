package dev.gracekeeper.drain;

import dev.gracekeeper.lifecycle.Clock;
import dev.gracekeeper.lifecycle.Figure;
import dev.gracekeeper.lifecycle.ShutdownStep;
import dev.gracekeeper.lifecycle.StepContext;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Tells the app to drain with one HTTP call, bounded by the budget. A failed call is logged and
 * the shutdown carries on to the idle wait: a dead drain endpoint must not cost the budget.
 */
public final class HttpDrain implements ShutdownStep {
    public static final String NAME = "app-drain-http";

    private final URI url;
    private final String method;
    private final HttpClients http;

    public HttpDrain(URI url, String method, HttpClients http) {
        this.url = url;
        this.method = method;
        this.http = http;
    }

    @Override
    public String name() { return NAME; }

    @Override
    public String run(StepContext ctx) {
        Duration bound = ctx.budget().remaining();
        String call = method + " " + url;
        if (bound.isZero()) return call + " skipped: the budget is spent";
        long start = System.nanoTime();
        okhttp3.OkHttpClient client;
        try {
            client = http.boundedAsync(bound).join();    // the client's build counts against the bound too
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return call + " not sent: the HTTP client was not ready (" + cause.getMessage()
                    + "); carrying on with the idle wait";
        }
        RequestBody body = method.equals("GET") || method.equals("DELETE") ? null : RequestBody.create(new byte[0], null);
        Request request = new Request.Builder().url(url.toString()).method(method, body)
                // Our own connection to the app port must not look like in-flight work to the idle wait.
                .header("Connection", "close")
                .header("User-Agent", "gracekeeper")
                .build();
        try (Response response = client.newCall(request).execute()) {
            long ms = Clock.SYSTEM.millisSince(start);
            ctx.figure(Figure.APP_DRAIN_HTTP_STATUS, response.code());
            return call + " -> " + response.code() + " in " + ms + " ms";
        } catch (IOException e) {
            long ms = Clock.SYSTEM.millisSince(start);
            boolean timedOut = e instanceof java.io.InterruptedIOException;
            return call + (timedOut ? " timed out after " + ms + " ms (bound: the budget's " + bound.toMillis()
                    + " ms)" : " failed after " + ms + " ms: " + e) + "; carrying on with the idle wait";
        }
    }
}
