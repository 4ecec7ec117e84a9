package dev.gracekeeper.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A small real app for the drain tests, run as its own process: HTTP/1.1 with keep-alive,
 * {@code /slow?ms=N} requests, {@code /ready} (503 until {@code readyAfterMs}), and {@code /drain},
 * which makes it drain the way well-behaved servers do: idle keep-alive connections are closed at
 * once, in-flight requests finish and are answered with {@code Connection: close}.
 *
 * <p>Arguments: port, readyAfterMs (-1: never ready), listenAfterMs. Exits on SIGTERM.
 */
public final class TestApp {
    private static final Set<Conn> conns = ConcurrentHashMap.newKeySet();
    private static volatile boolean draining;
    private static long readyAt;

    static final class Conn {
        final Socket socket;
        boolean busy;                                   // guarded by this

        Conn(Socket socket) { this.socket = socket; }
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long readyAfter = Long.parseLong(args[1]);
        long listenAfter = args.length > 2 ? Long.parseLong(args[2]) : 0;
        readyAt = readyAfter < 0 ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(readyAfter);
        if (listenAfter > 0) Thread.sleep(listenAfter);  // an app that takes its time to start listening
        try (ServerSocket server = new ServerSocket(port, 128, InetAddress.getLoopbackAddress())) {
            System.out.println("testapp listening on " + port);
            while (true) {
                Socket s = server.accept();
                Conn c = new Conn(s);
                conns.add(c);
                Thread t = new Thread(() -> serve(c), "conn");
                t.setDaemon(true);
                t.start();
            }
        }
    }

    private static void serve(Conn c) {
        try (Socket s = c.socket) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            while (true) {
                String line = in.readLine();
                if (line == null || line.isEmpty()) return;
                synchronized (c) {
                    c.busy = true;
                }
                String h;
                while ((h = in.readLine()) != null && !h.isEmpty()) {
                    // headers ignored
                }
                String path = line.split(" ")[1];
                int status = 200;
                String body = "ok\n";
                if (path.startsWith("/slow")) {
                    Thread.sleep(Long.parseLong(path.substring(path.indexOf("ms=") + 3)));
                    body = "slow done\n";
                } else if (path.startsWith("/ready")) {
                    status = System.nanoTime() - readyAt >= 0 ? 200 : 503;
                } else if (path.startsWith("/drain")) {
                    draining = true;
                    closeIdle();
                    body = "draining\n";
                }
                boolean close = draining;
                out.write(("HTTP/1.1 " + status + " X\r\nContent-Length: " + body.length() + "\r\n"
                        + (close ? "Connection: close\r\n" : "") + "\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                synchronized (c) {
                    c.busy = false;
                }
                if (close) return;
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // connection closed by the peer or by the drain
        } finally {
            conns.remove(c);
        }
    }

    private static void closeIdle() {
        for (Conn c : conns) {
            synchronized (c) {
                if (!c.busy) {
                    try {
                        c.socket.close();
                    } catch (IOException e) {
                        // already closed
                    }
                }
            }
        }
    }
}
