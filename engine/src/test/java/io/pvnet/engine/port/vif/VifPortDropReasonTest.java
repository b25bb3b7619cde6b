package io.pvnet.engine.port.vif;

import io.pvnet.engine.port.PortDropReason;

import io.pvnet.engine.vif.DropReason;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** A vif's refusal reaches the bridge's counters under its own reason, never as another one. */
class VifPortDropReasonTest
{
    @Test
    void shouldCountEveryRefusalOfAVifUnderAPortReasonOfItsOwn()
    {
        assertEquals(0, VifPort.portDropReason(DropReason.NONE));
        assertEquals("not-connected", PortDropReason.name(VifPort.portDropReason(DropReason.RX_NOT_CONNECTED)));
        assertEquals("queue-full", PortDropReason.name(VifPort.portDropReason(DropReason.RX_QUEUE_FULL)));
        assertEquals("mtu-exceeded", PortDropReason.name(VifPort.portDropReason(DropReason.RX_OVERSIZE)));
        assertEquals("mtu-exceeded", PortDropReason.name(VifPort.portDropReason(DropReason.RX_TOO_BIG)));
        assertEquals("offload-failed", PortDropReason.name(VifPort.portDropReason(DropReason.RX_OFFLOAD_FAILED)));
        assertEquals("vif-refused", PortDropReason.name(VifPort.portDropReason(DropReason.BACKEND_EXCEPTION)));
        for (int reason = 1; reason < DropReason.COUNT; reason++)
        {
            final int code = VifPort.portDropReason(reason);
            assertTrue(code >= PortDropReason.FIRST && code < PortDropReason.END, "xnb reason " + reason);
        }
    }
}
