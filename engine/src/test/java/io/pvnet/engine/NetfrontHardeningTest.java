package io.pvnet.engine;

import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.vif.VifSections;
import io.pvnet.engine.netif.RxResponseDescriptor;
import io.pvnet.engine.netif.TxResponseDescriptor;
import io.pvnet.engine.offload.NoFrameOffload;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.pvnet.engine.netif.NetifConstants.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A hostile backend against netfront (XSA-391 and Linux netfront's checks since 2021): the test stops running the real
 * backend after the connect and writes responses into the shared rings by hand.
 */
class NetfrontHardeningTest
{
    private VifPair pair;
    private AtomicBuffer txRing;
    private AtomicBuffer rxRing;

    @BeforeEach
    void setUp()
    {
        pair = new VifPair(VifConfig.of(1, 0), VifConfig.of(2, 0), NoFrameOffload.INSTANCE);
        pair.pump(3);
        assertTrue(pair.connected());
        final AtomicBuffer pages = pair.region.findSection(VifSections.pagesName(1, 0)).buffer();
        txRing = new UnsafeBuffer(pages, VifSections.TX_RING_FRAME * PAGE_SIZE, PAGE_SIZE);
        rxRing = new UnsafeBuffer(pages, VifSections.RX_RING_FRAME * PAGE_SIZE, PAGE_SIZE);
    }

    @AfterEach
    void tearDown()
    {
        pair.close();
    }

    private static int txSlot(final int index)
    {
        return 64 + (index & 255) * TX_SLOT_LENGTH;
    }

    private static int rxSlot(final int index)
    {
        return 64 + (index & 255) * RX_SLOT_LENGTH;
    }

    @Test
    void shouldMarkTheDeviceBrokenForATxResponseIdThatIsNotPending()
    {
        final UnsafeBuffer frame = VifPair.frame(100, 1);
        assertEquals(VifFrontend.OK, pair.frontends[0].transmit(frame, 0, 100));
        pair.frontends[0].flush();
        // the hostile backend answers with an id it never got
        TxResponseDescriptor.write(txRing, txSlot(0), 200, NETIF_RSP_OKAY);
        txRing.putIntRelease(8, 1);
        pair.frontends[0].doWork();
        assertFalse(pair.frontends[0].isConnected());
        assertTrue(pair.frontends[0].brokenReason().contains("not pending"), pair.frontends[0].brokenReason());
        assertEquals(VifFrontend.NOT_CONNECTED, pair.frontends[0].transmit(frame, 0, 100));
    }

    @Test
    void shouldMarkTheDeviceBrokenForAResponseProducerBeyondWhatIsOutstanding()
    {
        txRing.putIntRelease(8, 5); // nothing was sent
        pair.frontends[0].doWork();
        assertFalse(pair.frontends[0].isConnected());
        assertNotNull(pair.frontends[0].brokenReason());
    }

    @Test
    void shouldDropRxResponsesWithAnErrorStatusOrAPageOverrunAndKeepGoing()
    {
        // three responses in the slots of the first three posted requests
        RxResponseDescriptor.write(rxRing, rxSlot(0), 0, 0, 0, NETIF_RSP_ERROR);
        RxResponseDescriptor.write(rxRing, rxSlot(1), 1, 4000, 0, 200);
        RxResponseDescriptor.write(rxRing, rxSlot(2), 2, 0, 0, 60);
        rxRing.putIntRelease(8, 3);
        pair.received[0].clear();
        pair.frontends[0].poll(pair.received[0], 16);
        pair.frontends[0].doWork();
        assertEquals(1, pair.received[0].frames.size(), "only the sane response is delivered");
        assertEquals(60, pair.received[0].frames.get(0).length);
        assertEquals(2, pair.backends[0].counters().get(VifCounters.FRONT_RX_ERRORS));
        assertTrue(pair.frontends[0].isConnected());
    }

    @Test
    void shouldDropAnRxChainLongerThanNetfrontAccepts()
    {
        for (int i = 0; i < 24; i++)
        {
            RxResponseDescriptor.write(rxRing, rxSlot(i), i, 0, i < 23 ? NETRXF_MORE_DATA : 0, 100);
        }
        RxResponseDescriptor.write(rxRing, rxSlot(24), 24, 0, 0, 70);
        rxRing.putIntRelease(8, 25);
        pair.received[0].clear();
        pair.frontends[0].poll(pair.received[0], 16);
        pair.frontends[0].doWork();
        assertEquals(1, pair.backends[0].counters().get(VifCounters.FRONT_RX_ERRORS));
        assertEquals(1, pair.received[0].frames.size(), "the frame after the bad chain still arrives");
        assertEquals(70, pair.received[0].frames.get(0).length);
    }
}
