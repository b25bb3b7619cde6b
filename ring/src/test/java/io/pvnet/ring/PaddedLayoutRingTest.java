package io.pvnet.ring;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PaddedLayoutRingTest extends SharedRingContractTest
{
    @Override
    RingLayout layout()
    {
        return RingLayout.PADDED;
    }

    @Test
    void shouldKeepEachSidesIndicesOnTheirOwnCacheLinePair()
    {
        final RingLayout padded = RingLayout.PADDED;
        assertEquals(padded.reqProdOffset() / 128, padded.rspEventOffset() / 128, "front-written fields together");
        assertEquals(padded.rspProdOffset() / 128, padded.reqEventOffset() / 128, "back-written fields together");
        assertTrue(padded.reqProdOffset() / 128 != padded.rspProdOffset() / 128, "producer indices apart");
        assertEquals(0, padded.headerLength() % 128);
    }
}
