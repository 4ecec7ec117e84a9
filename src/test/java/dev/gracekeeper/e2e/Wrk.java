package dev.gracekeeper.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Load from wrk with keep-alive; every non-2xx response and every socket error counts as failed. */
final class Wrk {
    record Result(long requests, long non2xx, long connectErrors, long readErrors, long writeErrors, long timeouts,
                  double p99ms, String raw) {
        long failed() { return non2xx + connectErrors + readErrors + writeErrors + timeouts; }

        @Override public String toString() {
            return requests + " requests, " + failed() + " failed (non-2xx " + non2xx + ", connect " + connectErrors
                    + ", read " + readErrors + ", write " + writeErrors + ", timeout " + timeouts + "), p99 " + p99ms
                    + " ms";
        }
    }

    private final Process process;
    private final Path out;

    private Wrk(Process process, Path out) {
        this.process = process;
        this.out = out;
    }

    /** Starts wrk in the background against {@code url} for {@code seconds}. */
    static Wrk start(Path dir, String url, int connections, int seconds) {
        return start(dir, url, connections, seconds, null);
    }

    /** With a Lua script (wrk's {@code -s}), e.g. to vary the request path. */
    static Wrk start(Path dir, String url, int connections, int seconds, String lua) {
        try {
            Path out = Files.createTempFile(dir, "wrk-", ".txt");
            java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(Bed.WRK.toString(), "-t2",
                    "-c" + connections, "-d" + seconds + "s", "--latency", "--timeout", "10s"));
            if (lua != null) {
                cmd.add("-s");
                cmd.add(Files.writeString(Files.createTempFile(dir, "wrk-", ".lua"), lua).toString());
            }
            cmd.add(url);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            return new Wrk(p, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Result await() {
        try {
            if (!process.waitFor(300, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("wrk did not finish within 300 s");
            }
            return parse(Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Result parse(String s) {
        Matcher req = Pattern.compile("(\\d+) requests in").matcher(s);
        if (!req.find()) throw new AssertionError("wrk printed no request count:\n" + s);
        Matcher non = Pattern.compile("Non-2xx or 3xx responses: (\\d+)").matcher(s);
        Matcher err = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)")
                .matcher(s);
        boolean e = err.find();
        Matcher p99 = Pattern.compile("\\s99%\\s+([0-9.]+)(us|ms|s)").matcher(s);
        double p = 0;
        if (p99.find()) {
            p = Double.parseDouble(p99.group(1));
            p = switch (p99.group(2)) {
                case "us" -> p / 1000;
                case "s" -> p * 1000;
                default -> p;
            };
        }
        return new Result(Long.parseLong(req.group(1)), non.find() ? Long.parseLong(non.group(1)) : 0,
                e ? Long.parseLong(err.group(1)) : 0, e ? Long.parseLong(err.group(2)) : 0,
                e ? Long.parseLong(err.group(3)) : 0, e ? Long.parseLong(err.group(4)) : 0, p, s);
    }
}
