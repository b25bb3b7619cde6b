package io.pvnet.engine;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.engine.store.XenbusState;
import io.pvnet.engine.port.PortDropReason;
import io.pvnet.engine.vif.DropReason;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.pvnet.engine.netif.NetifConstants.XEN_NETIF_GSO_TYPE_TCPV4;
import static org.junit.jupiter.api.Assertions.*;

class VifCrossoverTest
{
    private VifPair pair;

    private VifPair open(final VifConfig a, final VifConfig b)
    {
        pair = new VifPair(a, b, NoFrameOffload.INSTANCE);
        pair.pump(3);
        assertTrue(pair.connected(), "both vifs connected");
        return pair;
    }

    @AfterEach
    void tearDown()
    {
        if (pair != null)
        {
            pair.close();
        }
    }

    @Test
    void shouldNegotiateBothHalvesToConnectedWithFeaturesInTheStore()
    {
        open(VifConfig.of(1, 0), VifConfig.of(2, 0));
        final var store = pair.vifRegion.store();
        assertEquals(XenbusState.CONNECTED, store.readState("backend/vif/1/0"));
        assertEquals(XenbusState.CONNECTED, store.readState("device/vif/1/0"));
        assertTrue(store.readFlag("backend/vif/1/0/feature-sg"));
        assertTrue(store.readFlag("backend/vif/1/0/feature-rx-copy"));
        assertEquals("0", store.read("backend/vif/1/0/feature-rx-flip"));
        assertTrue(store.readFlag("device/vif/1/0/request-rx-copy"));
        assertEquals("00:16:3e:00:01:00", store.read("device/vif/1/0/mac"));
    }

    @Test
    void shouldCarryFramesOfEverySizeIntactFromOneGuestToTheOther()
    {
        open(VifConfig.of(1, 0).withMtu(65535), VifConfig.of(2, 0).withMtu(65535));
        final int[] sizes = {14, 60, 64, 1514, 4095, 4096, 4097, 8192, 9000, 40000, 65535};
        long bytes = 0;
        for (int i = 0; i < sizes.length; i++)
        {
            final UnsafeBuffer frame = VifPair.frame(sizes[i], i);
            assertEquals(VifFrontend.OK, pair.frontends[0].transmit(frame, 0, sizes[i]));
            pair.frontends[0].flush();
            bytes += sizes[i];
            pair.pump(2);
        }
        assertEquals(sizes.length, pair.received[1].frames.size());
        for (int i = 0; i < sizes.length; i++)
        {
            final byte[] expected = new byte[sizes[i]];
            VifPair.frame(sizes[i], i).getBytes(0, expected);
            assertArrayEquals(expected, pair.received[1].frames.get(i), "frame of " + sizes[i]);
        }
        final VifCounters a = pair.backends[0].counters();
        final VifCounters b = pair.backends[1].counters();
        assertEquals(sizes.length, a.get(VifCounters.TX_PACKETS));
        assertEquals(bytes, a.get(VifCounters.TX_BYTES));
        assertEquals(sizes.length, b.get(VifCounters.RX_PACKETS));
        assertEquals(bytes, b.get(VifCounters.RX_BYTES));
        assertEquals(sizes.length, b.get(VifCounters.FRONT_RX_PACKETS));
        assertEquals(0, a.totalDrops() + b.totalDrops());
        assertEquals(0, pair.frontends[0].txOutstanding(), "every tx slot answered");
    }

    @Test
    void shouldPassChecksumAndGsoOffloadToAGuestThatNegotiatedThem()
    {
        open(VifConfig.of(1, 0), VifConfig.of(2, 0));
        final UnsafeBuffer frame = VifPair.frame(20000, 3);
        assertEquals(VifFrontend.OK, pair.frontends[0].transmit(frame, 0, 20000,
            FrameMetadata.of(FrameFlags.CSUM_PARTIAL, 1448, XEN_NETIF_GSO_TYPE_TCPV4)));
        final UnsafeBuffer small = VifPair.frame(100, 4);
        assertEquals(VifFrontend.OK, pair.frontends[0].transmit(small, 0, 100,
            FrameMetadata.of(FrameFlags.CSUM_PARTIAL, 0, 0)));
        pair.frontends[0].flush();
        pair.pump(3);
        assertEquals(2, pair.received[1].frames.size());
        assertEquals(1448, pair.received[1].gso.get(0));
        assertEquals(XEN_NETIF_GSO_TYPE_TCPV4, pair.received[1].gsoType.get(0), "the GSO type reaches the handler");
        assertEquals(FrameFlags.CSUM_PARTIAL, pair.received[1].flags.get(0) & FrameFlags.CSUM_PARTIAL);
        assertEquals(0, pair.received[1].gso.get(1));
        assertEquals(FrameFlags.CSUM_PARTIAL, pair.received[1].flags.get(1) & FrameFlags.CSUM_PARTIAL);
    }

