package io.pvnet.engine.xnb;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.vif.DropReason;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.engine.store.XenbusState;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.pvnet.engine.netif.NetifConstants.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A hostile frontend against xnb: Linux netback's limits and the XSA defences of the reference brief, section 4.
 * Per-packet problems must give error responses and counted drops; protocol violations must disable only this vif.
 */
class XnbHardeningTest
{
    private HostileFrontend front;

    @BeforeEach
    void setUp()
    {
        front = new HostileFrontend(VifConfig.of(1, 0));
        front.connect();
        assertTrue(front.xnb.isConnected());
    }

    @AfterEach
    void tearDown()
    {
        front.close();
    }

    private void run()
    {
        for (int i = 0; i < 3; i++)
        {
            front.xnb.doWork();
        }
    }

    private long drops(final int reason)
    {
        return front.counters.drops(reason);
    }

    private void assertFatal(final int reason)
    {
        assertEquals(reason, front.xnb.disabledReason());
        assertFalse(front.xnb.isConnected());
        assertEquals(1, front.counters.get(VifCounters.PROTOCOL_ERRORS));
        final String error = front.store.read("backend/vif/1/0/error");
        assertNotNull(error);
        assertTrue(error.contains(DropReason.name(reason)), error);
    }

    @Test
    void shouldDeliverAWellFormedFrameFromTheGrantedPage()
    {
        front.tx(0, 100, 7, 3, 40);
        front.pushTx();
        run();
        assertEquals(1, front.sink.frames);
        for (int b = 0; b < 100; b++)
        {
            assertEquals(HostileFrontend.pattern(3, 40 + b), front.sink.last[b]);
        }
        assertEquals(1, front.txRspProd());
        assertEquals(7, front.txRspId(0));
        assertEquals(NETIF_RSP_OKAY, front.txRspStatus(0));
    }

    @Test
    void shouldDisableTheVifWhenTheProducerIsImpossiblyFarAhead()
    {
        front.txRing.putIntRelease(0, 1000);
        run();
        assertFatal(DropReason.IMPOSSIBLE_REQUESTS);
        assertEquals(0, front.txRspProd(), "nothing answered from a garbage ring");
    }

    @Test
    void shouldAccept19SlotsDrop20And21AndDisableAt22()
    {
        sendChain(19);
        run();
        assertEquals(1, front.sink.frames, "19 slots: accepted");
        sendChain(20);
        sendChain(21);
        run();
        assertEquals(1, front.sink.frames);
        assertEquals(2, drops(DropReason.TOO_MANY_SLOTS));
        final int answered = front.txRspProd();
        assertEquals(19 + 20 + 21, answered, "every slot of a dropped packet is answered");
        for (int i = 19; i < answered; i++)
        {
            assertEquals(NETIF_RSP_ERROR, front.txRspStatus(i));
        }
        assertTrue(front.xnb.isConnected());
        sendChain(22);
        run();
        assertFatal(DropReason.FATAL_SLOT_COUNT);
    }

    private void sendChain(final int slots)
    {
        final int size = 70;
        front.tx(NETTXF_MORE_DATA, size * slots, 0, 0, 0);
        for (int i = 1; i < slots; i++)
        {
            front.tx(i < slots - 1 ? NETTXF_MORE_DATA : 0, size, i, i, 0);
        }
        front.pushTx();
    }

    @Test
    void shouldWaitForAChainThatRunsPastTheProducerAndUseWhatItFirstRead()
    {
        final int first = front.tx(NETTXF_MORE_DATA, 300, 1, 1, 0);
        front.pushTx();
        run();
        assertEquals(0, front.txRspProd(), "incomplete: nothing consumed");
        // the frontend rewrites the slot the backend already copied (a double-fetch attempt, XSA-155)
        front.txRing.putShort(HostileFrontend.slot(first, TX_SLOT_LENGTH) + 10, (short)4000,
            java.nio.ByteOrder.LITTLE_ENDIAN);
        front.tx(0, 100, 2, 2, 0);
        front.pushTx();
        run();
        assertEquals(1, front.sink.frames);
        assertEquals(300, front.sink.lastLength, "the size of the first (and only) read of the slot");
        assertEquals(2, front.txRspProd());
    }

