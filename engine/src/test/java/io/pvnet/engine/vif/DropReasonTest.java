package io.pvnet.engine.vif;

import io.pvnet.engine.port.PortDropReason;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Each drop reason has one direction, and its name says which, so that each direction of a vif reconciles alone. */
class DropReasonTest
{
    @Test
    void shouldGiveEveryCountedReasonExceptBackendExceptionExactlyOneDirection()
    {
        for (int reason = 1; reason < DropReason.COUNT; reason++)
        {
            final String name = DropReason.name(reason);
            final String direction = DropReason.direction(reason);
            if (reason == DropReason.INCOMPLETE || reason == DropReason.BACKEND_EXCEPTION || name.startsWith("reserved-"))
            {
                assertEquals(DropReason.NO_DIRECTION, direction, name);
                continue;
            }
            assertTrue(DropReason.isFromGuest(reason) ^ DropReason.isToGuest(reason), name + ": " + direction);
            assertEquals(DropReason.isToGuest(reason), name.startsWith("rx-"), name + " is counted " + direction);
        }
        assertEquals(DropReason.NO_DIRECTION, DropReason.direction(DropReason.NONE));
        assertEquals(DropReason.NO_DIRECTION, DropReason.direction(-1));
        assertEquals(DropReason.NO_DIRECTION, DropReason.direction(DropReason.COUNT));
    }

    @Test
    void shouldCountTheReasonsBothDirectionsMeetUnderACodePerDirection()
    {
        assertTrue(DropReason.isFromGuest(DropReason.OVERSIZE));
        assertTrue(DropReason.isToGuest(DropReason.RX_OVERSIZE));
        assertTrue(DropReason.isFromGuest(DropReason.OFFLOAD_FAILED));
        assertTrue(DropReason.isToGuest(DropReason.RX_OFFLOAD_FAILED));
        assertEquals("rx-oversize", DropReason.name(DropReason.RX_OVERSIZE));
        assertEquals("rx-offload-failed", DropReason.name(DropReason.RX_OFFLOAD_FAILED));
        assertEquals("rx-not-connected", DropReason.name(DropReason.RX_NOT_CONNECTED));
        assertEquals("rx-multicast-filtered", DropReason.name(DropReason.RX_MCAST_FILTERED));
        // per-packet: below the fatal codes, so a sink's verdict of one is never taken for a protocol violation
        assertFalse(DropReason.isFatal(DropReason.RX_OVERSIZE));
        assertFalse(DropReason.isFatal(DropReason.RX_OFFLOAD_FAILED));
        assertTrue(DropReason.isFatal(DropReason.IMPOSSIBLE_REQUESTS));
        assertEquals(DropReason.FIRST_FATAL, DropReason.IMPOSSIBLE_REQUESTS);
        // the downstream and from-guest sides of a sink's verdict
        assertTrue(DropReason.isFromGuest(DropReason.DOWNSTREAM));
    }

    @Test
    void shouldKeepVifCodesBelowThePortCodes()
    {
        // a sink returns either kind of code to the vif that offered the frame: the two spaces must not overlap
        assertTrue(DropReason.COUNT <= PortDropReason.FIRST,
            "DropReason.COUNT=" + DropReason.COUNT + " PortDropReason.FIRST=" + PortDropReason.FIRST);
    }

    @Test
    void shouldNameEveryCodeOnceAndFindItByName()
    {
        final Set<String> names = new HashSet<>();
        for (int reason = 0; reason < DropReason.COUNT; reason++)
        {
            assertTrue(names.add(DropReason.name(reason)), DropReason.name(reason));
            assertEquals(reason, DropReason.code(DropReason.name(reason)));
        }
        assertEquals(-1, DropReason.code("unknown"));
        assertEquals("vif1.0 drop-rx-oversize", VifCounters.label(1, 0, VifCounters.DROP_BASE + DropReason.RX_OVERSIZE));
    }
}
