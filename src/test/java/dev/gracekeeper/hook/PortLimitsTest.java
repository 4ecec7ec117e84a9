package dev.gracekeeper.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gracekeeper.os.FdLimit;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PortLimitsTest {
    @ParameterizedTest(name = "descriptor limit {0} -> {1} connections + {2} queued")
    @CsvSource({
        "1048576, 1024, 128",
        "20000,   1024, 128",
        "1024,     640, 128",
        "256,      144,  48",
        "16,         9,   3",
        "1,          1,   1",
    })
    void connectionsAndQueueStayBelowTheDescriptorLimitWithAReserve(long soft, int connections, int slack) {
        PortLimits l = PortLimits.forDescriptors(Optional.of(new FdLimit(soft, soft)));
        assertEquals(new PortLimits(connections, slack), l);
        if (soft > 1) assertTrue(l.connections() + l.slack() < soft, "below the limit: " + l);
    }

    @ParameterizedTest(name = "unknown limit -> the fixed bound")
    @CsvSource("1024, 128")
    void anUnknownLimitGivesTheFixedBound(int connections, int slack) {
        assertEquals(new PortLimits(connections, slack), PortLimits.forDescriptors(Optional.empty()));
    }
}