    @Test
    void shouldDisableTheVifForASlotCrossingItsPage()
    {
        front.tx(0, 200, 1, 1, 4000);
        front.pushTx();
        run();
        assertFatal(DropReason.SLOT_CROSSES_PAGE);
        assertEquals(0, front.sink.frames);
    }

    @Test
    void shouldAnswerATooShortFirstSlotWithAnError()
    {
        front.tx(0, 10, 5, 1, 0);
        front.pushTx();
        run();
        assertEquals(1, drops(DropReason.FIRST_SLOT_SHORT));
        assertEquals(NETIF_RSP_ERROR, front.txRspStatus(0));
        assertEquals(5, front.txRspId(0));
        assertTrue(front.xnb.isConnected());
    }

    @Test
    void shouldPublishTheErrorResponseOfAnEmptyPacket()
    {
        // a packet of size 0 carries no bytes towards the push threshold; its answer must still be published
        front.tx(0, 0, 6, 1, 0);
        front.pushTx();
        run();
        assertEquals(1, front.txRspProd());
        assertEquals(NETIF_RSP_ERROR, front.txRspStatus(0));
        assertEquals(6, front.txRspId(0));
        assertEquals(0, front.sink.frames);
        assertTrue(front.xnb.isConnected());
    }

    @Test
    void shouldDropAContinuationLargerThanWhatRemains()
    {
        front.tx(NETTXF_MORE_DATA, 500, 1, 1, 0);
        front.tx(0, 600, 2, 2, 0);
        front.pushTx();
        run();
        assertEquals(1, drops(DropReason.SIZE_MISMATCH));
        assertEquals(NETIF_RSP_ERROR, front.txRspStatus(0));
        assertEquals(NETIF_RSP_ERROR, front.txRspStatus(1));
        assertTrue(front.xnb.isConnected());
    }

    @Test
    void shouldCountASizeMismatchAndTheGsoMalformedPacketAfterItEachUnderItsOwnReason()
    {
        // one batch: a packet whose continuation exceeds its total, then a GSO extra of size 0 (fatal)
        front.tx(NETTXF_MORE_DATA, 100, 1, 1, 0);
        front.tx(NETTXF_MORE_DATA, 40, 2, 2, 64);
        front.tx(0, 300, 3, 3, 3796);
        front.tx(NETTXF_EXTRA_INFO, 100, 4, 4, 0);
        front.gso(0, 0, XEN_NETIF_GSO_TYPE_TCPV4);
        front.pushTx();
        run();
        assertEquals(1, drops(DropReason.SIZE_MISMATCH));
        assertEquals(1, drops(DropReason.GSO_MALFORMED));
        assertEquals(0, drops(DropReason.SLOT_CROSSES_PAGE));
        assertEquals(0, front.counters.get(VifCounters.TX_PACKETS));
        assertFatal(DropReason.GSO_MALFORMED);
        assertEquals(3, front.txRspProd(), "the dropped packet's three slots answered, the fatal one not");
        for (int i = 0; i < 3; i++)
        {
            assertEquals(NETIF_RSP_ERROR, front.txRspStatus(i));
            assertEquals(i + 1, front.txRspId(i));
        }
    }

    @Test
    void shouldDisableTheVifForASlotCrossingItsPageAfterASizeMismatch()
    {
        // the packet of fuzz seed 17945149554998: a size mismatch, and its last slot (1 byte at offset 4096) crosses
        // its page, which is fatal whatever came before (Linux xenvif_count_requests); the batch ends there
        front.tx(NETTXF_MORE_DATA, 20, 1, 1, 0);
        front.tx(NETTXF_MORE_DATA, 60, 2, 2, 0);
        front.tx(0, 1, 3, 3, PAGE_SIZE);
        front.tx(NETTXF_EXTRA_INFO, 100, 4, 4, 0);
        front.gso(0, 0, XEN_NETIF_GSO_TYPE_TCPV4);
        front.pushTx();
        run();
        assertEquals(1, drops(DropReason.SLOT_CROSSES_PAGE));
        assertEquals(0, drops(DropReason.SIZE_MISMATCH));
        assertEquals(0, drops(DropReason.GSO_MALFORMED));
        assertFatal(DropReason.SLOT_CROSSES_PAGE);
        assertEquals(0, front.txRspProd());
        assertEquals(0, front.sink.frames);
    }

