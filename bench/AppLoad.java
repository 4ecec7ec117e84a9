import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds an app busy the way a pod's clients do, for the CPU rows of the benchmarks:
 *
 *   java AppLoad APP_PORT [IDLE] [ACTIVE] [SLOW_MS]
 *
 * Opens IDLE (16) keep-alive connections that each make one request and then sit idle, and ACTIVE
 * (16) keep-alive connections that each send /slow?ms=SLOW_MS (100) requests back to back, so one is
 * always in flight. Prints "ready" once every connection is up, holds them until its standard input
 * closes or says "close", then closes them all and exits. Loopback only; every socket has a 10 s
 * read timeout. Works with the test app (src/test/.../it/TestApp.java).
 */
public final class AppLoad {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int idle = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int active = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        int slowMs = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        InetAddress lo = InetAddress.getLoopbackAddress();
        List<Socket> all = new ArrayList<>();
        for (int i = 0; i < idle; i++) {
            Socket s = open(lo, port, all);
            exchange(s, "/slow?ms=1");
        }
        for (int i = 0; i < active; i++) {
            Socket s = open(lo, port, all);
            Thread t = new Thread(() -> {
                try {
                    while (true) exchange(s, "/slow?ms=" + slowMs);
                } catch (IOException e) {
                    // closed at the end
                }
            }, "active-" + i);
            t.setDaemon(true);
            t.start();
        }
        System.out.println("ready");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        String line;
        while ((line = in.readLine()) != null && !line.equals("close")) { /* wait */ }
        for (Socket s : all) s.close();
    }

    private static Socket open(InetAddress lo, int port, List<Socket> all) throws IOException {
        Socket s = new Socket(lo, port);
        s.setSoTimeout(10_000);
        s.setTcpNoDelay(true);
        all.add(s);
        return s;
    }

    /** One keep-alive request; reads the response head and its Content-Length body. */
    private static void exchange(Socket s, String path) throws IOException {
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: app\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("closed");
            head.append((char) b);
        }
        int length = 0;
        for (String h : head.toString().split("\r\n")) {
            if (h.regionMatches(true, 0, "content-length:", 0, 15)) length = Integer.parseInt(h.substring(15).trim());
        }
        in.readNBytes(length);
    }
}
