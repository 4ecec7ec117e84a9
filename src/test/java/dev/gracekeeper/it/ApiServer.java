package dev.gracekeeper.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A stand-in for kube-apiserver that speaks its real HTTP API for {@code discovery.k8s.io/v1}
 * EndpointSlices in one namespace, over TLS with a bearer token: LIST (with label selectors),
 * WATCH as a chunked stream of JSON lines from a resourceVersion (replaying what came after it),
 * bookmarks, {@code 410 Gone} for a compacted resourceVersion (as an ERROR event, as the API
 * server sends it), 401 for a wrong token, 403 when RBAC is "missing". Faults are switches.
 * It writes a service account directory (token, ca.crt, namespace) for the sidecar to read.
 */
public final class ApiServer implements AutoCloseable {
    public static final String NAMESPACE = "bed";
    static final String BASE = "/apis/discovery.k8s.io/v1/namespaces/" + NAMESPACE + "/endpointslices";

    private final HttpsServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "api-server");
        t.setDaemon(true);
        return t;
    });
    public final Path serviceAccount;
    public final String host;
    private final SliceStore store = new SliceStore();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile String token;
    private volatile boolean forbidden;
    private volatile long bookmarkMs = 1000;
    private volatile long lastBookmark;

    private ApiServer(HttpsServer server, Path serviceAccount, String host, String token) {
        this.server = server;
        this.serviceAccount = serviceAccount;
        this.host = host;
        this.token = token;
    }

    /** Starts on {@code host} (an IP literal, also the certificate's only name), port 0; files in {@code dir}. */
    public static ApiServer start(String host, Path dir) {
        try {
            Path sa = Files.createDirectories(dir.resolve("serviceaccount"));
            Path ks = dir.resolve("apiserver.p12");
            Files.deleteIfExists(ks);
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            run(keytool, "-genkeypair", "-alias", "api", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                    "CN=kube-apiserver", "-ext", "san=ip:" + host, "-validity", "2", "-keystore", ks.toString(),
                    "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
            run(keytool, "-exportcert", "-rfc", "-alias", "api", "-keystore", ks.toString(), "-storepass", "changeit",
                    "-file", sa.resolve("ca.crt").toString());
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(ks)) {
                store.load(in, "changeit".toCharArray());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, "changeit".toCharArray());
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(kmf.getKeyManagers(), null, null);
            HttpsServer s = HttpsServer.create(new InetSocketAddress(host, 0), 64);
            s.setHttpsConfigurator(new HttpsConfigurator(tls));
            String token = "token-" + Long.toHexString(System.nanoTime());
            Files.writeString(sa.resolve("token"), token);
            Files.writeString(sa.resolve("namespace"), NAMESPACE);
            ApiServer api = new ApiServer(s, sa, host, token);
            s.setExecutor(api.pool);
            s.createContext("/", api::handle);
            s.start();
            return api;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public int port() { return server.getAddress().getPort(); }

    /** The sidecar's environment for the endpoints mode against this server. */
    public Map<String, String> sidecarEnv(String podUid) {
        Map<String, String> env = new HashMap<>();
        env.put("GRACEKEEPER_PROPAGATION", "endpoints");
        env.put("GRACEKEEPER_SERVICEACCOUNT_DIR", serviceAccount.toString());
        env.put("KUBERNETES_SERVICE_HOST", host);
        env.put("KUBERNETES_SERVICE_PORT", Integer.toString(port()));
        env.put("POD_UID", podUid);
        return env;
    }

    public SliceStore slices() { return store; }

    /** Every request as "METHOD path?query", in order. */
    public List<String> requests() { return List.copyOf(requests); }

    /** RBAC as if the Role were missing: every request gets 403. */
    public void forbid(boolean on) { forbidden = on; }

    /** A new token in the file; the old one is refused from now on, as after expiry. */
    public void rotateToken() {
        String t = "token-" + Long.toHexString(System.nanoTime());
        try {
            Path tmp = serviceAccount.resolve("token.tmp");
            Files.writeString(tmp, t);
            Files.move(tmp, serviceAccount.resolve("token"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        token = t;
    }

    public void bookmarkEvery(long ms) { bookmarkMs = ms; }

    /** The resourceVersion of the last bookmark sent. */
    public long lastBookmark() { return lastBookmark; }

    private void handle(HttpExchange ex) throws IOException {
        String uri = ex.getRequestURI().getRawPath()
                + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
        requests.add(ex.getRequestMethod() + " " + URLDecoder.decode(uri, StandardCharsets.UTF_8));
        try (ex) {
            if (!("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                status(ex, 401, "Unauthorized", "Unauthorized");
            } else if (forbidden) {
                status(ex, 403, "Forbidden", "endpointslices.discovery.k8s.io is forbidden: User"
                        + " \"system:serviceaccount:" + NAMESPACE + ":default\" cannot list resource \"endpointslices\""
                        + " in API group \"discovery.k8s.io\" in the namespace \"" + NAMESPACE + "\"");
            } else if (!ex.getRequestMethod().equals("GET") || !ex.getRequestURI().getRawPath().equals(BASE)) {
                status(ex, 404, "NotFound", "the server could not find the requested resource");
            } else {
                Map<String, String> q = query(ex.getRequestURI().getRawQuery());
                if ("true".equals(q.get("watch"))) {
                    watch(ex, q);
                } else {
                    send(ex, 200, store.list(q.getOrDefault("labelSelector", "")));
                }
            }
        }
    }

    private void watch(HttpExchange ex, Map<String, String> q) throws IOException {
        long rv = Long.parseLong(q.getOrDefault("resourceVersion", "0"));
        long timeoutMs = Long.parseLong(q.getOrDefault("timeoutSeconds", "1800")) * 1000;
        boolean bookmarks = "true".equals(q.get("allowWatchBookmarks"));
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        SliceStore.Watcher w = store.watch(rv, q.getOrDefault("labelSelector", ""));
        long end = System.nanoTime() + timeoutMs * 1_000_000;
        long nextBookmark = System.nanoTime() + bookmarkMs * 1_000_000;
        try {
            while (System.nanoTime() < end) {
                long waitMs = Math.max(1, Math.min(end, nextBookmark) - System.nanoTime()) / 1_000_000 + 1;
                String line = w.next(waitMs);
                if (line == SliceStore.CUT) return;
                if (line != null) {
                    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    if (line.contains("\"code\":410")) return;
                } else if (bookmarks && System.nanoTime() >= nextBookmark) {
                    out.write((store.bookmark() + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    lastBookmark = store.resourceVersion();
                    nextBookmark = System.nanoTime() + bookmarkMs * 1_000_000;
                }
            }
        } catch (IOException e) {
            // the client went away
        } finally {
            store.unwatch(w);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw == null) return q;
        for (String kv : raw.split("&")) {
            int i = kv.indexOf('=');
            if (i > 0) q.put(URLDecoder.decode(kv.substring(0, i), StandardCharsets.UTF_8),
                    URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8));
        }
        return q;
    }

    private static void status(HttpExchange ex, int code, String reason, String message) throws IOException {
        send(ex, code, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
                + SliceStore.quote(message) + ",\"reason\":\"" + reason + "\",\"code\":" + code + "}");
    }

    private static void send(HttpExchange ex, int code, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(code, b.length);
        ex.getResponseBody().write(b);
    }

    private static void run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + ": " + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** Stops listening and ends every open watch; requests get connection errors from now on. */
    @Override
    public void close() {
        store.cutWatches();
        server.stop(0);
        pool.shutdownNow();
    }
}