    @Test
    void shouldDisableTheVifForAnExtraOfTypeNone()
    {
        front.tx(NETTXF_EXTRA_INFO, 100, 1, 1, 0);
        front.extra(XEN_NETIF_EXTRA_TYPE_NONE, 0);
        front.pushTx();
        run();
        assertFatal(DropReason.EXTRA_MALFORMED);
    }

    @Test
    void shouldDisableTheVifForAnUnknownExtraType()
    {
        front.tx(NETTXF_EXTRA_INFO, 100, 1, 1, 0);
        front.extra(XEN_NETIF_EXTRA_TYPE_MAX, 0);
        front.pushTx();
        run();
        assertFatal(DropReason.EXTRA_MALFORMED);
    }

    @Test
    void shouldDisableTheVifForAnEndlessChainOfExtras()
    {
        front.tx(NETTXF_EXTRA_INFO, 100, 1, 1, 0);
        for (int i = 0; i < 8; i++)
        {
            front.extra(XEN_NETIF_EXTRA_TYPE_HASH, XEN_NETIF_EXTRA_FLAG_MORE);
        }
        front.pushTx();
        run();
        assertFatal(DropReason.EXTRA_MALFORMED);
    }

    @Test
    void shouldDisableTheVifForAGsoExtraOfSizeZero()
    {
        front.tx(NETTXF_EXTRA_INFO, 100, 1, 1, 0);
        front.gso(0, 0, XEN_NETIF_GSO_TYPE_TCPV4);
        front.pushTx();
        run();
        assertFatal(DropReason.GSO_MALFORMED);
    }

    @Test
    void shouldDisableTheVifForAnUnknownGsoType()
    {
        front.tx(NETTXF_EXTRA_INFO, 100, 1, 1, 0);
        front.gso(0, 1448, 3);
        front.pushTx();
        run();
        assertFatal(DropReason.GSO_MALFORMED);
    }

    @Test
    void shouldPassAValidGsoFrameWithItsMss()
    {
        front.tx(NETTXF_EXTRA_INFO | NETTXF_MORE_DATA | NETTXF_CSUM_BLANK, 6000, 1, 1, 0);
        front.gso(0, 1448, XEN_NETIF_GSO_TYPE_TCPV4);
        front.tx(0, 2000, 2, 2, 0);
        front.pushTx();
        run();
        assertEquals(1, front.sink.frames);
        assertEquals(6000, front.sink.lastLength);
        assertEquals(1448, front.sink.lastGsoSize);
        assertEquals(NETIF_RSP_OKAY, front.txRspStatus(0));
        assertEquals(NETIF_RSP_NULL, front.txRspStatus(1));
        assertEquals(NETIF_RSP_OKAY, front.txRspStatus(2));
    }

    @Test
    void shouldAnswerZeroLengthSlotsWithoutBuildingEmptyFragments()
    {
        front.tx(NETTXF_MORE_DATA, 100, 1, 1, 0);
        front.tx(NETTXF_MORE_DATA, 0, 2, 2, 0);
        front.tx(0, 40, 3, 3, 0);
        front.pushTx();
        run();
        assertEquals(1, front.sink.frames);
        assertEquals(100, front.sink.lastLength);
        assertEquals(HostileFrontend.pattern(1, 59), front.sink.last[59]);
        assertEquals(HostileFrontend.pattern(3, 0), front.sink.last[60]);
        for (int i = 0; i < 3; i++)
        {
            assertEquals(NETIF_RSP_OKAY, front.txRspStatus(i));
        }
    }

