package dev.gracekeeper.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BudgetTest {
    static Duration s(long seconds) { return Duration.ofSeconds(seconds); }

    static Stream<Arguments> budgets() {
        return Stream.of(
                // grace, reserve, delay, timeout -> shutdown bound, exit bound, problem
                Arguments.of(s(30), s(5), s(5), null, s(25), s(29), null),
                // The Kubernetes docs' example: G=60 and an app that needs 10 s after SIGTERM. The shutdown
                // must end by 50 s, so a 55 s preStop cannot be configured, and 45 s leaves the app its 10 s.
                Arguments.of(s(60), s(10), s(45), null, s(50), s(59), null),
                Arguments.of(s(60), s(10), s(55), null, null, null,
                        "GRACEKEEPER_DRAIN_DELAY 55s does not fit: the shutdown must end by GRACEKEEPER_GRACE_PERIOD"
                                + " 60s - GRACEKEEPER_STOP_RESERVE 10s = 50s after the first trigger; valid: a delay"
                                + " below 50s, or a longer grace period (terminationGracePeriodSeconds too)"),
                Arguments.of(s(60), s(10), s(50), null, null, null,
                        "GRACEKEEPER_DRAIN_DELAY 50s does not fit: the shutdown must end by GRACEKEEPER_GRACE_PERIOD"
                                + " 60s - GRACEKEEPER_STOP_RESERVE 10s = 50s after the first trigger; valid: a delay"
                                + " below 50s, or a longer grace period (terminationGracePeriodSeconds too)"),
                Arguments.of(s(5), s(5), s(0), null, null, null,
                        "GRACEKEEPER_STOP_RESERVE 5s leaves nothing of GRACEKEEPER_GRACE_PERIOD 5s; valid: a stop"
                                + " reserve below the grace period"),
                Arguments.of(s(30), s(5), s(5), s(21), null, null,
                        "GRACEKEEPER_DRAIN_TIMEOUT 21s can never apply: the budget leaves at most 20s for the app to"
                                + " drain (GRACEKEEPER_GRACE_PERIOD 30s - GRACEKEEPER_STOP_RESERVE 5s -"
                                + " GRACEKEEPER_DRAIN_DELAY 5s); valid: at most 20s, or unset"),
                Arguments.of(s(30), s(5), s(5), s(20), s(25), s(29), null),
                // A short grace period: the exit bound never falls below the shutdown bound, and stays
                // 1 s before the kubelet's SIGKILL.
                Arguments.of(s(2), Duration.ofMillis(1500), Duration.ZERO, null, Duration.ofMillis(500), s(1), null),
                Arguments.of(s(2), s(1), Duration.ZERO, null, s(1), s(1), null));
    }

    @ParameterizedTest
    @MethodSource("budgets")
    void budgetArithmetic(Duration grace, Duration reserve, Duration delay, Duration timeout, Duration shutdownBound,
                          Duration exitBound, String problem) {
        Optional<String> p = Budget.check(grace, reserve, delay, Optional.ofNullable(timeout));
        assertEquals(Optional.ofNullable(problem), p);
        if (problem == null) {
            Budget b = new Budget(grace, reserve, delay, Optional.ofNullable(timeout));
            assertEquals(shutdownBound, b.shutdownBound());
            assertEquals(exitBound, b.exitBound());
        }
    }
}
