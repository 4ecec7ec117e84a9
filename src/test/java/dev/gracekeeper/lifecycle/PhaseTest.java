package dev.gracekeeper.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class PhaseTest {
    @Test
    void transitionsAreExactlyTheDocumentedOnes() {
        assertEquals(EnumSet.of(Phase.SERVING, Phase.DRAINING), Phase.SERVING.next());
        assertEquals(EnumSet.of(Phase.DRAINED), Phase.DRAINING.next());
        assertEquals(EnumSet.of(Phase.SERVING), Phase.DRAINED.next());
        assertEquals(EnumSet.of(Phase.DRAINING, Phase.SERVING), Phase.INTERRUPTED.next());
    }

    @Test
    void onlyServingIsReady() {
        assertTrue(Phase.SERVING.ready());
        for (Phase p : EnumSet.complementOf(EnumSet.of(Phase.SERVING))) assertFalse(p.ready(), p.name());
    }
}
