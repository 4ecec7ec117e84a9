package dev.gracekeeper.kube;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509TrustManager;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okio.BufferedSource;

/**
 * The two calls the endpoint-aware wait makes: LIST and WATCH of {@code discovery.k8s.io/v1}
 * EndpointSlices in one namespace. TLS verified against the service account's CA bundle; the
 * token read from its file for every request; every call bounded by the caller.
 */
public final class KubeApi {
    static final Duration CONNECT_BOUND = Duration.ofSeconds(3);

    private final OkHttpClient client;
    private final ServiceAccount account;
    private final HttpUrl base;
    private final SSLContext tls;

    public KubeApi(OkHttpClient http, ServiceAccount account, String apiBase) throws ServiceAccount.Problem {
        X509TrustManager trust = account.trust();
        this.tls = ServiceAccount.tls(trust);
        this.client = http.newBuilder().sslSocketFactory(tls.getSocketFactory(), trust).build();
        this.account = account;
        this.base = HttpUrl.get(apiBase);
    }

    /**
     * Loads and initialises, without a byte to the API server, what the first request would:
     * the TLS handshake's first flight (key shares, cipher suites) and the JSON reader. A cold
     * JVM otherwise spends a large part of a second there, after T0, when it counts.
     */
    public void warmUp() throws SSLException {
        SSLEngine engine = tls.createSSLEngine(base.host(), base.port());
        engine.setUseClientMode(true);
        engine.beginHandshake();
        engine.wrap(ByteBuffer.allocate(0), ByteBuffer.allocate(engine.getSession().getPacketBufferSize()));
        engine.closeOutbound();
        JsonReader.parse("{\"kind\":\"EndpointSliceList\",\"items\":[{\"n\":1.5,\"b\":true,\"z\":null,\"s\":\"\\u00e9\"}]}");
        HttpUrl url = slices("warm-up").addQueryParameter("labelSelector", "a in (b)").build();
        new Request.Builder().url(url).header("Authorization", "Bearer -").build();
    }

    public String base() { return base.toString(); }

    /** LIST of the namespace's EndpointSlices, as parsed JSON. */
    public Map<String, Object> listSlices(String namespace, Duration bound) throws ApiFailure, ServiceAccount.Problem {
        HttpUrl url = slices(namespace).build();
        try (Response r = call(url, bound)) {
            return Api.asObj(parse(r.body().string()));
        } catch (IOException e) {
            throw classify(e, bound);
        }
    }

    /** WATCH from {@code resourceVersion}, with bookmarks, of the slices the selector picks. */
    public Watch watchSlices(String namespace, String labelSelector, String resourceVersion, Duration bound)
            throws ApiFailure, ServiceAccount.Problem {
        HttpUrl url = slices(namespace).addQueryParameter("watch", "true")
                .addQueryParameter("allowWatchBookmarks", "true")
                .addQueryParameter("resourceVersion", resourceVersion)
                .addQueryParameter("labelSelector", labelSelector)
                .addQueryParameter("timeoutSeconds", Long.toString(Math.max(1, (bound.toMillis() + 999) / 1000)))
                .build();
        return new Watch(call(url, bound), bound);
    }

    /** An open watch stream: one event per line. */
    public final class Watch implements Closeable {
        private final Response response;
        private final BufferedSource source;
        private final Duration bound;

        Watch(Response response, Duration bound) {
            this.response = response;
            this.source = response.body().source();
            this.bound = bound;
        }

        /** The next event as {type, object}; null when the server ended the stream. */
        public Map<String, Object> next() throws ApiFailure {
            String line;
            try {
                line = source.readUtf8Line();
            } catch (IOException e) {
                throw classify(e, bound);
            }
            if (line == null) return null;
            Map<String, Object> event = Api.asObj(parse(line));
            if ("ERROR".equals(Api.str(event, "type"))) {
                Map<String, Object> status = Api.obj(event, "object");
                Object code = status.get("code");
                throw failure(code instanceof Double d ? d.intValue() : 0, Api.str(status, "message"));
            }
            return event;
        }

        @Override
        public void close() { response.close(); }
    }

    private HttpUrl.Builder slices(String namespace) {
        return base.newBuilder().addPathSegments("apis/discovery.k8s.io/v1/namespaces").addPathSegment(namespace)
                .addPathSegment("endpointslices");
    }

    private Response call(HttpUrl url, Duration bound) throws ApiFailure, ServiceAccount.Problem {
        // OkHttp counts whole milliseconds and takes 0 for no timeout at all: a call with less left
        // than that is not made, or it could wait for ever.
        if (bound.compareTo(Duration.ofMillis(1)) < 0) {
            throw new ApiFailure(ApiFailure.Kind.TIMEOUT, "no time left for a request (" + bound.toNanos() + " ns)");
        }
        Request req = new Request.Builder().url(url).header("Authorization", "Bearer " + account.token())
                .header("Accept", "application/json").header("User-Agent", "gracekeeper").build();
        OkHttpClient c = client.newBuilder()
                .connectTimeout(bound.compareTo(CONNECT_BOUND) < 0 ? bound : CONNECT_BOUND)
                .readTimeout(bound).callTimeout(bound.toNanos(), TimeUnit.NANOSECONDS).build();
        Response r;
        try {
            r = c.newCall(req).execute();
        } catch (IOException e) {
            throw classify(e, bound);
        }
        if (r.isSuccessful()) return r;
        String message;
        try (r) {
            message = Api.str(Api.asObj(parse(r.body().string())), "message");
        } catch (IOException | IllegalArgumentException e) {
            message = "";
        }
        throw failure(r.code(), message);
    }

    private static Object parse(String text) throws ApiFailure {
        try {
            return JsonReader.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ApiFailure(ApiFailure.Kind.BAD_ANSWER, "unreadable answer: " + e.getMessage());
        }
    }

    static ApiFailure failure(int code, String message) {
        String m = "HTTP " + code + (message.isEmpty() ? "" : ": " + message);
        switch (code) {
            case 401: return new ApiFailure(ApiFailure.Kind.UNAUTHORIZED, "401 Unauthorized" + tail(message));
            case 403: return new ApiFailure(ApiFailure.Kind.FORBIDDEN, "403 Forbidden" + tail(message));
            case 410: return new ApiFailure(ApiFailure.Kind.GONE, "410 Gone" + tail(message));
            default: return new ApiFailure(ApiFailure.Kind.HTTP, m);
        }
    }

    private static String tail(String message) { return message.isEmpty() ? "" : " (" + message + ")"; }

    private ApiFailure classify(IOException e, Duration bound) {
        if (e instanceof SocketTimeoutException || e instanceof InterruptedIOException) {
            return new ApiFailure(ApiFailure.Kind.TIMEOUT, "no answer from " + base + " within "
                    + bound.toMillis() + " ms (" + e + ")");
        }
        if (e instanceof SSLException) return new ApiFailure(ApiFailure.Kind.TLS, "TLS to " + base + " failed: " + e);
        return new ApiFailure(ApiFailure.Kind.UNREACHABLE, base + " is unreachable: " + e);
    }
}