    @Test
    void shouldCountOffloadDropsWhenTheGuestCannotTakeOffloadedFramesAndNoOffloadIsAvailable()
    {
        open(VifConfig.of(1, 0), VifConfig.of(2, 0).withOffloads(false, false, false));
        final UnsafeBuffer frame = VifPair.frame(100, 4);
        pair.frontends[0].transmit(frame, 0, 100, FrameMetadata.of(FrameFlags.CSUM_PARTIAL, 0, 0));
        pair.frontends[0].transmit(frame, 0, 100, FrameMetadata.of(FrameFlags.DATA_VALIDATED, 0, 0));
        pair.frontends[0].flush();
        pair.pump(3);
        assertEquals(1, pair.received[1].frames.size(), "the validated frame arrives");
        assertEquals(FrameFlags.DATA_VALIDATED, pair.received[1].flags.get(0));
        // counted by the receiving vif on its side toward the guest, never as the sender's offload-failed
        assertEquals(1, pair.backends[1].counters().drops(DropReason.RX_OFFLOAD_FAILED));
        assertEquals(0, pair.backends[1].counters().drops(DropReason.OFFLOAD_FAILED));
        assertEquals(0, pair.backends[0].counters().totalDrops());
    }

    @Test
    void shouldApplyARuntimeMtuChangeToTheNextFrame()
    {
        open(VifConfig.of(1, 0), VifConfig.of(2, 0));
        final UnsafeBuffer frame = VifPair.frame(1514, 1);
        pair.frontends[0].transmit(frame, 0, 1514);
        pair.frontends[0].flush();
        pair.pump(2);
        assertEquals(1, pair.received[1].frames.size());

        pair.vifRegion.store().write("backend/vif/1/0/mtu", "1000");
        pair.pump(1);
        assertEquals(1000, pair.backends[0].mtu());
        pair.frontends[0].transmit(frame, 0, 1514);
        pair.frontends[0].transmit(frame, 0, 1018);
        pair.frontends[0].flush();
        pair.pump(2);
        assertEquals(2, pair.received[1].frames.size(), "only the frame within the new MTU");
        assertEquals(1018, pair.received[1].frames.get(1).length);
        assertEquals(1, pair.backends[0].counters().drops(DropReason.OVERSIZE));
        assertEquals(0, pair.frontends[0].txOutstanding(), "the dropped frame was answered too");
    }

    @Test
    void shouldCountAFrameAboveTheReceivingVifsMtuTowardItsGuestNotAsTheSendersOversize()
    {
        open(VifConfig.of(1, 0), VifConfig.of(2, 0));
        pair.vifRegion.store().write("backend/vif/2/0/mtu", "1000");
        pair.pump(1);
        assertEquals(1000, pair.backends[1].mtu());
        // within vif 1's MTU, above vif 2's: refused toward guest 2 (rx-oversize), mtu-exceeded at the cable's port
        final UnsafeBuffer frame = VifPair.frame(1514, 1);
        pair.frontends[0].transmit(frame, 0, 1514);
        pair.frontends[0].transmit(frame, 0, 1018);
        pair.frontends[0].flush();
        pair.pump(3);
        assertEquals(1, pair.received[1].frames.size(), "only the frame within the receiving vif's MTU");
        final VifCounters a = pair.backends[0].counters();
        final VifCounters b = pair.backends[1].counters();
        assertEquals(1, pair.cable.ports().counters(1).txDrops(PortDropReason.MTU_EXCEEDED));
        assertEquals(0, a.drops(DropReason.OVERSIZE), "guest 1 sent nothing above its own MTU");
        assertEquals(1, a.drops(DropReason.DOWNSTREAM), "the sender's side: refused by the next hop");
        // each direction reconciles on its own: guest 1's sends, and what the cable handed vif 2 for its guest
        assertEquals(a.get(VifCounters.FRONT_TX_PACKETS), a.get(VifCounters.TX_PACKETS) + a.dropsFromGuest());
        assertEquals(0, a.dropsToGuest());
        assertEquals(pair.cable.ports().counters(1).get(io.pvnet.engine.port.PortCounters.TX_FRAMES),
            b.get(VifCounters.RX_PACKETS) + b.dropsToGuest());
        assertEquals(0, b.dropsFromGuest());
    }

