import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;

/**
 * The floor bench/footprint.sh measures the sidecar against: the JDK's own HTTP server answering
 * every path with 200 "ok", on the sidecar's GRACEKEEPER_PORT and GRACEKEEPER_BIND_ADDRESS, exit 3
 * when the port is taken (as the sidecar). What a JVM costs to serve /healthz and /readyz, nothing more.
 */
public final class Floor {
    public static void main(String[] args) throws Exception {
        // Headers and body go out in two writes: without TCP_NODELAY a keep-alive client waits out
        // its delayed ACK (40 ms) on every response, which no sidecar would.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        String host = System.getenv().getOrDefault("GRACEKEEPER_BIND_ADDRESS", "127.0.0.1");
        int port = Integer.parseInt(System.getenv().getOrDefault("GRACEKEEPER_PORT", "8686"));
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 256);
        } catch (BindException e) {
            System.err.println("floor: port " + port + " taken");
            System.exit(3);
            return;
        }
        byte[] ok = "ok\n".getBytes();
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, ok.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(ok);
            }
        });
        server.start();
        System.out.println("floor: listening on " + host + ":" + port);
    }
}
