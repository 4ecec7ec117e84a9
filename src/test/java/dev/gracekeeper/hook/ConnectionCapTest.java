package dev.gracekeeper.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionCapTest {
    final ConnectionCap<String> cap = new ConnectionCap<>(3);

    void fill() {
        for (String c : List.of("a", "b", "c")) assertNull(cap.admit(c), c + " fits");
    }

    @Test
    void belowTheLimitEveryConnectionIsAdmittedAndNoneClosed() {
        fill();
        assertEquals(3, cap.open());
    }

    @Test
    void atTheLimitTheOldestIdleConnectionMakesRoomForTheNewOne() {
        fill();
        assertEquals("a", cap.admit("d"));
        assertEquals("b", cap.admit("e"));
        assertEquals(3, cap.open());
    }

    @Test
    void aConnectionWithARequestInFlightIsNeverClosed() {
        fill();
        cap.requestStarted("a");
        assertEquals("b", cap.admit("d"));
        assertEquals("c", cap.admit("e"));
        assertEquals("d", cap.admit("f"));
    }

    @Test
    void whenEveryConnectionHasARequestInFlightTheNewOneIsRefused() {
        fill();
        List.of("a", "b", "c").forEach(cap::requestStarted);
        assertSame("d", cap.admit("d"), "the new one is closed");
        assertEquals(3, cap.open(), "the refused one is not counted");
        cap.requestEnded("b");
        assertEquals("b", cap.admit("e"), "answered, b is idle again");
    }

    @Test
    void aRecentlyAnsweredConnectionGoesAfterOnesIdleLonger() {
        fill();
        cap.requestStarted("a");
        cap.requestEnded("a");
        assertEquals("b", cap.admit("d"));
        assertEquals("c", cap.admit("e"));
        assertEquals("a", cap.admit("f"));
    }

    @Test
    void aClosedConnectionFreesItsPlace() {
        fill();
        cap.closed("b");
        assertNull(cap.admit("d"));
        cap.closed("b");
        assertEquals(3, cap.open(), "closing twice, or after being taken, changes nothing");
    }

    @Test
    void oldestIdleOnesCanBeTakenToFreeDescriptors() {
        fill();
        cap.requestStarted("a");
        assertEquals(List.of("b", "c"), cap.takeOldestIdle(5));
        assertEquals(1, cap.open());
    }
}
