package io.pvnet.engine.xnb;

import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.vif.DropReason;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.pvnet.engine.netif.NetifConstants.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A drop is counted under a reason of its own direction, so that each direction of a vif reconciles on its own: what
 * the guest sent = {@code rx-packets} + drops from the guest; what the backend accepted for the guest =
 * {@code tx-packets} + drops toward the guest + queued (no frame here is rate-limited or split into segments, which
 * {@link DropReason} qualifies). The reasons both directions meet (a size above the MTU, an offload the backend cannot
 * finish) have a code per direction.
 */
class XnbDropDirectionTest
{
    private HostileFrontend front;
    /** Packets the guest pushed on its tx ring. */
    private long sent;
    /** Frames the backend accepted for the guest ({@code offer} returned 0). */
    private long accepted;

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

    private void send(final int flags, final int size)
    {
        front.tx(flags, size, (int)sent, (int)sent % HostileFrontend.GRANTED_TX, 0);
        sent++;
        front.pushTx();
        run();
    }

    private int offer(final int length, final int flags)
    {
        final int result = front.xnb.offer(new UnsafeBuffer(new byte[length]), 0, length, FrameMetadata.of(flags, 0, 0));
        if (result == DropReason.NONE)
        {
            accepted++;
        }
        else
        {
            assertTrue(DropReason.isToGuest(result), "a refusal toward the guest: " + DropReason.name(result));
        }
        return result;
    }

    private void assertEachDirectionReconciles()
    {
        final VifCounters counters = front.counters;
        assertEquals(sent, counters.get(VifCounters.TX_PACKETS) + counters.dropsFromGuest(),
            "the guest's sends: rx-packets + drops from the guest");
        assertEquals(accepted, counters.get(VifCounters.RX_PACKETS) + counters.dropsToGuest() + front.xnb.rxQueueFrames(),
            "frames for the guest: tx-packets + drops toward the guest + queued");
        assertEquals(counters.totalDrops(), counters.dropsFromGuest() + counters.dropsToGuest(), "no drop without a direction");
    }

    @Test
    void shouldCountAGuestPacketAboveTheMtuAsOversizeAndRefuseAFrameForTheGuestAboveItAsRxOversize()
    {
        send(0, 1519);
        send(0, 1518);
        assertEquals(1, front.counters.drops(DropReason.OVERSIZE));
        assertEquals(NETIF_RSP_ERROR, front.txRspStatus(0));
        assertEquals(1, front.counters.get(VifCounters.TX_PACKETS));

        front.postRx(front.rxGref[0], 1);
        assertEquals(DropReason.RX_OVERSIZE, offer(1519, 0), "refused toward the guest: the caller counts it");
        assertEquals(DropReason.NONE, offer(1518, 0));
        run();
        assertEquals(1, front.counters.get(VifCounters.RX_PACKETS));
        assertEquals(1, front.counters.drops(DropReason.OVERSIZE), "the guest's count is not the refusal's");
        assertEquals(0, front.counters.drops(DropReason.RX_OVERSIZE), "a refusal is counted by the caller");
        assertEachDirectionReconciles();
    }

    @Test
    void shouldCountAChecksumItCannotCompleteFromTheGuestAsOffloadFailedAndForTheGuestAsRxOffloadFailed()
    {
        // rxcsum off: complete the guest's partial checksums before passing them on; txcsum off: complete them before
        // handing frames to the guest. This backend has no software offload: both fail
        front.store.write("backend/vif/1/0/rxcsum", 0);
        front.store.write("backend/vif/1/0/txcsum", 0);
        run();
        send(NETTXF_CSUM_BLANK | NETTXF_DATA_VALIDATED, 100);
        send(0, 100);
        assertEquals(1, front.counters.drops(DropReason.OFFLOAD_FAILED));
        assertEquals(NETIF_RSP_OKAY, front.txRspStatus(0), "answered OKAY as Linux netback does");
        assertEquals(1, front.counters.get(VifCounters.TX_PACKETS));

        front.postRx(front.rxGref[0], 1);
        front.postRx(front.rxGref[1], 2);
        assertEquals(DropReason.NONE, offer(100, FrameFlags.CSUM_PARTIAL));
        assertEquals(DropReason.NONE, offer(100, FrameFlags.DATA_VALIDATED));
        run();
        assertEquals(1, front.counters.drops(DropReason.RX_OFFLOAD_FAILED));
        assertEquals(1, front.counters.drops(DropReason.OFFLOAD_FAILED), "the guest's count is not the frame's");
        assertEquals(1, front.counters.get(VifCounters.RX_PACKETS));
        assertEachDirectionReconciles();
    }

    @Test
    void shouldGiveEveryDropItCountsOneDirection()
    {
        // a guest that has gone: what was queued for it is counted toward it
        assertEquals(DropReason.NONE, offer(100, 0));
        assertEquals(DropReason.NONE, offer(100, 0));
        send(0, 10); // first slot shorter than an Ethernet header
        front.store.writeState(front.config.frontendDir(), io.pvnet.engine.store.XenbusState.CLOSED);
        run();
        assertFalse(front.xnb.isConnected());
        assertEquals(2, front.counters.drops(DropReason.RX_NOT_CONNECTED));
        assertEquals(1, front.counters.drops(DropReason.FIRST_SLOT_SHORT));
        assertEquals(DropReason.RX_NOT_CONNECTED, offer(100, 0));
        assertEachDirectionReconciles();
    }
}