    @Test
    void shouldHoldFramesUntilBuffersArePostedAndDropBeyondTheQueueCap()
    {
        open(VifConfig.of(1, 0), VifConfig.of(2, 0).withRxQueue(128 * 1024, 10_000_000_000L));
        final UnsafeBuffer frame = VifPair.frame(1514, 2);
        int sent = 0;
        for (int round = 0; round < 40; round++)
        {
            for (int i = 0; i < 32; i++)
            {
                if (pair.frontends[0].transmit(frame, 0, 1514) == VifFrontend.OK)
                {
                    sent++;
                }
            }
            pair.frontends[0].flush();
            // run the agents but never poll the receiving guest
            for (int v = 0; v < 2; v++)
            {
                pair.frontends[v].doWork();
                pair.backends[v].doWork();
            }
        }
        final VifCounters a = pair.backends[0].counters();
        final VifCounters b = pair.backends[1].counters();
        // as behind the bridge: the sender counts a refusal downstream, the cable's port toward vif 2 says why
        final long queueFull = pair.cable.ports().counters(1).txDrops(PortDropReason.QUEUE_FULL);
        assertTrue(queueFull > 0, "frames beyond 256 posted buffers and the 128 KiB queue are dropped");
        assertEquals(queueFull, a.drops(DropReason.DOWNSTREAM));
        assertTrue(b.get(VifCounters.RING_FULL) > 0);
        assertEquals(sent, a.get(VifCounters.TX_PACKETS) + a.totalDrops());
        pair.pump(20);
        assertEquals(a.get(VifCounters.TX_PACKETS), pair.received[1].frames.size(), "every queued frame arrives");
    }

    @Test
    void shouldDeliverQueuedFramesBeforeLaterOffersInTransmitOrder()
    {
        open(VifConfig.of(1, 0), VifConfig.of(2, 0));
        final int total = 600;
        int sent = 0;
        for (int round = 0; round < 80 && sent < total; round++)
        {
            for (int i = 0; i < 32 && sent < total; i++)
            {
                if (pair.frontends[0].transmit(VifPair.frame(100, sent), 0, 100) != VifFrontend.OK)
                {
                    break;
                }
                sent++;
            }
            pair.frontends[0].flush();
            for (int v = 0; v < 2; v++)
            {
                pair.frontends[v].doWork();
                pair.backends[v].doWork();
            }
            // the receiving guest takes frames only every twelfth round: frames queue in between, and later offers on
            // the backends' thread find frames queued ahead of them
            if (round % 12 == 11)
            {
                pair.frontends[1].poll(pair.received[1], 256);
            }
        }
        pair.pump(20);
        assertEquals(total, sent);
        assertTrue(pair.backends[1].counters().get(VifCounters.RING_FULL) > 0, "frames had to wait in the queue");
        assertEquals(total, pair.received[1].frames.size(), "every frame arrives");
        for (int k = 0; k < total; k++)
        {
            final byte[] expected = new byte[100];
            VifPair.frame(100, k).getBytes(0, expected);
            assertArrayEquals(expected, pair.received[1].frames.get(k), "frame " + k + " in transmit order");
        }
    }

    @Test
    void shouldCloseFromTheGuestAndReconnect()
    {
        open(VifConfig.of(1, 0), VifConfig.of(2, 0));
        pair.frontends[0].close();
        pair.pump(4);
        assertEquals(XenbusState.CLOSED, pair.frontends[0].state());
        assertEquals(XenbusState.CLOSED, pair.backends[0].state());
        final UnsafeBuffer frame = VifPair.frame(60, 1);
        assertEquals(VifFrontend.NOT_CONNECTED, pair.frontends[0].transmit(frame, 0, 60));

        pair.frontends[0].reconnect();
        pair.pump(6);
        assertTrue(pair.connected());
        assertEquals(VifFrontend.OK, pair.frontends[0].transmit(frame, 0, 60));
        pair.frontends[0].flush();
        pair.pump(2);
        assertEquals(1, pair.received[1].frames.size());
    }

