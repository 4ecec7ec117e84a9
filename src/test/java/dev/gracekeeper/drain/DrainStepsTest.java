package dev.gracekeeper.drain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.gracekeeper.lifecycle.Clock;
import dev.gracekeeper.lifecycle.Figure;
import dev.gracekeeper.lifecycle.Lifecycle;
import dev.gracekeeper.lifecycle.Marker;
import dev.gracekeeper.lifecycle.MarkerStore;
import dev.gracekeeper.lifecycle.Outcome;
import dev.gracekeeper.lifecycle.Phase;
import dev.gracekeeper.lifecycle.ShutdownResult;
import dev.gracekeeper.lifecycle.ShutdownStep;
import dev.gracekeeper.lifecycle.Trigger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The propagation delay and the HTTP drain, each run as the lifecycle runs it. */
class DrainStepsTest {
    @TempDir Path dir;

    /** A clock that stands still: the delay's arithmetic is then exact, whatever the machine's speed. */
    static final class StillClock implements Clock {
        final Instant at = Instant.parse("2026-11-30T10:00:00Z");

        @Override public long nanoTime() { return 42_000_000_000L; }

        @Override public Instant now() { return at; }
    }

    ShutdownResult run(Clock clock, Duration bound, Optional<Instant> earlierT0, ShutdownStep step) throws Exception {
        MarkerStore store = new MarkerStore(dir);
        earlierT0.ifPresent(t0 -> store.write(new Marker("", 1, Phase.DRAINING, Optional.of(Trigger.PRESTOP_HOOK),
                Optional.of(t0), List.of(), Optional.empty(), Optional.empty(), "", t0), 1));
        Lifecycle l = new Lifecycle(store, store.load(""), List.of(step), clock, "", bound);
        return l.shutdown(Trigger.PRESTOP_HOOK, "").result().get(10, TimeUnit.SECONDS);
    }

    @Test
    void delayAlreadyOverAfterARestartDoesNotWaitAgain() throws Exception {
        StillClock clock = new StillClock();
        ShutdownResult r = run(clock, Duration.ofSeconds(25), Optional.of(clock.at.minusSeconds(10)),
                new PropagationDelay(Duration.ofSeconds(5), clock));
        assertEquals("propagation-delay: delay of 5000 ms already over (10000 ms since T0)", r.detail());
    }

    @Test
    void resumedDelayWaitsOnlyWhatIsLeftOfIt() throws Exception {
        StillClock clock = new StillClock();
        ShutdownResult r = run(clock, Duration.ofSeconds(25), Optional.of(clock.at.minusMillis(250)),
                new PropagationDelay(Duration.ofMillis(300), clock));
        assertEquals("propagation-delay: waited 50 ms (delay 300 ms from T0)", r.detail());
    }

    @Test
    void delayLongerThanTheBudgetIsCutToFitIt() throws Exception {
        StillClock clock = new StillClock();
        ShutdownResult r = run(clock, Duration.ofMillis(100), Optional.empty(),
                new PropagationDelay(Duration.ofMillis(300), clock));
        assertEquals("propagation-delay: waited 100 ms (delay 300 ms from T0; cut from 300 ms to fit the budget)",
                r.detail());
    }

    @Test
    void httpDrainCallsTheAppOnceAndRecordsItsStatus() throws Exception {
        HttpServer app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicReference<String> seen = new AtomicReference<>("");
        app.createContext("/drain", ex -> {
            seen.set(seen.get() + ex.getRequestMethod() + " " + ex.getRequestHeaders().getFirst("Connection") + ";");
            ex.sendResponseHeaders(202, -1);
            ex.close();
        });
        app.start();
        try {
            URI url = URI.create("http://127.0.0.1:" + app.getAddress().getPort() + "/drain");
            ShutdownResult r = run(Clock.SYSTEM, Duration.ofSeconds(25), Optional.empty(),
                    new HttpDrain(url, "POST", HttpClients.buildInBackground(false)));
            assertEquals("POST close;", seen.get(), "one call, on a connection the idle wait will not count");
            assertEquals(202L, r.figures().get(Figure.APP_DRAIN_HTTP_STATUS));
            assertTrue(r.detail().startsWith("app-drain-http: POST " + url + " -> 202 in "), r.detail());
            assertEquals(Outcome.DRAINED, r.outcome());
        } finally {
            app.stop(0);
        }
    }

    @Test
    void httpDrainThatCannotConnectIsReportedAndTheShutdownGoesOn() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        URI url = URI.create("http://127.0.0.1:" + closed + "/drain");
        ShutdownResult r = run(Clock.SYSTEM, Duration.ofSeconds(25), Optional.empty(),
                new HttpDrain(url, "POST", HttpClients.buildInBackground(false)));
        assertEquals(Outcome.DRAINED, r.outcome(), "a dead drain endpoint is not a failed shutdown");
        assertTrue(r.detail().contains(" failed after ") && r.detail().endsWith("; carrying on with the idle wait"),
                r.detail());
    }
}
