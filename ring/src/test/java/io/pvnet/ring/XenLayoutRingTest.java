package io.pvnet.ring;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class XenLayoutRingTest extends SharedRingContractTest
{
    @Override
    RingLayout layout()
    {
        return RingLayout.XEN;
    }

    @Test
    void shouldMatchRingHOffsets()
    {
        assertEquals(64, RingLayout.XEN.headerLength());
        assertEquals(0, RingLayout.XEN.reqProdOffset());
        assertEquals(4, RingLayout.XEN.reqEventOffset());
        assertEquals(8, RingLayout.XEN.rspProdOffset());
        assertEquals(12, RingLayout.XEN.rspEventOffset());
        // netif: tx 12-byte entries and rx 8-byte entries both give 256 slots per page
        assertEquals(256, SharedRingDescriptor.slotCount(4096, 12, RingLayout.XEN));
        assertEquals(256, SharedRingDescriptor.slotCount(4096, 8, RingLayout.XEN));
    }
}
