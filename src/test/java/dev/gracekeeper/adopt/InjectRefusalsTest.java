package dev.gracekeeper.adopt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What inject refuses: nothing on stdout, every reason on stderr naming what and where, and the exit code. */
class InjectRefusalsTest {
    static final String TWO = Fixtures.POD_SPEC + "- {name: log-shipper, image: shipper:1}\n";

    static String preStop(String handler) {
        return Fixtures.POD_SPEC + "  lifecycle:\n    preStop:\n      " + handler + "\n";
    }

    static Stream<Arguments> refusals() {
        String deploy = Fixtures.workload("Deployment");
        return Stream.of(
                Arguments.of("an ambiguous pod", Fixtures.workload("Deployment", TWO), new String[] {"--emit-secret"}, 1,
                        "Deployment shop/web: 2 containers (app, log-shipper) and no --container"),
                Arguments.of("a container that is not there", deploy, new String[] {"--emit-secret", "--container", "api"},
                        1, "no container named 'api' (--container); its containers: app"),
                Arguments.of("an existing preStop", Fixtures.workload("Deployment", preStop("exec: {command: [/bin/quit]}")),
                        new String[] {"--emit-secret"}, 1, "container app has a preStop (exec [/bin/quit])"),
                Arguments.of("a sleep preStop", Fixtures.workload("Deployment", preStop("exec: {command: [sleep, '7']}")),
                        new String[] {"--emit-secret"}, 1, "--replace-prestop, and its 7s become GRACEKEEPER_DRAIN_DELAY"),
                Arguments.of("a delay beyond the budget", deploy, new String[] {"--emit-secret", "--drain-delay", "40s"}, 1,
                        "GRACEKEEPER_DRAIN_DELAY 40s does not fit"),
                Arguments.of("a delay without a unit", deploy, new String[] {"--emit-secret", "--drain-delay", "5"}, 1,
                        "[GRACEKEEPER_DRAIN_DELAY from --drain-delay]"),
                Arguments.of("an uncatchable signal", deploy, new String[] {"--emit-secret", "--drain-signal", "SIGKILL",
                        "--app-process", "app"}, 1, "cannot make an app drain"),
                Arguments.of("a signal without a process", deploy, new String[] {"--emit-secret", "--drain-signal",
                        "SIGQUIT"}, 1, "needs GRACEKEEPER_APP_PROCESS"),
                Arguments.of("a drain URL that is not http", deploy, new String[] {"--emit-secret", "--drain-url",
                        "ftp://x/drain"}, 1, "GRACEKEEPER_APP_DRAIN_URL='ftp://x/drain'"),
                Arguments.of("a port that is not one", deploy, new String[] {"--emit-secret", "--port", "http"}, 1,
                        "GRACEKEEPER_PORT='http' is not a port number"),
                Arguments.of("a port the app uses", deploy, new String[] {"--emit-secret", "--port", "8080"}, 1,
                        "container app already uses port 8080"),
                Arguments.of("no way to know the token", deploy, new String[0], 1, "pass --emit-secret"),
                Arguments.of("a token Secret that is not base64", deploy + "---\napiVersion: v1\nkind: Secret\n"
                        + "metadata: {name: gk, namespace: shop}\ndata: {token: '%%%not-base64'}\n",
                        new String[] {"--token-secret", "gk"}, 2, "Secret gk in namespace shop: data.token is not base64"),
                Arguments.of("a sleep too long to be one", Fixtures.workload("Deployment",
                        preStop("exec: {command: [sleep, '99999999999999999999']}")), new String[] {"--emit-secret"}, 1,
                        "container app has a preStop (exec [sleep, 99999999999999999999])"),
                Arguments.of("a classic sidecar in a Job", Fixtures.workload("Job"), new String[] {"--emit-secret",
                        "--classic"}, 1, "the Job would never complete"),
                Arguments.of("a classic sidecar that cannot see the app", Fixtures.workload("Deployment",
                        "containers:\n- {name: app, image: a:1}\n"), new String[] {"--emit-secret", "--classic"}, 1,
                        "declares no TCP port"),
                Arguments.of("a --set value the sidecar refuses", deploy, new String[] {"--emit-secret", "--set",
                        "GRACEKEEPER_POSTSTART_ON_TIMEOUT=maybe"}, 1,
                        "[GRACEKEEPER_POSTSTART_ON_TIMEOUT from --set GRACEKEEPER_POSTSTART_ON_TIMEOUT]"),
                Arguments.of("--set of a variable inject owns", deploy, new String[] {"--set", "GRACEKEEPER_GRACE_PERIOD=9s"},
                        2, "--set GRACEKEEPER_GRACE_PERIOD: inject sets it from the workload"),
                Arguments.of("--set of no sidecar variable", deploy, new String[] {"--set", "GRACEKEEPER_NOPE=1"}, 2,
                        "--set 'GRACEKEEPER_NOPE=1' is not NAME=VALUE with a sidecar variable"),
                Arguments.of("an unknown option", deploy, new String[] {"--drain-dealy", "5s"}, 2, "unknown option --drain-dealy"),
                Arguments.of("an option that takes the input as its value", deploy, new String[] {"--image"}, 2,
                        "no input: name a FILE, or - for stdin"),
                Arguments.of("a token file that is not there", deploy, new String[] {"--token-file", "/nonexistent/t"}, 2,
                        "--token-file /nonexistent/t: cannot read it"),
                Arguments.of("a bad Secret name", deploy, new String[] {"--token-secret", "Bad_Name"}, 2,
                        "not a valid Secret name"),
                Arguments.of("YAML that is not", "kind: [a\n", new String[0], 2, "stdin: not valid YAML or JSON"),
                Arguments.of("a Deployment without a template", "kind: Deployment\nmetadata: {name: x}\nspec: {}\n",
                        new String[0], 2, "Deployment x (document 1): no spec.template.spec.containers"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusesWithTheReasonAndWritesNothing(String what, String manifest, String[] options, int exit, String says) {
        Cli r = Cli.inject(manifest, options);
        assertEquals(exit, r.exit(), what + ": " + r);
        assertEquals("", r.out(), what + ": nothing on stdout");
        assertTrue(r.err().contains(says), what + ": expected '" + says + "' in\n" + r.err());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void everyRefusedWorkloadIsListedNotJustTheFirst(String what, String manifest, String[] options, int exit, String says) {
        if (exit != 1) return;
        Cli r = Cli.inject(manifest + "---\n" + manifest.replace("name: web", "name: web2"), options);
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("2 workload(s) refused") && r.err().contains("web2"), what + ": " + r.err());
    }
}
