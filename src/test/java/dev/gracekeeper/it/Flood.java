package dev.gracekeeper.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link FloodClient} processes against a sidecar, and what the tests measure meanwhile: /healthz
 * on a fresh connection, the sidecar's RSS and descriptors. The clients run at nice 19: on this
 * 2-core machine they would otherwise take the sidecar's CPU, which an attacker on another node, or
 * in a pod with its own CPU limit, cannot; at nice 19 they still connect as fast as the CPU left over
 * allows.
 */
final class Flood implements AutoCloseable {
    private final List<Process> clients = new ArrayList<>();
    private final List<Path> outputs = new ArrayList<>();

    /**
     * Starts {@code processes} clients that open {@code connections} in all, each from the address
     * 127.0.0.(firstSource + i), and hold them for {@code hold} once opened.
     */
    static Flood start(int port, int connections, int processes, String mode, Duration hold, int firstSource) {
        Flood f = new Flood();
        for (int i = 0; i < processes; i++) {
            int per = connections / processes + (i < connections % processes ? 1 : 0);
            List<String> cmd = new ArrayList<>();
            if (Files.isExecutable(Path.of("/usr/bin/nice"))) cmd.addAll(List.of("/usr/bin/nice", "-n", "19"));
            cmd.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp", testClasses(),
                    FloodClient.class.getName(), "127.0.0.1", Integer.toString(port), Integer.toString(per),
                    "127.0.0." + (firstSource + i), mode, Long.toString(hold.toSeconds())));
            try {
                Path out = Files.createTempFile("flood-client-", ".log");
                f.outputs.add(out);
                f.clients.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start());
            } catch (IOException e) {
                f.close();
                throw new UncheckedIOException(e);
            }
        }
        return f;
    }

    private static String testClasses() {
        try {
            return Path.of(FloodClient.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    boolean running() { return clients.stream().anyMatch(Process::isAlive); }

    /** Waits for every client to finish; true when all exited 0. */
    boolean await(Duration bound) throws InterruptedException {
        long end = System.nanoTime() + bound.toNanos();
        boolean ok = true;
        for (Process p : clients) {
            ok &= p.waitFor(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS) && p.exitValue() == 0;
        }
        return ok;
    }

    /** Connections the clients opened in all, from their last progress lines. */
    long opened() throws IOException {
        long n = 0;
        for (Path out : outputs) {
            List<String> lines = Files.readAllLines(out);
            if (!lines.isEmpty() && lines.get(lines.size() - 1).startsWith("opened ")) {
                n += Long.parseLong(lines.get(lines.size() - 1).split(" ")[1]);
            }
        }
        return n;
    }

    String lastLines() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Path out : outputs) {
            List<String> lines = Files.readAllLines(out);
            sb.append(lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1)).append('\n');
        }
        return sb.toString();
    }

    /** GET /healthz on a new connection; the milliseconds to the full answer, or -1 when it was not a 200. */
    static long healthzMillis(int port, Duration bound) {
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) bound.toMillis());
            s.setSoTimeout((int) bound.toMillis());
            OutputStream out = s.getOutputStream();
            out.write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            return answer.startsWith("HTTP/1.1 200") ? (System.nanoTime() - start) / 1_000_000 : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    static long rssKib(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
            return -1;
        } catch (IOException e) {
            return -1;
        }
    }

    static int descriptors(long pid) {
        String[] fds = Path.of("/proc/" + pid + "/fd").toFile().list();
        return fds == null ? -1 : fds.length;
    }

    @Override
    public void close() {
        clients.forEach(Process::destroyForcibly);
        for (Path out : outputs) {
            try {
                Files.deleteIfExists(out);
            } catch (IOException ignored) {
                // a temp file
            }
        }
    }
}
