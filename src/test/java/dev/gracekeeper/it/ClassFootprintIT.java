package dev.gracekeeper.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What is not configured costs nothing: the real jar, started with {@code -Xlog:class+load}, loads
 * no class of OkHttp (with Kotlin, under it), of jnr-ffi, or of the JVM's management (JMX), unless a
 * configured feature needs it; each feature loads its own and not the others'. Every sidecar answers
 * /readyz and runs one shutdown with its drain first. jffi, the native layer under jnr-ffi, is
 * loaded by the first shutdown of a sidecar with app ports for the kernel's close events, and only
 * its few classes: none of jnr-ffi's generated bindings.
 */
class ClassFootprintIT {
    static final List<String> OKHTTP = List.of("okhttp3.", "okio.", "kotlin.");
    static final List<String> JNR_FFI = List.of("jnr.ffi.", "jnr.x86asm.", "jnr.a64asm.");
    static final String JFFI = "com.kenai.jffi.";
    /** jffi's classes the close events need (51 on JDK 17). */
    static final int JFFI_AT_MOST = 60;
    /**
     * The platform MBean server and its MXBeans. Some 20 classes of JMX still load: XNIO's ObjectName
     * and the factory that refuses the server, and ThreadMXBean for the idle wait's CPU accounting.
     */
    static final List<String> JMX = List.of("com.sun.jmx.mbeanserver.JmxMBeanServer", "javax.management.MBeanServerDelegate",
            "sun.management.MemoryImpl", "sun.management.ClassLoadingImpl", "java.lang.management.MemoryMXBean");

    @TempDir Path state;

    @Test
    void withoutADrainActionNoneOfOkHttpJnrFfiOrJmxLoads() throws Exception {
        List<String> loaded = loadedClasses(Map.of());
        assertNone(loaded, OKHTTP);
        assertNone(loaded, JNR_FFI);
        long jffi = loaded.stream().filter(c -> c.startsWith(JFFI)).count();
        assertTrue(jffi <= JFFI_AT_MOST, "jffi for the close events only: " + jffi + " classes");
        assertNone(loaded, JMX);
        assertTrue(loaded.contains("io.undertow.Undertow"), "the log is of the sidecar: " + loaded.size() + " classes");
    }

    @Test
    void anHttpDrainLoadsOkHttpButNotJnrFfiNorTlsForAnHttpUrl() throws Exception {
        List<String> loaded = loadedClasses(Map.of("GRACEKEEPER_APP_DRAIN_URL", "http://127.0.0.1:1/drain"));
        assertTrue(loaded.contains("okhttp3.OkHttpClient"), "OkHttp makes the drain call");
        assertNone(loaded, JNR_FFI);
        assertNone(loaded, JMX);
        // An http:// URL needs no TLS: no TLS context, no trust store (OkHttp only lists the providers).
        assertNone(loaded, List.of("sun.security.ssl.SSLContextImpl", "sun.security.ssl.TrustStoreManager"));
    }

    @Test
    void aSignalDrainLoadsJffiButNeitherJnrFfiNorOkHttp() throws Exception {
        Process app = new ProcessBuilder("sleep", "60").start();
        try {
            Path pidfile = Files.writeString(state.resolve("app.pid"), app.pid() + "\n");
            List<String> loaded = loadedClasses(Map.of("GRACEKEEPER_APP_DRAIN_SIGNAL", "SIGTERM",
                    "GRACEKEEPER_APP_PROCESS", "pidfile:" + pidfile));
            assertTrue(loaded.stream().anyMatch(c -> c.startsWith(JFFI)), "jffi sends the signal");
            assertNone(loaded, JNR_FFI);
            assertTrue(app.waitFor(5, TimeUnit.SECONDS), "the signal was sent");
            assertNone(loaded, OKHTTP);
            assertNone(loaded, JMX);
        } finally {
            app.destroyForcibly();
        }
    }

    /** The classes a sidecar with {@code extra} loaded by the end of its first shutdown, in load order. */
    private List<String> loadedClasses(Map<String, String> extra) throws IOException {
        Path log = state.resolve("class-load.log");
        Map<String, String> env = new HashMap<>(extra);
        env.put("GRACEKEEPER_DRAIN_DELAY", "0s");
        env.putIfAbsent("GRACEKEEPER_APP_PORTS", Integer.toString(Sidecar.freePort()));
        env.put("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + log);
        try (Sidecar s = Sidecar.start(state, env)) {
            assertEquals(200, s.get("/readyz").statusCode(), s.log());
            assertEquals(200, s.get("/shutdown").statusCode(), s.log());
        }
        // One line per class: "[uptime][info][class,load] name source: ...".
        try (var lines = Files.lines(log)) {
            return lines.map(l -> l.split(" "))
                    .filter(f -> f.length > 1 && f[0].contains("class,load"))
                    .map(f -> f[1])
                    .collect(Collectors.toList());
        }
    }

    static void assertNone(List<String> loaded, List<String> prefixes) {
        List<String> found = loaded.stream().filter(c -> prefixes.stream().anyMatch(c::startsWith))
                .collect(Collectors.toList());
        assertTrue(found.isEmpty(), found.size() + " classes of " + prefixes + " loaded: "
                + found.stream().limit(10).collect(Collectors.joining(", ")));
    }
}
