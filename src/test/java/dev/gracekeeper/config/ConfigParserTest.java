package dev.gracekeeper.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gracekeeper.os.ProcessSelector;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigParserTest {
    static final String TOKEN = "Zq8-secret-hook-token-4fV2";
    static final String VALID_PORT = "valid: an integer 1-65535";
    static final String VALID_BIND = "valid: an IPv4 or IPv6 literal, e.g. 0.0.0.0, ::, 127.0.0.1";
    static final String VALID_TOKEN = "valid: at least 16 printable ASCII characters, no spaces";
    static final String VALID_ALLOW = "valid: comma-separated CIDRs, e.g. 10.0.0.0/8,fd00::/8";
    static final String VALID_GRACE = "valid: a duration 1s-1h, equal to the pod's terminationGracePeriodSeconds";
    static final String VALID_DELAY = "valid: a duration 0ms-10m with a unit: ms, s, m or h,"
            + " below grace period - stop reserve";
    static final String VALID_SIGNAL = "valid: a signal name such as SIGQUIT, SIGTERM, SIGINT, SIGHUP, SIGUSR1,"
            + " SIGUSR2, SIGWINCH; needs GRACEKEEPER_APP_PROCESS";
    static final String VALID_PROCESS = "valid: a regex searched in /proc/<pid>/cmdline (arguments joined by"
            + " spaces), or pidfile:<absolute path>";
    static final String VALID_URL = "valid: an http:// or https:// URL";

    /** Variables whose every value is valid: they have no row in {@link #badValues()}. */
    static final Set<Var> FREE_TEXT = EnumSet.of(Var.TERMINATION_MESSAGE_PATH, Var.POD_NAME, Var.POD_NAMESPACE,
            Var.POD_UID, Var.KUBERNETES_SERVICE_HOST);
    /** What endpoints mode needs besides the mode itself. */
    static final Map<String, String> IN_A_POD = Map.of("POD_UID", "6c1f0e55", "KUBERNETES_SERVICE_HOST", "10.96.0.1");

    /** A loopback bind, so the hook-security rule stays out of the way, plus the given pairs. */
    static Map<String, String> env(String... pairs) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GRACEKEEPER_BIND_ADDRESS", "127.0.0.1");
        for (int i = 0; i < pairs.length; i += 2) env.put(pairs[i], pairs[i + 1]);
        return env;
    }

    static List<String> problems(Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> ConfigParser.parse(env),
                () -> "expected a ConfigException for " + env).problems();
    }

    static final String VALID_EXIT_AT = "valid: an integer 0-65535; above 0 needs GRACEKEEPER_APP_PORTS";

    static Arguments bad(Var v, String value, String problem) {
        return bad(v, value, Map.of(), problem);
    }

    static Arguments bad(Var v, String value, Map<String, String> context, String problem) {
        return Arguments.of(v, value, context, problem);
    }

    static Stream<Arguments> badValues() {
        Map<String, String> withDrainUrl = Map.of("GRACEKEEPER_APP_DRAIN_URL", "http://127.0.0.1:8080/drain");
        Map<String, String> withProcess = Map.of("GRACEKEEPER_APP_PROCESS", "nginx: master");
        return Stream.of(
                bad(Var.PORT, "0", "GRACEKEEPER_PORT='0' is not a port number; " + VALID_PORT),
                bad(Var.PORT, "65536", "GRACEKEEPER_PORT='65536' is not a port number; " + VALID_PORT),
                bad(Var.PORT, "123456", "GRACEKEEPER_PORT='123456' is not a port number; " + VALID_PORT),
                bad(Var.PORT, "-1", "GRACEKEEPER_PORT='-1' is not a port number; " + VALID_PORT),
                bad(Var.PORT, "http", "GRACEKEEPER_PORT='http' is not a port number; " + VALID_PORT),
                bad(Var.BIND_ADDRESS, "localhost", "GRACEKEEPER_BIND_ADDRESS='localhost' is not an IP address literal"
                        + " (host names are not resolved); " + VALID_BIND),
                bad(Var.BIND_ADDRESS, "256.0.0.1", "GRACEKEEPER_BIND_ADDRESS='256.0.0.1' is not an IP address literal"
                        + " (host names are not resolved); " + VALID_BIND),
                bad(Var.BIND_ADDRESS, "1::2::3", "GRACEKEEPER_BIND_ADDRESS='1::2::3' is not an IP address literal"
                        + " (host names are not resolved); " + VALID_BIND),
                bad(Var.STATE_DIR, "var/run/gracekeeper", "GRACEKEEPER_STATE_DIR='var/run/gracekeeper' is not an"
                        + " absolute path; valid: an existing, writable directory"),
                bad(Var.HOOK_TOKEN, "hunter2", "GRACEKEEPER_HOOK_TOKEN: too short (7 characters); " + VALID_TOKEN
                        + ", e.g. from `openssl rand -hex 16`"),
                bad(Var.HOOK_TOKEN, "0123456789abcde", "GRACEKEEPER_HOOK_TOKEN: too short (15 characters); "
                        + VALID_TOKEN + ", e.g. from `openssl rand -hex 16`"),
                bad(Var.HOOK_TOKEN, "01234567 89abcdef", "GRACEKEEPER_HOOK_TOKEN: contains a space, control or"
                        + " non-ASCII character; " + VALID_TOKEN),
                bad(Var.HOOK_TOKEN, "0123456789abcdef\u00e9", "GRACEKEEPER_HOOK_TOKEN: contains a space, control or"
                        + " non-ASCII character; " + VALID_TOKEN),
                bad(Var.HOOK_ALLOW_FROM, "10.1.2.3/8", "GRACEKEEPER_HOOK_ALLOW_FROM='10.1.2.3/8' entry '10.1.2.3/8':"
                        + " host bits are set; did you mean 10.0.0.0/8?; " + VALID_ALLOW),
                bad(Var.HOOK_ALLOW_FROM, "10.0.0.0/8, 10.0.0.0/33", "GRACEKEEPER_HOOK_ALLOW_FROM='10.0.0.0/8,"
                        + " 10.0.0.0/33' entry '10.0.0.0/33': prefix length '33' is not 0-32; " + VALID_ALLOW),
                bad(Var.HOOK_ALLOW_FROM, "fd00::/129", "GRACEKEEPER_HOOK_ALLOW_FROM='fd00::/129' entry 'fd00::/129':"
                        + " prefix length '129' is not 0-128; " + VALID_ALLOW),
                bad(Var.HOOK_ALLOW_FROM, "nodes", "GRACEKEEPER_HOOK_ALLOW_FROM='nodes' entry 'nodes': 'nodes' is not"
                        + " an IPv4 or IPv6 address; " + VALID_ALLOW),
                bad(Var.HOOK_ALLOW_FROM, "10.0.0.0/8,", "GRACEKEEPER_HOOK_ALLOW_FROM='10.0.0.0/8,' has an empty"
                        + " entry; " + VALID_ALLOW),
                bad(Var.HOOK_AUTH, "off", "GRACEKEEPER_HOOK_AUTH='off' is not a known mode; valid: auto or none"),
                bad(Var.HOOK_AUTH, "NONE", "GRACEKEEPER_HOOK_AUTH='NONE' is not a known mode; valid: auto or none"),
                bad(Var.GRACE_PERIOD, "30", "GRACEKEEPER_GRACE_PERIOD='30' has no unit (write 30s or 30000ms); "
                        + VALID_GRACE),
                bad(Var.GRACE_PERIOD, "thirty", "GRACEKEEPER_GRACE_PERIOD='thirty' is not a duration; " + VALID_GRACE),
                bad(Var.GRACE_PERIOD, "999ms", "GRACEKEEPER_GRACE_PERIOD='999ms' is out of range; " + VALID_GRACE),
                bad(Var.GRACE_PERIOD, "61m", "GRACEKEEPER_GRACE_PERIOD='61m' is out of range; " + VALID_GRACE),
                bad(Var.STOP_RESERVE, "2h", "GRACEKEEPER_STOP_RESERVE='2h' is out of range;"
                        + " valid: a duration 1s-1h, below the grace period"),
                // Below 1 s the sidecar's own exit (1 s before SIGKILL) would come after the budget.
                bad(Var.STOP_RESERVE, "500ms", "GRACEKEEPER_STOP_RESERVE='500ms' is out of range;"
                        + " valid: a duration 1s-1h, below the grace period"),
                bad(Var.STOP_RESERVE, "0s", "GRACEKEEPER_STOP_RESERVE='0s' is out of range;"
                        + " valid: a duration 1s-1h, below the grace period"),
                bad(Var.STOP_RESERVE, "30s", "GRACEKEEPER_STOP_RESERVE 30s leaves nothing of GRACEKEEPER_GRACE_PERIOD"
                        + " 30s; valid: a stop reserve below the grace period"),
                bad(Var.DRAIN_DELAY, "5", "GRACEKEEPER_DRAIN_DELAY='5' has no unit (write 5s or 5000ms); "
                        + VALID_DELAY),
                bad(Var.DRAIN_DELAY, "11m", "GRACEKEEPER_DRAIN_DELAY='11m' is out of range; " + VALID_DELAY),
                bad(Var.DRAIN_DELAY, "25s", "GRACEKEEPER_DRAIN_DELAY 25s does not fit: the shutdown must end by"
                        + " GRACEKEEPER_GRACE_PERIOD 30s - GRACEKEEPER_STOP_RESERVE 5s = 25s after the first trigger;"
                        + " valid: a delay below 25s, or a longer grace period (terminationGracePeriodSeconds too)"),
                bad(Var.DRAIN_TIMEOUT, "soon", "GRACEKEEPER_DRAIN_TIMEOUT='soon' is not a duration;"
                        + " valid: a duration, at most what the budget leaves after the delay"),
                bad(Var.DRAIN_TIMEOUT, "21s", "GRACEKEEPER_DRAIN_TIMEOUT 21s can never apply: the budget leaves at"
                        + " most 20s for the app to drain (GRACEKEEPER_GRACE_PERIOD 30s - GRACEKEEPER_STOP_RESERVE 5s"
                        + " - GRACEKEEPER_DRAIN_DELAY 5s); valid: at most 20s, or unset"),
                bad(Var.DRAIN_EXIT_AT_CONNECTIONS, "one", Map.of("GRACEKEEPER_APP_PORTS", "8080"),
                        "GRACEKEEPER_DRAIN_EXIT_AT_CONNECTIONS='one' is not a whole number of connections; "
                        + VALID_EXIT_AT),
                bad(Var.DRAIN_EXIT_AT_CONNECTIONS, "-1", Map.of("GRACEKEEPER_APP_PORTS", "8080"),
                        "GRACEKEEPER_DRAIN_EXIT_AT_CONNECTIONS='-1' is not a whole number of connections; "
                        + VALID_EXIT_AT),
                bad(Var.DRAIN_EXIT_AT_CONNECTIONS, "70000", Map.of("GRACEKEEPER_APP_PORTS", "8080"),
                        "GRACEKEEPER_DRAIN_EXIT_AT_CONNECTIONS='70000' is not a whole number of connections; "
                        + VALID_EXIT_AT),
                bad(Var.DRAIN_EXIT_AT_CONNECTIONS, "1", "GRACEKEEPER_DRAIN_EXIT_AT_CONNECTIONS='1' has no effect"
                        + " without GRACEKEEPER_APP_PORTS: only connections on the app ports are counted; valid: set"
                        + " GRACEKEEPER_APP_PORTS too, or leave it unset (0)"),
                bad(Var.APP_DRAIN_URL, "ftp://app/drain", "GRACEKEEPER_APP_DRAIN_URL='ftp://app/drain' is not an"
                        + " absolute http(s) URL with a host; " + VALID_URL),
                bad(Var.APP_DRAIN_URL, "/drain", "GRACEKEEPER_APP_DRAIN_URL='/drain' is not an absolute http(s) URL"
                        + " with a host; " + VALID_URL),
                bad(Var.APP_DRAIN_URL, "http://app/dr ain", "GRACEKEEPER_APP_DRAIN_URL='http://app/dr ain' is not a"
                        + " URL (Illegal character in path at index 13); " + VALID_URL),
                bad(Var.APP_DRAIN_METHOD, "PATCH", withDrainUrl, "GRACEKEEPER_APP_DRAIN_METHOD='PATCH' is not"
                        + " supported; valid: GET, POST, PUT or DELETE"),
                bad(Var.APP_DRAIN_METHOD, "post", withDrainUrl, "GRACEKEEPER_APP_DRAIN_METHOD='post' is not"
                        + " supported; valid: GET, POST, PUT or DELETE"),
                bad(Var.APP_DRAIN_METHOD, "PUT", "GRACEKEEPER_APP_DRAIN_METHOD is set but GRACEKEEPER_APP_DRAIN_URL is"
                        + " not, so no drain call would be made; valid: set both, or neither"),
                bad(Var.APP_DRAIN_SIGNAL, "SIGKILL", withProcess, "GRACEKEEPER_APP_DRAIN_SIGNAL='SIGKILL' cannot make"
                        + " an app drain: it cannot be caught; " + VALID_SIGNAL),
                bad(Var.APP_DRAIN_SIGNAL, "stop", withProcess, "GRACEKEEPER_APP_DRAIN_SIGNAL='stop' cannot make"
                        + " an app drain: it cannot be caught; " + VALID_SIGNAL),
                bad(Var.APP_DRAIN_SIGNAL, "SIGFOO", withProcess, "GRACEKEEPER_APP_DRAIN_SIGNAL='SIGFOO' is not a known"
                        + " signal; " + VALID_SIGNAL),
                bad(Var.APP_DRAIN_SIGNAL, "SIGQUIT", "GRACEKEEPER_APP_DRAIN_SIGNAL='SIGQUIT' needs"
                        + " GRACEKEEPER_APP_PROCESS to find the process to signal; valid: a regex over its command"
                        + " line, e.g. 'nginx: master', or pidfile:/run/nginx.pid"),
                bad(Var.APP_PROCESS, "nginx: master", "GRACEKEEPER_APP_PROCESS without GRACEKEEPER_APP_PORTS makes"
                        + " the idle wait wait for the app process to exit, but nothing tells it to: the kubelet"
                        + " signals the app only after the preStop hook returns, so every shutdown would use the"
                        + " whole budget; valid: also set GRACEKEEPER_APP_DRAIN_SIGNAL (e.g. SIGQUIT for nginx) or"
                        + " GRACEKEEPER_APP_DRAIN_URL (an endpoint after which the app exits), or set"
                        + " GRACEKEEPER_APP_PORTS to wait for connections instead"),
                bad(Var.APP_PROCESS, "pidfile:run/nginx.pid", "GRACEKEEPER_APP_PROCESS='pidfile:run/nginx.pid' names"
                        + " a pidfile by a relative path; " + VALID_PROCESS),
                bad(Var.APP_PROCESS, "nginx: [master", "GRACEKEEPER_APP_PROCESS='nginx: [master' is not a valid regex"
                        + " (Unclosed character class near index 13); " + VALID_PROCESS),
                bad(Var.APP_PORTS, "8080,http", "GRACEKEEPER_APP_PORTS='8080,http' entry 'http' is not a port;"
                        + " valid: comma-separated ports 1-65535"),
                bad(Var.APP_PORTS, "0", "GRACEKEEPER_APP_PORTS='0' entry '0' is not a port;"
                        + " valid: comma-separated ports 1-65535"),
                bad(Var.APP_PORTS, "8080,,8081", "GRACEKEEPER_APP_PORTS='8080,,8081' entry '' is not a port;"
                        + " valid: comma-separated ports 1-65535"),
                bad(Var.APP_READY_URL, "localhost:8080/ready", "GRACEKEEPER_APP_READY_URL='localhost:8080/ready' is"
                        + " not an absolute http(s) URL with a host; " + VALID_URL),
                bad(Var.APP_READY_URL, "http:///ready", "GRACEKEEPER_APP_READY_URL='http:///ready' is not an absolute"
                        + " http(s) URL with a host; " + VALID_URL),
                bad(Var.POSTSTART_TIMEOUT, "60", "GRACEKEEPER_POSTSTART_TIMEOUT='60' has no unit (write 60s or"
                        + " 60000ms); valid: a duration 0s-1h"),
                bad(Var.POSTSTART_TIMEOUT, "2h", "GRACEKEEPER_POSTSTART_TIMEOUT='2h' is out of range;"
                        + " valid: a duration 0s-1h"),
                bad(Var.POSTSTART_ON_TIMEOUT, "abort", "GRACEKEEPER_POSTSTART_ON_TIMEOUT='abort' is not a known"
                        + " policy; valid: proceed or fail"),
                bad(Var.PROPAGATION, "endpoint", IN_A_POD, "GRACEKEEPER_PROPAGATION='endpoint' is not a known mode;"
                        + " valid: delay or endpoints; endpoints needs POD_UID"),
                bad(Var.PROPAGATION, "endpoints", Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1"),
                        "GRACEKEEPER_PROPAGATION=endpoints needs POD_UID to find the pod in its EndpointSlices; valid:"
                        + " add to the sidecar's env: {name: POD_UID, valueFrom: {fieldRef: {fieldPath:"
                        + " metadata.uid}}}"),
                bad(Var.PROPAGATION, "endpoints", Map.of("POD_UID", "6c1f0e55"), "GRACEKEEPER_PROPAGATION=endpoints"
                        + " needs KUBERNETES_SERVICE_HOST, which the kubelet sets in every container of a pod; valid:"
                        + " run in a pod, or set it to the API server's address"),
                bad(Var.PROPAGATION_MARGIN, "1", "GRACEKEEPER_PROPAGATION_MARGIN='1' has no unit (write 1s or"
                        + " 1000ms); valid: a duration 0ms-10m, at most GRACEKEEPER_DRAIN_DELAY"),
                bad(Var.PROPAGATION_MARGIN, "6s", withEndpoints(), "GRACEKEEPER_PROPAGATION_MARGIN 6s is longer than"
                        + " its cap GRACEKEEPER_DRAIN_DELAY 5s, so the endpoints could never end the wait early; valid:"
                        + " a margin of at most 5s, or a longer GRACEKEEPER_DRAIN_DELAY"),
                bad(Var.SERVICEACCOUNT_DIR, "secrets", "GRACEKEEPER_SERVICEACCOUNT_DIR='secrets' is not an absolute"
                        + " path; valid: an absolute directory path"),
                bad(Var.KUBERNETES_SERVICE_PORT, "https", "KUBERNETES_SERVICE_PORT='https' is not a port number;"
                        + " valid: an integer 1-65535 (set by the kubelet)"));
    }

    static Map<String, String> withEndpoints() {
        Map<String, String> m = new LinkedHashMap<>(IN_A_POD);
        m.put("GRACEKEEPER_PROPAGATION", "endpoints");
        return m;
    }

    @Test
    void endpointsModeIsParsedIntoItsRecord() throws Exception {
        Map<String, String> env = env("GRACEKEEPER_PROPAGATION_MARGIN", "750ms", "KUBERNETES_SERVICE_PORT", "6443");
        env.putAll(withEndpoints());
        Propagation p = ConfigParser.parse(env).propagation();
        assertEquals(new Propagation(Propagation.Mode.ENDPOINTS, Duration.ofMillis(750),
                Path.of("/var/run/secrets/kubernetes.io/serviceaccount"), "10.96.0.1", 6443), p);
        assertEquals("https://10.96.0.1:6443", p.apiBase());
        assertEquals("https://[fd00::1]:443", new Propagation(Propagation.Mode.ENDPOINTS, Duration.ZERO, Path.of("/"),
                "fd00::1", 443).apiBase());
    }

    @Test
    void delayModeIsTheDefaultAndNeedsNothingOfTheCluster() throws Exception {
        Propagation p = ConfigParser.parse(env()).propagation();
        assertEquals(Propagation.Mode.DELAY, p.mode());
        assertEquals(Duration.ofSeconds(1), p.margin());
    }

    @ParameterizedTest(name = "{0}=''{1}''")
    @MethodSource("badValues")
    void badValueIsTheOnlyProblemAndNamesVariableValueAndWhatIsValid(Var v, String value, Map<String, String> context,
                                                                     String problem) {
        Map<String, String> env = env(v.envName(), value);
        env.putAll(context);
        assertEquals(List.of(problem), problems(env));
    }

    @Test
    void everyVariableWithConstrainedValuesHasABadValueCase() {
        Set<Var> covered = badValues().map(a -> (Var) a.get()[0]).collect(Collectors.toCollection(
                () -> EnumSet.noneOf(Var.class)));
        covered.addAll(FREE_TEXT);
        assertEquals(EnumSet.allOf(Var.class), covered);
    }

    @Test
    void exitAtConnectionsIsParsedWithTheAppPorts() throws Exception {
        Config c = ConfigParser.parse(env("GRACEKEEPER_APP_PORTS", "8080", "GRACEKEEPER_DRAIN_EXIT_AT_CONNECTIONS", "2"));
        assertEquals(2, c.app().drainExitAtConnections());
        assertEquals(0, ConfigParser.parse(env()).app().drainExitAtConnections(), "unset is 0: wait for every one");
    }

    @Test
    void freeTextVariablesAcceptAnyText() throws Exception {
        Config c = ConfigParser.parse(env("POD_NAME", "web-0 \u00fc", "POD_NAMESPACE", "prod", "POD_UID", "1-2-3",
                "GRACEKEEPER_TERMINATION_MESSAGE_PATH", "/tmp/termination log"));
        assertEquals(new Config.Pod("web-0 \u00fc", "prod", "1-2-3"), c.pod());
        assertEquals("prod/web-0 \u00fc", c.pod().describe());
        assertEquals(Path.of("/tmp/termination log"), c.terminationMessagePath());
        assertTrue(c.terminationMessageMayBeCreated(), "a path the user chose may be created");
    }

    @Test
    void portOutOfRangeNamesVariableValueAndRange() {
        assertEquals(List.of("GRACEKEEPER_PORT='70000' is not a port number; valid: an integer 1-65535"),
                problems(env("GRACEKEEPER_PORT", "70000")));
    }

    @Test
    void emptyEnvironmentWithLoopbackBindGivesTheCatalogueDefaults() throws Exception {
        Config c = ConfigParser.parse(env());
        assertEquals(8686, c.port());
        assertEquals(Optional.of(InetAddress.getLoopbackAddress()), c.bindAddress());
        assertFalse(c.reachableBeyondLoopback());
        assertEquals(Path.of("/var/run/gracekeeper"), c.stateDir());
        assertTrue(c.hookToken().isEmpty());
        assertEquals(List.of(), c.hookAllowFrom());
        assertEquals(Config.HookAuth.AUTO, c.hookAuth());
        assertEquals(new Budget(Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(5),
                Optional.empty()), c.budget());
        assertEquals(new AppConfig(Optional.empty(), "POST", Optional.empty(), Optional.empty(), List.of(),
                Optional.empty(), Duration.ofSeconds(60), false, 0), c.app());
        assertEquals(Path.of("/dev/termination-log"), c.terminationMessagePath());
        assertFalse(c.terminationMessageMayBeCreated(), "the kubelet creates the default itself");
        assertEquals(new Config.Pod("", "", ""), c.pod());
        assertEquals("(pod unknown)", c.pod().describe());
    }

    @Test
    void effectiveValuesCoverEveryVariableAndMarkDefaults() throws Exception {
        Map<Var, String> effective = ConfigParser.parse(env()).effective();
        assertEquals(EnumSet.allOf(Var.class), EnumSet.copyOf(effective.keySet()));
        assertEquals("8686 (default)", effective.get(Var.PORT));
        assertEquals("127.0.0.1", effective.get(Var.BIND_ADDRESS));
        assertEquals("(unset)", effective.get(Var.HOOK_TOKEN));
        assertEquals("auto (default)", effective.get(Var.HOOK_AUTH));
        assertEquals("30s (default)", effective.get(Var.GRACE_PERIOD));
        assertEquals("(unset)", effective.get(Var.DRAIN_TIMEOUT));
        assertEquals("(unset)", effective.get(Var.POD_NAME));
    }

    @Test
    void effectiveBindAddressSaysAllInterfacesWhenUnset() throws Exception {
        Map<String, String> env = env("GRACEKEEPER_HOOK_AUTH", "none");
        env.remove("GRACEKEEPER_BIND_ADDRESS");
        Config c = ConfigParser.parse(env);
        assertEquals(Optional.empty(), c.bindAddress());
        assertEquals("(all interfaces)", c.effective().get(Var.BIND_ADDRESS));
    }

    @Test
    void emptyStringMeansUnsetForEveryVariable() throws Exception {
        Map<String, String> allEmpty = env();
        for (Var v : Var.values()) {
            if (v != Var.BIND_ADDRESS) allEmpty.put(v.envName(), "");
        }
        assertEquals(ConfigParser.parse(env()), ConfigParser.parse(allEmpty));
    }

    @Test
    void invalidPortIsNotAlsoReportedAsOpenHooksOnPortZero() {
        Map<String, String> env = env("GRACEKEEPER_PORT", "http");
        env.remove("GRACEKEEPER_BIND_ADDRESS");
        assertEquals(List.of("GRACEKEEPER_PORT='http' is not a port number; " + VALID_PORT), problems(env));
    }

    @Test
    void invalidDrainUrlIsNotAlsoReportedAsMissingBesideTheMethod() {
        assertEquals(List.of("GRACEKEEPER_APP_DRAIN_URL='ftp://app/drain' is not an absolute http(s) URL with a host; "
                + VALID_URL), problems(env("GRACEKEEPER_APP_DRAIN_URL", "ftp://app/drain",
                "GRACEKEEPER_APP_DRAIN_METHOD", "PUT")));
    }

    @Test
    void invalidProcessIsNotAlsoReportedAsMissingBesideTheSignal() {
        assertEquals(List.of("GRACEKEEPER_APP_PROCESS='pidfile:run/nginx.pid' names a pidfile by a relative path; "
                + VALID_PROCESS), problems(env("GRACEKEEPER_APP_PROCESS", "pidfile:run/nginx.pid",
                "GRACEKEEPER_APP_DRAIN_SIGNAL", "SIGQUIT")));
    }

    @Test
    void valuesAreTrimmed() throws Exception {
        Config c = ConfigParser.parse(env("GRACEKEEPER_PORT", " 9000 ", "GRACEKEEPER_DRAIN_DELAY", "\t2s ",
                "GRACEKEEPER_APP_PORTS", " 80 , 443,80"));
        assertEquals(9000, c.port());
        assertEquals(Duration.ofSeconds(2), c.drainDelay());
        assertEquals(List.of(80, 443), c.app().ports());
    }

    @Test
    void validSettingsOfEveryKindParse() throws Exception {
        Config c = ConfigParser.parse(env(
                "GRACEKEEPER_PORT", "9000",
                "GRACEKEEPER_BIND_ADDRESS", "::1",
                "GRACEKEEPER_STATE_DIR", "/state",
                "GRACEKEEPER_HOOK_TOKEN", TOKEN,
                "GRACEKEEPER_HOOK_ALLOW_FROM", "10.0.0.0/8, fd00::/8",
                "GRACEKEEPER_GRACE_PERIOD", "60s",
                "GRACEKEEPER_STOP_RESERVE", "10s",
                "GRACEKEEPER_DRAIN_DELAY", "1500ms",
                "GRACEKEEPER_DRAIN_TIMEOUT", "40s",
                "GRACEKEEPER_APP_DRAIN_URL", "https://localhost:8443/drain",
                "GRACEKEEPER_APP_DRAIN_METHOD", "DELETE",
                "GRACEKEEPER_APP_DRAIN_SIGNAL", "quit",
                "GRACEKEEPER_APP_PROCESS", "pidfile:/run/nginx.pid",
                "GRACEKEEPER_APP_PORTS", "8080,8443",
                "GRACEKEEPER_APP_READY_URL", "http://127.0.0.1:8080/ready",
                "GRACEKEEPER_POSTSTART_TIMEOUT", "2m",
                "GRACEKEEPER_POSTSTART_ON_TIMEOUT", "fail"));
        assertEquals(9000, c.port());
        assertTrue(c.bindAddress().orElseThrow().isLoopbackAddress());
        assertEquals(16, c.bindAddress().orElseThrow().getAddress().length);
        assertEquals(Path.of("/state"), c.stateDir());
        assertTrue(c.hookToken().orElseThrow().matches(TOKEN));
        assertEquals("[10.0.0.0/8, fd00::/8]", c.hookAllowFrom().toString());
        assertEquals(new Budget(Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofMillis(1500),
                Optional.of(Duration.ofSeconds(40))), c.budget());
        AppConfig app = c.app();
        assertEquals(Optional.of(URI.create("https://localhost:8443/drain")), app.drainUrl());
        assertEquals("DELETE", app.drainMethod());
        assertEquals(Optional.of("SIGQUIT"), app.drainSignal());
        assertEquals(Optional.of(new ProcessSelector.PidFile(Path.of("/run/nginx.pid"))), app.process());
        assertEquals(List.of(8080, 8443), app.ports());
        assertEquals(Optional.of(URI.create("http://127.0.0.1:8080/ready")), app.readyUrl());
        assertEquals(Duration.ofMinutes(2), app.poststartTimeout());
        assertTrue(app.poststartFailOnTimeout());
    }

    @Test
    void processWithoutPortsIsAcceptedOnceSomethingTellsTheAppToExit() throws Exception {
        assertTrue(ConfigParser.parse(env("GRACEKEEPER_APP_PROCESS", "nginx: master",
                "GRACEKEEPER_APP_DRAIN_SIGNAL", "SIGQUIT")).app().ports().isEmpty());
        assertTrue(ConfigParser.parse(env("GRACEKEEPER_APP_PROCESS", "envoy",
                "GRACEKEEPER_APP_DRAIN_URL", "http://127.0.0.1:15000/quitquitquit")).app().ports().isEmpty());
    }

    @Test
    void onlyTheDrainSignalNeedsNativePosix() throws Exception {
        assertTrue(ConfigParser.parse(env("GRACEKEEPER_APP_PROCESS", "nginx: master",
                "GRACEKEEPER_APP_DRAIN_SIGNAL", "SIGQUIT")).app().needsNativePosix());
        assertFalse(ConfigParser.parse(env("GRACEKEEPER_APP_PROCESS", "nginx: master", "GRACEKEEPER_APP_PORTS", "80",
                "GRACEKEEPER_APP_DRAIN_URL", "http://127.0.0.1:8080/drain")).app().needsNativePosix(),
                "finding the app and waiting for it read /proc, and the drain URL is plain HTTP");
        assertFalse(ConfigParser.parse(env()).app().needsNativePosix());
    }

    @Test
    void processRegexIsCompiledAsGiven() throws Exception {
        AppConfig app = ConfigParser.parse(env("GRACEKEEPER_APP_PROCESS", "nginx: master",
                "GRACEKEEPER_APP_PORTS", "8080")).app();
        Pattern p = ((ProcessSelector.CmdlineRegex) app.process().orElseThrow()).pattern();
        assertTrue(p.matcher("nginx: master process nginx -g daemon off;").find());
        assertFalse(p.matcher("nginx: worker process").find());
    }

    @Test
    void severalProblemsAreAllReportedInOneException() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parse(env(
                "GRACEKEEPER_PORT", "http",
                "GRACEKEEPER_DRAIN_DELAY", "5",
                "GRACEKEEPER_HOOK_TOKNE", "x",
                "GRACEKEEPER_APP_PORTS", "80,x",
                "GRACEKEEPER_POSTSTART_ON_TIMEOUT", "retry")));
        List<String> expected = List.of(
                "GRACEKEEPER_HOOK_TOKNE: unknown variable (did you mean GRACEKEEPER_HOOK_TOKEN?); valid names: "
                        + knownNames(),
                "GRACEKEEPER_PORT='http' is not a port number; valid: an integer 1-65535",
                "GRACEKEEPER_DRAIN_DELAY='5' has no unit (write 5s or 5000ms); " + VALID_DELAY,
                "GRACEKEEPER_APP_PORTS='80,x' entry 'x' is not a port; valid: comma-separated ports 1-65535",
                "GRACEKEEPER_POSTSTART_ON_TIMEOUT='retry' is not a known policy; valid: proceed or fail");
        assertEquals(expected, e.problems());
        assertEquals("5 configuration problem(s):\n  " + String.join("\n  ", expected), e.getMessage());
    }

    @Test
    void problemListCannotBeChangedAfterTheFact() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigParser.parse(env("GRACEKEEPER_PORT", "0")));
        assertThrows(UnsupportedOperationException.class, () -> e.problems().add("more"));
    }

    static String knownNames() {
        return Stream.of(Var.values()).map(Var::envName).filter(n -> n.startsWith("GRACEKEEPER_"))
                .collect(Collectors.joining(", "));
    }

    static Stream<Arguments> misspelt() {
        return Stream.of(
                Arguments.of("GRACEKEEPER_HOOK_TOKNE", "GRACEKEEPER_HOOK_TOKEN"),
                Arguments.of("GRACEKEEPER_PROT", "GRACEKEEPER_PORT"),
                Arguments.of("GRACEKEEPER_DRAIN_DELAYS", "GRACEKEEPER_DRAIN_DELAY"),
                Arguments.of("GRACEKEEPER_BIND_ADDR", "GRACEKEEPER_BIND_ADDRESS"),
                Arguments.of("GRACEKEEPER_HOOK_ALLOWFROM", "GRACEKEEPER_HOOK_ALLOW_FROM"),
                Arguments.of("GRACEKEEPER_GRACEPERIOD", "GRACEKEEPER_GRACE_PERIOD"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("misspelt")
    void unknownVariableIsRejectedWithTheClosestKnownName(String name, String suggestion) {
        assertEquals(List.of(name + ": unknown variable (did you mean " + suggestion + "?); valid names: "
                + knownNames()), problems(env(name, "1")));
    }

    @Test
    void unknownVariableFarFromEveryNameGetsNoSuggestion() {
        assertEquals(List.of("GRACEKEEPER_DEBUG: unknown variable; valid names: " + knownNames()),
                problems(env("GRACEKEEPER_DEBUG", "true")));
    }

    @Test
    void knownNamesListEveryGracekeeperVariableAndNoPodVariable() {
        String names = knownNames();
        assertTrue(names.startsWith("GRACEKEEPER_PORT, GRACEKEEPER_BIND_ADDRESS, "), names);
        assertTrue(names.endsWith(", GRACEKEEPER_TERMINATION_MESSAGE_PATH"), names);
        assertFalse(names.contains("POD_"), names);
    }

    @Test
    void variablesWithoutTheGracekeeperPrefixAreIgnored() throws Exception {
        Config c = ConfigParser.parse(env("HOME", "/root", "PATH", "/usr/bin", "GRACEKEEPERPORT", "1",
                "KUBERNETES_SERVICE_HOST", "10.96.0.1"));
        assertEquals(8686, c.port());
    }

    @Test
    void unknownVariableValueIsNotEchoedBecauseItMayBeAMisspeltToken() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigParser.parse(env("GRACEKEEPER_HOOK_TOKN", TOKEN)));
        assertFalse(e.getMessage().contains(TOKEN), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean GRACEKEEPER_HOOK_TOKEN?"), e.getMessage());
    }

    static String openDoor(String where, int port) {
        return "hooks would be open to any pod: the server listens on " + where + ":" + port
                + " and none of GRACEKEEPER_HOOK_TOKEN, GRACEKEEPER_HOOK_ALLOW_FROM, GRACEKEEPER_HOOK_AUTH=none is"
                + " set. Set GRACEKEEPER_HOOK_TOKEN (e.g. from a Secret) and send it from each hook in the pod spec:\n"
                + "      lifecycle:\n"
                + "        preStop:\n"
                + "          httpGet:\n"
                + "            path: /shutdown\n"
                + "            port: " + port + "\n"
                + "            httpHeaders:\n"
                + "            - name: X-Gracekeeper-Token\n"
                + "              value: \"<the same token>\"\n"
                + "    or allow only the node's address with GRACEKEEPER_HOOK_ALLOW_FROM=<node CIDR>, or opt out"
                + " explicitly with GRACEKEEPER_HOOK_AUTH=none";
    }

    static Stream<Arguments> reachableBinds() {
        return Stream.of(
                Arguments.of(null, "all interfaces"),
                Arguments.of("", "all interfaces"),
                Arguments.of("0.0.0.0", "0.0.0.0"),
                Arguments.of("::", "0:0:0:0:0:0:0:0"),
                Arguments.of("10.1.2.3", "10.1.2.3"),
                Arguments.of("fd00::1", "fd00:0:0:0:0:0:0:1"));
    }

    @ParameterizedTest(name = "bind ''{0}''")
    @MethodSource("reachableBinds")
    void hooksReachableBeyondLoopbackWithoutTokenAllowlistOrOptOutRefuseToStart(String bind, String where) {
        Map<String, String> env = env("GRACEKEEPER_PORT", "9000");
        if (bind == null) env.remove("GRACEKEEPER_BIND_ADDRESS");
        else env.put("GRACEKEEPER_BIND_ADDRESS", bind);
        List<String> problems = problems(env);
        assertEquals(List.of(openDoor(where, 9000)), problems);
        assertTrue(problems.get(0).contains("            httpHeaders:\n            - name: X-Gracekeeper-Token\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.9.8.7", "::1"})
    void loopbackBindNeedsNoTokenAllowlistOrOptOut(String bind) throws Exception {
        Config c = ConfigParser.parse(env("GRACEKEEPER_BIND_ADDRESS", bind));
        assertFalse(c.reachableBeyondLoopback());
        assertEquals(Config.HookAuth.AUTO, c.hookAuth());
    }

    static Stream<Arguments> guards() {
        return Stream.of(
                Arguments.of("GRACEKEEPER_HOOK_TOKEN", TOKEN),
                Arguments.of("GRACEKEEPER_HOOK_ALLOW_FROM", "10.0.0.0/8"),
                Arguments.of("GRACEKEEPER_HOOK_AUTH", "none"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("guards")
    void tokenOrAllowlistOrExplicitOptOutEachLetHooksOpenToAllInterfacesStart(String name, String value)
            throws Exception {
        Map<String, String> env = env(name, value);
        env.remove("GRACEKEEPER_BIND_ADDRESS");
        Config c = ConfigParser.parse(env);
        assertTrue(c.reachableBeyondLoopback());
        assertEquals(name.equals("GRACEKEEPER_HOOK_TOKEN"), c.hookToken().isPresent());
        assertEquals(name.equals("GRACEKEEPER_HOOK_ALLOW_FROM"), !c.hookAllowFrom().isEmpty());
        assertEquals(name.equals("GRACEKEEPER_HOOK_AUTH") ? Config.HookAuth.NONE : Config.HookAuth.AUTO,
                c.hookAuth());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"GRACEKEEPER_HOOK_TOKEN", "GRACEKEEPER_HOOK_ALLOW_FROM"})
    void optOutTogetherWithATokenOrAllowlistIsAContradiction(String name) {
        Map<String, String> env = env("GRACEKEEPER_HOOK_AUTH", "none",
                name, name.endsWith("TOKEN") ? TOKEN : "10.0.0.0/8");
        env.remove("GRACEKEEPER_BIND_ADDRESS");
        List<String> problems = problems(env);
        assertEquals(List.of("GRACEKEEPER_HOOK_AUTH='none' contradicts GRACEKEEPER_HOOK_TOKEN/"
                + "GRACEKEEPER_HOOK_ALLOW_FROM being set; valid: unset GRACEKEEPER_HOOK_AUTH, or drop the token and"
                + " allowlist"), problems);
        assertFalse(problems.get(0).contains(TOKEN));
    }

    @Test
    void tokenOfExactlySixteenCharactersIsAccepted() throws Exception {
        Config c = ConfigParser.parse(env("GRACEKEEPER_HOOK_TOKEN", "0123456789abcdef"));
        assertTrue(c.hookToken().orElseThrow().matches("0123456789abcdef"));
        assertEquals("**** (set, 16 characters)", c.effective().get(Var.HOOK_TOKEN));
    }

    @Test
    void tokenIsTrimmedLikeEveryOtherValue() throws Exception {
        Config c = ConfigParser.parse(env("GRACEKEEPER_HOOK_TOKEN", "  " + TOKEN + "\n"));
        assertTrue(c.hookToken().orElseThrow().matches(TOKEN));
    }

    @Test
    void validTokenNeverAppearsInEffectiveValuesOrInTheConfigsText() throws Exception {
        Config c = ConfigParser.parse(env("GRACEKEEPER_HOOK_TOKEN", TOKEN));
        assertEquals("**** (set, " + TOKEN.length() + " characters)", c.effective().get(Var.HOOK_TOKEN));
        for (Map.Entry<Var, String> e : c.effective().entrySet()) {
            assertFalse(e.getValue().contains(TOKEN), e.getKey() + " shows the token");
        }
        assertFalse(c.toString().contains(TOKEN), c.toString());
        assertEquals("Optional[****]", c.hookToken().toString());
    }

    static Stream<Arguments> tokenInTrouble() {
        return Stream.of(
                Arguments.of("short, no guard", "s3cret!", Map.of("GRACEKEEPER_BIND_ADDRESS", "")),
                Arguments.of("space", "s3cret hook token value", Map.of()),
                Arguments.of("control", "s3cret-hook\u0007token-value", Map.of()),
                Arguments.of("contradiction", TOKEN, Map.of("GRACEKEEPER_HOOK_AUTH", "none")),
                Arguments.of("beside other problems", TOKEN, Map.of("GRACEKEEPER_PORT", "x",
                        "GRACEKEEPER_HOOK_ALLOW_FROM", "10.1.0.0/8", "GRACEKEEPER_BIND_ADDRESS", "host")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tokenInTrouble")
    void tokenValueIsNeverEchoedInAnyProblem(String why, String token, Map<String, String> more) {
        Map<String, String> env = env("GRACEKEEPER_HOOK_TOKEN", token);
        env.putAll(more);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parse(env));
        assertFalse(e.problems().isEmpty());
        for (String p : e.problems()) assertFalse(p.contains(token), p);
        assertFalse(e.getMessage().contains(token), e.getMessage());
    }
}
