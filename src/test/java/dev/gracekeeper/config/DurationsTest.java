package dev.gracekeeper.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
    static Stream<Arguments> parsed() {
        return Stream.of(
                Arguments.of("0ms", Duration.ZERO),
                Arguments.of("0s", Duration.ZERO),
                Arguments.of("500ms", Duration.ofMillis(500)),
                Arguments.of("1500ms", Duration.ofMillis(1500)),
                Arguments.of("5s", Duration.ofSeconds(5)),
                Arguments.of("90s", Duration.ofSeconds(90)),
                Arguments.of("2m", Duration.ofMinutes(2)),
                Arguments.of("1h", Duration.ofHours(1)),
                Arguments.of("007s", Duration.ofSeconds(7)),
                Arguments.of("999999999ms", Duration.ofMillis(999_999_999)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("parsed")
    void numberWithAUnitParsesToThatDuration(String text, Duration expected) {
        assertEquals(Optional.of(expected), Durations.parse(text));
    }

    static Stream<Arguments> formatted() {
        return Stream.of(
                Arguments.of(Duration.ZERO, "0s"),
                Arguments.of(Duration.ofMillis(1), "1ms"),
                Arguments.of(Duration.ofMillis(250), "250ms"),
                Arguments.of(Duration.ofMillis(1500), "1500ms"),
                Arguments.of(Duration.ofSeconds(5), "5s"),
                Arguments.of(Duration.ofMinutes(1), "60s"),
                Arguments.of(Duration.ofMinutes(10), "600s"),
                Arguments.of(Duration.ofHours(1), "3600s"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("formatted")
    void formatWritesWholeSecondsInSecondsAndTheRestInMilliseconds(Duration d, String text) {
        assertEquals(text, Durations.format(d));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formatted")
    void formattedDurationParsesBackToTheSameDuration(Duration d, String ignored) {
        assertEquals(Optional.of(d), Durations.parse(Durations.format(d)));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"0ms", "1ms", "999ms", "1s", "5s", "30s", "1m", "10m", "59m", "1h", "12h", "1001ms"})
    void parsedTextFormatsToTextThatParsesToTheSameDuration(String text) {
        Duration d = Durations.parse(text).orElseThrow();
        assertEquals(Optional.of(d), Durations.parse(Durations.format(d)));
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"5", "1.5s", "-1s", "5 s", "", "s", "ms", " 5s", "5s ", "+5s", "5S", "5sec", "5d", "5us",
            "5ns", "1m30s", "1e3ms", "0x10s", "1234567890s", "\u0665s", "\uff15s"})
    void textThatIsNotANumberWithAUnitIsRejected(String text) {
        assertEquals(Optional.empty(), Durations.parse(text));
    }
}