    @Test
    void shouldAnswerAnUngrantedOrForeignReferenceWithAnError()
    {
        front.txRaw(900, 0, 100, 1, 0);
        front.txRaw(front.rxGref[0] + 1000, 0, 100, 2, 0);
        front.pushTx();
        run();
        assertEquals(2, drops(DropReason.COPY_FAILED));
        assertEquals(NETIF_RSP_ERROR, front.txRspStatus(0));
        assertEquals(NETIF_RSP_ERROR, front.txRspStatus(1));
        assertTrue(front.xnb.isConnected());
    }

    @Test
    void shouldNeverWriteAReadOnlyGrantOrAnUngrantedPageOnReceive()
    {
        front.postRx(front.readOnlyRxGref, 1);
        front.postRx(5000, 2);
        front.postRx(front.rxGref[0], 3);
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[200]);
        for (int i = 0; i < 3; i++)
        {
            assertEquals(0, front.xnb.offer(frame, 0, 200, FrameMetadata.of(0, 0, 0)));
        }
        run();
        assertEquals(2, drops(DropReason.RX_COPY_FAILED));
        assertEquals(1, front.counters.get(VifCounters.RX_PACKETS));
        assertEquals(NETIF_RSP_ERROR, front.rxRspStatus(0));
        assertEquals(NETIF_RSP_ERROR, front.rxRspStatus(1));
        assertEquals(200, front.rxRspStatus(2));
        assertTrue(front.memoryOutsideWritableGrantsIntact());
    }

    @Test
    void shouldCapTheReceiveQueueAndDropStalledFramesAfterTheDrainTimeout()
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[1500]);
        int queued = 0;
        int full = 0;
        for (int i = 0; i < 1000; i++)
        {
            final int result = front.xnb.offer(frame, 0, 1500, FrameMetadata.of(0, 0, 0));
            if (result == 0)
            {
                queued++;
            }
            else
            {
                assertEquals(DropReason.RX_QUEUE_FULL, result);
                full++;
            }
        }
        assertTrue(queued * 1500 <= 512 * 1024 && full > 0, "queued=" + queued);
        run();
        assertEquals(1, front.counters.get(VifCounters.RING_FULL));
        assertEquals(0, drops(DropReason.RX_STALLED), "not before the timeout");
        front.nanoClock.advance(11_000_000_000L);
        for (int i = 0; i < 100 && front.xnb.rxQueueBytes() > 0; i++)
        {
            front.xnb.doWork();
        }
        assertEquals(queued, drops(DropReason.RX_STALLED));
        assertEquals(0, front.xnb.rxQueueBytes());
    }

    @Test
    void shouldWriteTsoSegmentsOnlyIntoWritableGrantedRxPagesAndAnswerTheRestWithErrors()
    {
        // TSO switched off on the interface (ifconfig -tso): xnb splits, each segment written with its checksum
        // straight into one posted rx page
        final HostileFrontend tso = new HostileFrontend(front.region, front.vifRegion, VifConfig.of(2, 0),
            new io.pvnet.engine.offload.ChecksumFrameOffload());
        tso.connect();
        tso.store.write("backend/vif/2/0/tso", 0);
        tso.xnb.doWork();
        final int mss = 1448;
        final int segments = 10;
        final UnsafeBuffer frame = tcpIpv4Frame(54 + segments * mss);
        final long[] grefs = new long[segments];
        for (int i = 0; i < segments; i++)
        {
            grefs[i] = tso.rxGref[i];
        }
        grefs[3] = tso.readOnlyRxGref;
        grefs[6] = 99_999;
        grefs[7] = tso.txGref[0];
        for (int i = 0; i < segments; i++)
        {
            tso.postRx(grefs[i], 100 + i);
        }
        // xnb waits for one slot per frame length / MSS (headers included): one more than the segments
        tso.postRx(tso.rxGref[segments], 100 + segments);
        assertEquals(0, tso.xnb.offer(frame, 0, frame.capacity(),
            FrameMetadata.of(io.pvnet.engine.frame.FrameFlags.CSUM_PARTIAL, mss, XEN_NETIF_GSO_TYPE_TCPV4)));
        for (int i = 0; i < 3; i++)
        {
            tso.xnb.doWork();
        }

        // the reference: the same frame split into scratch by the contiguous segmenter
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256 * 1024]);
        final int[] offsets = new int[segments];
        final int[] lengths = new int[segments];
        final int[] count = {0};
        assertEquals(segments, new io.pvnet.engine.offload.ChecksumFrameOffload().segment(
            frame, 0, frame.capacity(), mss, scratch, (buffer, offset, length) ->
            {
                offsets[count[0]] = offset;
                lengths[count[0]++] = length;
                return 0;
            }));
        assertEquals(segments, tso.rxRspProd(), "one response per segment, none for the spare slot");
        for (int i = 0; i < segments; i++)
        {
            if (i == 3 || i == 6 || i == 7)
            {
                assertEquals(NETIF_RSP_ERROR, tso.rxRspStatus(i), "segment " + i);
                continue;
            }
            assertEquals(lengths[i], tso.rxRspStatus(i), "segment " + i);
            final int page = tso.grants.pageOffset(io.pvnet.engine.vif.VifSections.RX_BUFFER_FRAME + i);
            for (int b = 0; b < lengths[i]; b++)
            {
                assertEquals(scratch.getByte(offsets[i] + b), tso.pages.getByte(page + b), "segment " + i + " byte " + b);
            }
        }
        assertEquals(segments, tso.counters.get(VifCounters.TSO_SEGMENTS));
        assertEquals(segments - 3, tso.counters.get(VifCounters.RX_PACKETS));
        assertEquals(3, tso.counters.drops(DropReason.RX_COPY_FAILED));
        assertTrue(tso.memoryOutsideWritableGrantsIntact());
        assertTrue(tso.xnb.isConnected());
        // no grant is left marked in use: the guest can revoke every rx page it posted
        for (int i = 0; i < segments; i++)
        {
            if (grefs[i] != 99_999)
            {
                assertEquals(io.pvnet.ring.grant.GrantStatus.OKAY, tso.grants.endAccess((int)grefs[i]), "gref " + grefs[i]);
            }
        }
    }

    /** Ethernet, IPv4 and TCP headers (54 bytes) and a patterned payload; the TCP sum holds only the pseudo-header. */
    private static UnsafeBuffer tcpIpv4Frame(final int length)
    {
        final java.nio.ByteOrder be = java.nio.ByteOrder.BIG_ENDIAN;
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[length]);
        for (int i = 54; i < length; i++)
        {
            frame.putByte(i, (byte)(i * 13 + 5));
        }
        frame.putShort(12, (short)0x0800, be);
        frame.putByte(14, (byte)0x45);
        frame.putShort(16, (short)(length - 14), be);
        frame.putByte(22, (byte)64);
        frame.putByte(23, (byte)6);
        frame.putInt(26, 0x0A000001, be);
        frame.putInt(30, 0x0A000002, be);
        frame.putInt(38, 0x10000, be);
        frame.putByte(46, (byte)0x50);
        frame.putByte(47, (byte)0x18);
        frame.putShort(48, (short)65535, be);
        frame.putShort(50, (short)(0x0A00 + 1 + 0x0A00 + 2 + 6 + length - 34), be);
        return frame;
    }

    @Test
    void shouldDisableTheVifWhenTheRxProducerIsImpossible()
    {
        front.rxRing.putIntRelease(0, 5000);
        front.xnb.offer(new UnsafeBuffer(new byte[100]), 0, 100, FrameMetadata.of(0, 0, 0));
        run();
        assertFatal(DropReason.RX_IMPOSSIBLE_REQUESTS);
    }

    @Test
    void shouldKeepOtherVifsRunningWhenOneIsDisabled()
    {
        final HostileFrontend other = new HostileFrontend(front.region, front.vifRegion, VifConfig.of(2, 0),
            NoFrameOffload.INSTANCE);
        other.connect();
        front.txRing.putIntRelease(0, 1000);
        run();
        assertFatal(DropReason.IMPOSSIBLE_REQUESTS);
        other.tx(0, 100, 1, 1, 0);
        other.pushTx();
        other.xnb.doWork();
        assertEquals(1, other.sink.frames);
        assertTrue(other.xnb.isConnected());
    }

    @Test
    void shouldReconnectAfterBeingDisabled()
    {
        front.txRing.putIntRelease(0, 1000);
        run();
        assertFatal(DropReason.IMPOSSIBLE_REQUESTS);
        front.reconnect();
        assertTrue(front.xnb.isConnected());
        assertEquals(XenbusState.CONNECTED, front.xnb.state());
        assertNull(front.store.read("backend/vif/1/0/error"));
        front.tx(0, 100, 1, 1, 0);
        front.pushTx();
        run();
        assertEquals(1, front.sink.frames);
    }

    @Test
    void shouldCountDownstreamDropsButStillAnswerOkay()
    {
        front.sink.verdict = 40; // a bridge's own drop code
        front.tx(0, 100, 1, 1, 0);
        front.pushTx();
        run();
        assertEquals(1, drops(DropReason.DOWNSTREAM));
        assertEquals(NETIF_RSP_OKAY, front.txRspStatus(0));
        // a reason of this (the sending) side: counted as itself (a path whose copy is too small, as VifLatencyPath's)
        front.sink.verdict = DropReason.OVERSIZE;
        front.tx(0, 100, 2, 2, 0);
        front.pushTx();
        run();
        assertEquals(1, drops(DropReason.OVERSIZE));
        assertEquals(NETIF_RSP_OKAY, front.txRspStatus(1));
    }

    @Test
    void shouldCountAPeerBackendsRefusalTowardItsGuestAsDownstreamNeverAsAReasonTowardThisGuest()
    {
        // a sink that is another vif's backend (wired without a bridge) refuses with reasons of its side toward its
        // guest: counted here they would read as this vif's own drops toward its guest (or, for rx-oversize's old
        // code, as this guest sending above the MTU)
        final int[] verdicts = {DropReason.RX_QUEUE_FULL, DropReason.RX_OVERSIZE, DropReason.RX_TOO_BIG,
            DropReason.RX_NOT_CONNECTED, DropReason.RX_OFFLOAD_FAILED, DropReason.BACKEND_EXCEPTION};
        for (int i = 0; i < verdicts.length; i++)
        {
            front.sink.verdict = verdicts[i];
            front.tx(0, 100, i, i, 0);
            front.pushTx();
            run();
            assertEquals(NETIF_RSP_OKAY, front.txRspStatus(i));
        }
        assertEquals(verdicts.length, drops(DropReason.DOWNSTREAM));
        assertEquals(0, front.counters.dropsToGuest());
        assertEquals(verdicts.length, front.counters.dropsFromGuest(), "sent = rx-packets + drops from the guest");
        assertEquals(0, front.counters.get(VifCounters.TX_PACKETS));
    }

    @Test
    void shouldPublishAHeartbeat()
    {
        front.epochClock.update(123_456L);
        front.nanoClock.advance(200_000_000L);
        front.xnb.doWork();
        assertEquals(123_456L, front.counters.get(VifCounters.HEARTBEAT));
    }

    @Test
    void shouldHoldPacketsBeyondTheRateCreditUntilTheNextWindow()
    {
        front.store.write("backend/vif/1/0/rate", "3000,1000000");
        front.xnb.doWork();
        for (int i = 0; i < 5; i++)
        {
            front.tx(0, 1000, i, i, 0);
        }
        front.pushTx();
        run();
        assertEquals(3, front.sink.frames, "3000 bytes of credit");
        assertEquals(3, front.txRspProd(), "the rest waits in the ring, unanswered");
        assertTrue(front.counters.get(VifCounters.RATE_LIMITED) > 0);
        front.nanoClock.advance(1_000_000_000L);
        run();
        assertEquals(5, front.sink.frames, "the next window's credit");
        assertEquals(5, front.txRspProd());
        assertEquals(0, front.counters.totalDrops());

        front.store.write("backend/vif/1/0/rate", "garbage");
        front.xnb.doWork();
        for (int i = 0; i < 20; i++)
        {
            front.tx(0, 1000, i, i, 0);
        }
        front.pushTx();
        run();
        assertEquals(25, front.sink.frames, "a malformed rate means unlimited");
    }
}
