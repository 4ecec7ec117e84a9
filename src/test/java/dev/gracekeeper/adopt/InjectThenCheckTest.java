package dev.gracekeeper.adopt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** check finds nothing in inject's output, over every kind, sidecar mode, readiness probe, drain and preStop. */
class InjectThenCheckTest {
    static final List<String> PROBES = List.of("", "  readinessProbe: {httpGet: {path: /ready, port: http}}\n",
            "  readinessProbe: {exec: {command: [cat, /ready]}}\n", "  readinessProbe: {tcpSocket: {port: 8080}}\n");
    static final List<List<String>> DRAINS = List.of(List.of(), List.of("--drain-url", "http://127.0.0.1:8080/drain"),
            List.of("--drain-signal", "SIGQUIT", "--app-process", "app"));
    static final List<String> PRESTOPS = List.of("", "  lifecycle: {preStop: {exec: {command: [sleep, '3']}}}\n");

    static Stream<Arguments> combinations() {
        List<Arguments> out = new ArrayList<>();
        for (String kind : Workloads.KINDS) {
            for (boolean classic : List.of(false, true)) {
                if (classic && List.of("Job", "CronJob").contains(kind)) continue;
                for (int p = 0; p < PROBES.size(); p++) {
                    for (int d = 0; d < DRAINS.size(); d++) {
                        for (int s = 0; s < PRESTOPS.size(); s++) out.add(Arguments.of(kind, classic, p, d, s));
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} classic={1} probe={2} drain={3} preStop={4}")
    @MethodSource("combinations")
    void checkIsCleanOnInjectsOutput(String kind, boolean classic, int probe, int drain, int preStop) {
        List<String> options = new ArrayList<>(List.of("--emit-secret", "--replace-prestop"));
        if (classic) options.add("--classic");
        options.addAll(DRAINS.get(drain));
        String spec = InjectShapesTest.APP + PROBES.get(probe) + PRESTOPS.get(preStop);
        Cli r = Cli.inject(Fixtures.workload(kind, spec), options.toArray(String[]::new));
        assertEquals(0, r.exit(), r.toString());
        Cli check = Cli.check(r.out());
        assertEquals("1 workload(s) checked: 0 error(s), 0 warning(s)\n", check.out(), check + "\n" + r.out());
    }
}