    @Test
    void shouldCloseFromTheHostAndReconnectWhenReopened()
    {
        open(VifConfig.of(1, 0), VifConfig.of(2, 0));
        pair.backends[1].close();
        pair.pump(4);
        assertEquals(XenbusState.CLOSED, pair.frontends[1].state());
        assertEquals(XenbusState.CLOSED, pair.backends[1].state());
        final UnsafeBuffer frame = VifPair.frame(60, 1);
        pair.frontends[0].transmit(frame, 0, 60);
        pair.frontends[0].flush();
        pair.pump(2);
        assertEquals(1, pair.cable.ports().counters(1).txDrops(PortDropReason.NOT_CONNECTED), "peer gone: counted drop");
        assertEquals(1, pair.backends[0].counters().drops(DropReason.DOWNSTREAM));

        pair.backends[1].reopen();
        pair.frontends[1].reconnect();
        pair.pump(6);
        assertTrue(pair.connected());
        pair.frontends[0].transmit(frame, 0, 60);
        pair.frontends[0].flush();
        pair.pump(2);
        assertEquals(1, pair.received[1].frames.size());
    }

    @Test
    void shouldHonourTheBackendsRequestToStopOffloadingTxChecksums()
    {
        open(VifConfig.of(1, 0), VifConfig.of(2, 0));
        pair.backends[0].requestNoTxChecksumOffload(true);
        pair.pump(1);
        assertTrue(pair.frontends[0].isTxChecksumOffloadStopped());
        final UnsafeBuffer frame = VifPair.frame(100, 4);
        // without a checksum implementation the guest cannot complete it and refuses rather than sending csum_blank
        assertEquals(VifFrontend.INVALID, pair.frontends[0].transmit(frame, 0, 100,
            FrameMetadata.of(FrameFlags.CSUM_PARTIAL, 0, 0)));
        pair.backends[0].requestNoTxChecksumOffload(false);
        pair.pump(1);
        assertFalse(pair.frontends[0].isTxChecksumOffloadStopped());
        assertEquals(VifFrontend.OK, pair.frontends[0].transmit(frame, 0, 100,
            FrameMetadata.of(FrameFlags.CSUM_PARTIAL, 0, 0)));
    }

    @Test
    void shouldNegotiatePaddedRingsBeyondXenAndStillCarryFrames()
    {
        open(VifConfig.of(1, 0).withPaddedRings(true), VifConfig.of(2, 0));
        final var store = pair.vifRegion.store();
        assertTrue(store.readFlag("backend/vif/1/0/feature-ring-layout-padded"));
        assertEquals("padded", store.read("device/vif/1/0/ring-layout"));
        assertEquals("xen", store.read("device/vif/2/0/ring-layout"));
        for (int i = 0; i < 600; i++)
        {
            final UnsafeBuffer frame = VifPair.frame(100 + i, i);
            assertEquals(VifFrontend.OK, pair.frontends[0].transmit(frame, 0, 100 + i));
            pair.frontends[0].flush();
            pair.pump(1);
        }
        assertEquals(600, pair.received[1].frames.size());
        final byte[] expected = new byte[699];
        VifPair.frame(699, 599).getBytes(0, expected);
        assertArrayEquals(expected, pair.received[1].frames.get(599));
    }

    @Test
    void shouldRefuseToConnectToAnUnknownRingLayout()
    {
        pair = new VifPair(VifConfig.of(1, 0), VifConfig.of(2, 0), NoFrameOffload.INSTANCE);
        pair.frontends[0].doWork(); // Initialising -> sees InitWait -> connects, writes ring-layout=xen
        pair.vifRegion.store().write("device/vif/1/0/ring-layout", "twisted");
        pair.pump(3);
        assertFalse(pair.backends[0].isConnected());
        assertTrue(pair.vifRegion.store().read("backend/vif/1/0/error").contains("ring-layout"));
    }
}
