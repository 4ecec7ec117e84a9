package dev.gracekeeper.it;

import static dev.gracekeeper.it.HookIT.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The signal strategy against a real nginx: SIGQUIT is its graceful shutdown. */
class NginxIT {
    @TempDir Path state;
    @TempDir Path nginxDir;

    @BeforeEach
    void needsNginx() {
        assumeTrue(Nginx.installed(), "nginx is not installed at " + Nginx.BINARY
                + "; .ci/run installs it (apt-get install nginx-light)");
    }

    @Test
    void sigquitDrainFinishesInFlightRequestsClosesIdleKeepAlivesAndNginxExits() throws Exception {
        int appPort = Sidecar.freePort();
        int port = Sidecar.freePort();
        try (App app = App.start(appPort, 0, 0, true);
             Nginx nginx = Nginx.start(nginxDir, port, appPort);
             Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_DRAIN_DELAY", "200ms",
                     "GRACEKEEPER_APP_DRAIN_SIGNAL", "SIGQUIT",
                     "GRACEKEEPER_APP_PROCESS", "nginx: master process .*" + nginx.conf(),
                     "GRACEKEEPER_APP_PORTS", Integer.toString(port)));
             Socket idle = new Socket("127.0.0.1", port)) {
            idle.setSoTimeout(30_000);
            assertEquals("HTTP/1.1 200 OK", App.request(idle, "/ping"));
            CompletableFuture<String> slow = CompletableFuture.supplyAsync(() -> {
                try (Socket c = new Socket("127.0.0.1", port)) {
                    c.setSoTimeout(30_000);
                    return App.request(c, "/slow?ms=1500");
                } catch (java.io.IOException e) {
                    return "failed: " + e;
                }
            });
            s.await(Duration.ofSeconds(5), "the slow request reached the app",
                    () -> s.get("/metrics").statusCode() == 200 && !slow.isDone());
            long start = System.nanoTime();
            HttpResponse<String> r = s.get("/shutdown");
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals("HTTP/1.1 200 X", slow.join(), "the in-flight request finished");
            assertEquals("drained", field(r.body(), "outcome"), r.body() + "\n" + s.log() + "\n" + nginx.errorLog());
            assertTrue(r.body().contains("SIGQUIT sent to pid " + nginx.process.pid()), r.body());
            assertTrue(App.closedByServer(idle), "nginx closed the idle keep-alive connection");
            assertTrue(nginx.process.waitFor(10, TimeUnit.SECONDS), "nginx exited:\n" + nginx.errorLog());
            System.out.println("nginx SIGQUIT drain: /shutdown answered after " + ms + " ms (delay 200 ms,"
                    + " in-flight request of 1500 ms)");
        }
    }

    @Test
    void pidfileSelectorWithoutPortsWaitsForTheProcessToExit() throws Exception {
        int appPort = Sidecar.freePort();
        int port = Sidecar.freePort();
        try (App app = App.start(appPort, 0, 0, true);
             Nginx nginx = Nginx.start(nginxDir, port, appPort)) {
            Sidecar.poll(Duration.ofSeconds(5), "nginx wrote its pidfile",
                    () -> java.nio.file.Files.exists(nginxDir.resolve("nginx.pid")));
            try (Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_DRAIN_DELAY", "0s",
                    "GRACEKEEPER_APP_DRAIN_SIGNAL", "QUIT",
                    "GRACEKEEPER_APP_PROCESS", "pidfile:" + nginxDir.resolve("nginx.pid")))) {
                String body = s.get("/shutdown").body();
                assertEquals("drained", field(body, "outcome"), body);
                assertTrue(body.contains("app process " + nginx.process.pid() + " exited after"), body);
                assertTrue(nginx.process.waitFor(5, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void processThatCannotBeFoundIsReportedWithTheHintAboutShareProcessNamespace() {
        try (Sidecar s = Sidecar.start(state, Map.of("GRACEKEEPER_DRAIN_DELAY", "0s",
                "GRACEKEEPER_APP_DRAIN_SIGNAL", "SIGQUIT", "GRACEKEEPER_APP_PROCESS", "no-such-app-[0-9a-f]{32}"))) {
            String body = s.get("/shutdown").body();
            assertTrue(body.contains("SIGQUIT not sent: no process matches cmdline =~ /no-such-app-[0-9a-f]{32}/"),
                    body);
            assertTrue(body.contains("shareProcessNamespace: true"), body);
        }
    }
}
