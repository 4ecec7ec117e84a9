package dev.gracekeeper.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FdLimitTest {
    @ParameterizedTest(name = "''{0}''")
    @CsvSource(delimiter = '|', value = {
        "Max open files            20000                20000                files     | 20000               | 20000",
        "Max open files            1024                 1048576              files     | 1024                | 1048576",
        "Max open files            unlimited            unlimited            files     | 9223372036854775807 | 9223372036854775807",
    })
    void softAndHardAreReadFromTheLimitsLine(String line, long soft, long hard) {
        assertEquals(Optional.of(new FdLimit(soft, hard)), FdLimit.parse(line));
    }

    @ParameterizedTest(name = "''{0}''")
    @CsvSource(delimiter = '|', value = {"Max open files", "Max open files  lots  more  files"})
    void aLineThatIsNotTwoNumbersIsNoLimit(String line) {
        assertEquals(Optional.empty(), FdLimit.parse(line));
    }

    @Test
    void thisJvmRaisedItsSoftLimitToTheHardOne() {
        FdLimit l = FdLimit.ofThisProcess().orElseThrow();
        assertTrue(l.raisedToHard(), "-XX:+MaxFDLimit is on by default on Linux: " + l);
    }
}
