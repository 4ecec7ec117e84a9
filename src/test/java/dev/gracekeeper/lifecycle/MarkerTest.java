package dev.gracekeeper.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class MarkerTest {
    static final Instant T0 = Instant.parse("2026-11-22T10:00:00.123Z");

    static Marker drained() {
        return new Marker("uid-1", 3, Phase.DRAINED, Optional.of(Trigger.PRESTOP_HOOK), Optional.of(T0),
                List.of("propagation-delay"), Optional.of(Outcome.DRAINED), Optional.of(T0.plusSeconds(5)),
                "waited", T0.plusSeconds(5));
    }

    @Test
    void formatThenParseGivesTheSameMarker() throws Exception {
        Marker m = drained();
        assertEquals(m, Marker.parse(m.format()));
    }

    @Test
    void servingMarkerWithEmptyShutdownFieldsRoundTrips() throws Exception {
        Marker m = new Marker("", 1, Phase.SERVING, Optional.empty(), Optional.empty(), List.of(), Optional.empty(),
                Optional.empty(), "", T0);
        assertEquals(m, Marker.parse(m.format()));
    }

    static Stream<Arguments> corruptions() {
        String good = drained().format();
        return Stream.of(
                Arguments.of(good.substring(0, good.length() - 20), "truncated: the last line has no newline"),
                Arguments.of(good.replace("format=1", "format=2"),
                        "format=2 is not supported (this version reads format 1)"),
                Arguments.of(good.replace("generation=3", "generatoin=3"), "line 5: unknown key 'generatoin'"),
                Arguments.of(good + "phase=serving\n", "line 14: key 'phase' appears twice"),
                Arguments.of(good.replace("generation=3", "generation=-3"),
                        "generation='-3' is not a positive integer"),
                Arguments.of(good.replace("phase=drained", "phase=done"),
                        "phase='done' is not serving, draining or drained"),
                Arguments.of(good.replace("outcome=drained", "outcome="), "phase=drained needs outcome and finished_at"),
                Arguments.of(good.replace("outcome=drained", "outcome=done"),
                        "outcome='done' is not drained, timed-out or failed"),
                Arguments.of(good.replace("pod_uid=uid-1", "pod_uid=uid\u001b[2J"),
                        "pod_uid='uid?[2J' is not a pod uid (up to 128 printable characters, no spaces)"),
                Arguments.of(good.replace("steps_done=propagation-delay", "steps_done=propagation-delay,Forged INFO"),
                        "steps_done='propagation-delay,Forged INFO' is not a comma-separated list of step names"
                                + " (a-z, 0-9, -)"),
                Arguments.of(good.replace("first_trigger=prestop-hook", "first_trigger=SIGKILL"),
                        "first_trigger='SIGKILL' is not prestop-hook, SIGTERM or SIGINT"),
                Arguments.of(good.replace("updated_at=", "updated_at=yesterday"),
                        "updated_at='yesterday2026-11-22T10:00:05.123Z' is not an ISO-8601 instant"),
                Arguments.of(good.replace("detail=waited\n", ""), "missing key 'detail'"),
                Arguments.of("\u0000\u0001garbage\n", "line 1: expected key=value, got '??garbage'"));
    }

    @ParameterizedTest
    @MethodSource("corruptions")
    void corruptMarkerIsRejectedWithWhereAndWhat(String text, String message) {
        Marker.FormatException e = assertThrows(Marker.FormatException.class, () -> Marker.parse(text));
        assertEquals(message, e.getMessage());
    }
}
