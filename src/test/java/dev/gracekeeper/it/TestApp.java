package dev.gracekeeper.it;

import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
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
 * which makes it drain the way well-behaved servers do: in-flight requests finish and are answered
 * with {@code Connection: close}, and keep-alive connections are closed once they have been idle
 * for {@link #IDLE_GRACE_MS}. Not at once: a connection whose response has just been written may
 * carry the client's next request already, on its way through an L4 balancer, and closing it
 * then fails that request.
 *
 * <p>Arguments: port, readyAfterMs (-1: never ready), listenAfterMs, bind address (default
 * loopback), and what SIGTERM does: {@code abrupt} (default: exit at once, in-flight requests are
 * cut) or {@code graceful} (stop accepting, drain as above, exit once no connection is left or
 * after 30 s), the way most servers treat SIGTERM.
 */
public final class TestApp {
    static final long IDLE_GRACE_MS = 250;
    private static final Set<Conn> conns = ConcurrentHashMap.newKeySet();
    private static volatile boolean draining;
    private static Thread drainer;                      // guarded by TestApp.class
    private static final Object CHANGED = new Object();
    private static long readyAt;

    static final class Conn {
        final Socket socket;
        boolean busy;                                   // guarded by this
        long idleSince = System.nanoTime();             // guarded by this

        Conn(Socket socket) { this.socket = socket; }
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long readyAfter = Long.parseLong(args[1]);
        long listenAfter = args.length > 2 ? Long.parseLong(args[2]) : 0;
        readyAt = readyAfter < 0 ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(readyAfter);
        InetAddress bind = args.length > 3 ? InetAddress.getByName(args[3]) : InetAddress.getLoopbackAddress();
        boolean graceful = args.length > 4 && args[4].equals("graceful");
        if (listenAfter > 0) Thread.sleep(listenAfter);  // an app that takes its time to start listening
        try (ServerSocket server = new ServerSocket(port, 128, bind)) {
            System.out.println("testapp listening on " + bind.getHostAddress() + ":" + port);
            if (graceful) Runtime.getRuntime().addShutdownHook(new Thread(() -> drainThenReturn(server)));
            while (true) {
                Socket s;
                try {
                    s = server.accept();
                } catch (IOException e) {
                    if (draining) {
                        Thread.sleep(Long.MAX_VALUE);              // the shutdown hook ends the process
                    }
                    throw e;
                }
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
            // Busy from the moment request bytes are read, not once the request line is parsed: the
            // drainer must never close a connection whose request is already in the reader's buffer.
            InputStream raw = new FilterInputStream(s.getInputStream()) {
                @Override public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    if (n > 0) {
                        synchronized (c) {
                            c.busy = true;
                        }
                    }
                    return n;
                }
            };
            BufferedReader in = new BufferedReader(new InputStreamReader(raw, StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            while (true) {
                String line = in.readLine();
                if (line == null || line.isEmpty()) return;
                synchronized (c) {
                    c.busy = true;
                }
                String h;
                boolean clientCloses = false;
                while ((h = in.readLine()) != null && !h.isEmpty()) {
                    if (h.regionMatches(true, 0, "connection:", 0, 11) && h.substring(11).trim().equalsIgnoreCase("close")) {
                        clientCloses = true;                // e.g. the kubelet's probes
                    }
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
                    startDrainer();
                    body = "draining\n";
                }
                boolean close = draining || clientCloses;
                out.write(("HTTP/1.1 " + status + " X\r\nContent-Length: " + body.length() + "\r\n"
                        + (close ? "Connection: close\r\n" : "") + "\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                synchronized (c) {
                    c.busy = in.ready();                // a pipelined request already buffered
                    c.idleSince = System.nanoTime();
                }
                if (draining) changed();
                if (close) return;
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // connection closed by the peer or by the drain
        } finally {
            conns.remove(c);
            changed();
        }
    }

    /** SIGTERM, graceful: stop accepting, drain, return (so the JVM exits) when no connection is left. */
    private static void drainThenReturn(ServerSocket server) {
        draining = true;
        try {
            server.close();
        } catch (IOException e) {
            // already closed
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!conns.isEmpty() && System.nanoTime() - end < 0) {
            if (!awaitChange(Math.min(closeIdle(), end - System.nanoTime()))) return;
        }
        System.out.println("testapp drained on SIGTERM, " + conns.size() + " connection(s) left");
    }

    /** After /drain: closes each connection once it has been idle long enough, until the process exits. */
    private static synchronized void startDrainer() {
        if (drainer != null) return;
        drainer = new Thread(() -> {
            while (awaitChange(closeIdle())) {
                // each round closes what has been idle long enough, then waits for the next to be
            }
        }, "drainer");
        drainer.setDaemon(true);
        drainer.start();
    }

    /** A connection went idle or closed: the drain loops look again. */
    private static void changed() {
        synchronized (CHANGED) {
            CHANGED.notifyAll();
        }
    }

    /** Waits until a connection goes idle or closes, at most {@code nanos}; false when interrupted. */
    private static boolean awaitChange(long nanos) {
        synchronized (CHANGED) {
            try {
                TimeUnit.NANOSECONDS.timedWait(CHANGED, Math.max(1, nanos));
                return true;
            } catch (InterruptedException e) {
                return false;
            }
        }
    }

    /**
     * Closes every connection idle for {@link #IDLE_GRACE_MS}; returns how long until the next idle
     * one will have been (at most a second: a backstop for a change no one announced).
     */
    private static long closeIdle() {
        long now = System.nanoTime();
        long grace = TimeUnit.MILLISECONDS.toNanos(IDLE_GRACE_MS);
        long next = TimeUnit.SECONDS.toNanos(1);
        for (Conn c : conns) {
            synchronized (c) {
                if (c.busy || requestWaiting(c)) continue;
                long idle = now - c.idleSince;
                if (idle < grace) {
                    next = Math.min(next, grace - idle);
                    continue;
                }
                try {
                    c.socket.close();
                } catch (IOException e) {
                    // already closed
                }
            }
        }
        return next;
    }

    /** A request already in the socket's buffer: closing now would reset the client mid-request. */
    private static boolean requestWaiting(Conn c) {
        try {
            return c.socket.getInputStream().available() > 0;
        } catch (IOException e) {
            return false;
        }
    }
}
