package io.pvnet.engine.netfront;

import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.vif.VifSections;
import io.pvnet.engine.netif.ExtraInfoDescriptor;
import io.pvnet.engine.netif.NetifKeys;
import io.pvnet.engine.netif.TxRequestDescriptor;
import io.pvnet.engine.offload.FrameOffload;
import io.pvnet.engine.frame.OffloadPolicy;
import io.pvnet.ring.FrontRing;
import io.pvnet.ring.event.EventChannel;
import io.pvnet.ring.RingStatus;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.pvnet.engine.netif.NetifConstants.*;

/**
 * The transmit half of the frontend (Linux netfront's {@code xennet_start_xmit} and {@code xennet_tx_buf_gc}): copies
 * each frame into granted tx pages (one per tx id), writes its requests [+ GSO extra], publishes them on
 * {@link #flush()}, and frees tx ids as the backend answers, checking every response (XSA-391).
 * <p>
 * One per queue: a multi-queue frontend sends each flow through one queue ({@code Netfront.transmit} chooses).
 * <p>
 * Threading: the frontend's one thread.
 */
final class NetfrontTx
{
    private static final int MAX_FRAME = XEN_NETIF_MAX_TX_SIZE;

    private final NetfrontVif vif;
    private final FrameOffload offload;
    /** This queue's number and the first frame of its block in the page section ({@code VifSections.frame}). */
    final int queueIndex;
    final int frameBase;
    /** The port this queue notifies the backend through (set at connect). */
    EventChannel channel;
    /** Grant reference of each tx id's page (written by {@link NetfrontConnection} at connect). */
    final int[] gref = new int[VifSections.RING_SIZE];
    private final int[] freeTxIds = new int[VifSections.RING_SIZE];
    private final boolean[] txPending = new boolean[VifSections.RING_SIZE];
    private final UnsafeBuffer scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(256 * 1024));
    private final SegmentTransmitter segmentTransmitter = new SegmentTransmitter();
    /** The frame being transmitted, described for the {@link OffloadPolicy} (the frontend's thread, reused). */
    /** Describes the plain frames of {@link #transmit(DirectBuffer, int, int)} (the frontend's thread only). */
    private final FrameMetadata plain = new FrameMetadata();
    private FrontRing tx;
    private int freeTxCount;
    private boolean pushPending;
    /** Response consumer position at which the tx rsp_event was last armed (once per position). */
    private int txEventArmedAt;

    NetfrontTx(final NetfrontVif vif, final FrameOffload offload, final int index)
    {
        this.vif = vif;
        this.offload = offload;
        this.queueIndex = index;
        this.frameBase = VifSections.frame(index, 0);
    }

    /** Uses {@code ring} from now on with every tx id free; the ids' pages are granted by the caller. */
    void attach(final FrontRing ring)
    {
        tx = ring;
        freeTxCount = 0;
        pushPending = false;
        txEventArmedAt = ring.responseConsumer() - 1;
    }

    /** Marks tx id {@code id} free (at connect, highest first so that id 0 goes first). */
    void free(final int id)
    {
        txPending[id] = false;
        freeTxIds[freeTxCount++] = id;
    }

    boolean isPushPending()
    {
        return pushPending;
    }

    /** @return tx ids waiting for a response. */
    int outstanding()
    {
        return VifSections.RING_SIZE - freeTxCount;
    }

    /** See {@link Netfront#transmit(DirectBuffer, int, int)}. */
    int transmit(final DirectBuffer frame, final int offset, final int length)
    {
        return transmit(frame, offset, length, plain.set(0, 0, 0));
    }

    /** See {@link Netfront#transmit(DirectBuffer, int, int, FrameMetadata)}. */
    int transmit(final DirectBuffer frame, final int offset, final int length, final FrameMetadata metadata)
    {
        if (!vif.isConnected())
        {
            return Netfront.NOT_CONNECTED;
        }
        if (length < ETH_HLEN || length > MAX_FRAME || (length > PAGE_SIZE && !vif.backendSg))
        {
            return Netfront.INVALID;
        }
        final int decision = OffloadPolicy.decide(vif.txCapabilities, OffloadPolicy.NO_MTU, metadata, 0);
        return switch (decision)
        {
            case OffloadPolicy.PASS -> write(
                frame, offset, length, txFlags(metadata.flags()), metadata.gsoSize(), metadata.gsoType());
            case OffloadPolicy.COMPLETE -> transmitChecksummed(frame, offset, length, metadata.flags());
            case OffloadPolicy.SEGMENT -> transmitSegmented(frame, offset, length, metadata.gsoSize());
            default -> Netfront.INVALID;
        };
    }

    /** See {@link Netfront#multicastControl}. */
    int multicastControl(final boolean add, final long mac)
    {
        if (!vif.isConnected())
        {
            return Netfront.NOT_CONNECTED;
        }
        if (!vif.store.readFlag(vif.backendDir + "/" + NetifKeys.FEATURE_MULTICAST_CONTROL))
        {
            return Netfront.INVALID;
        }
        if (tx.freeRequests() < 2 || freeTxCount < 1)
        {
            reap();
            if (tx.freeRequests() < 2 || freeTxCount < 1)
            {
                vif.txBusy++;
                return Netfront.BUSY;
            }
        }
        final AtomicBuffer ring = tx.buffer();
        final int id = freeTxIds[--freeTxCount];
        txPending[id] = true;
        // a dummy request: the backend answers it from the extra and never reads its (empty) data
        TxRequestDescriptor.write(ring, tx.claimRequest(), gref[id], 0, NETTXF_EXTRA_INFO, id, 0);
        ExtraInfoDescriptor.writeMcast(ring, tx.claimRequest(),
            add ? XEN_NETIF_EXTRA_TYPE_MCAST_ADD : XEN_NETIF_EXTRA_TYPE_MCAST_DEL, 0, mac);
        pushPending = true;
        return Netfront.OK;
    }

    private static int txFlags(final int frameFlags)
    {
        int flags = 0;
        if ((frameFlags & FrameFlags.CSUM_PARTIAL) != 0)
        {
            flags |= NETTXF_CSUM_BLANK | NETTXF_DATA_VALIDATED;
        }
        else if ((frameFlags & FrameFlags.DATA_VALIDATED) != 0)
        {
            flags |= NETTXF_DATA_VALIDATED;
        }
        return flags;
    }

    private int write(
        final DirectBuffer frame, final int offset, final int length, final int netifFlags, final int gsoSize,
        final int gsoType)
    {
        final int pageCount = (length + PAGE_SIZE - 1) / PAGE_SIZE;
        final int slots = pageCount + (gsoSize != 0 ? 1 : 0);
        if (tx.freeRequests() < slots || freeTxCount < pageCount)
        {
            reap();
            if (!vif.isConnected())
            {
                return Netfront.NOT_CONNECTED;
            }
            if (tx.freeRequests() < slots || freeTxCount < pageCount)
            {
                vif.txBusy++;
                return Netfront.BUSY;
            }
        }
        final AtomicBuffer ring = tx.buffer();
        int remaining = length;
        int source = offset;
        for (int page = 0; page < pageCount; page++)
        {
            final int chunk = Math.min(remaining, PAGE_SIZE);
            final int id = freeTxIds[--freeTxCount];
            txPending[id] = true;
            vif.pages.putBytes(vif.pageOffset(frameBase + VifSections.TX_BUFFER_FRAME + id), frame, source, chunk);
            final int more = page < pageCount - 1 ? NETTXF_MORE_DATA : 0;
            if (page == 0)
            {
                final int extra = gsoSize != 0 ? NETTXF_EXTRA_INFO : 0;
                TxRequestDescriptor.write(ring, tx.claimRequest(), gref[id], 0, netifFlags | more | extra, id, length);
                if (gsoSize != 0)
                {
                    ExtraInfoDescriptor.writeGso(ring, tx.claimRequest(), 0, gsoSize, gsoType, 0);
                    // the 12-byte slot's last 4 bytes stay as they were; the backend reads only the 8-byte extra
                }
            }
            else
            {
                TxRequestDescriptor.write(ring, tx.claimRequest(), gref[id], 0, more, id, chunk);
            }
            remaining -= chunk;
            source += chunk;
        }
        vif.txPackets++;
        pushPending = true;
        return Netfront.OK;
    }

    private int transmitChecksummed(final DirectBuffer frame, final int offset, final int length, final int flags)
    {
        scratch.putBytes(0, frame, offset, length);
        if (offload.completeChecksum(scratch, 0, length) != FrameOffload.OK)
        {
            return Netfront.INVALID;
        }
        return write(scratch, 0, length, NETTXF_DATA_VALIDATED, 0, 0);
    }

    private int transmitSegmented(final DirectBuffer frame, final int offset, final int length, final int mss)
    {
        final int segments = (length + mss - 1) / mss + 1;
        if (tx.freeRequests() < segments || freeTxCount < segments)
        {
            reap();
            if (tx.freeRequests() < segments || freeTxCount < segments)
            {
                vif.txBusy++;
                return Netfront.BUSY;
            }
        }
        final int made = offload.segment(frame, offset, length, mss, scratch, segmentTransmitter);
        return made > 0 ? Netfront.OK : Netfront.INVALID;
    }

    private final class SegmentTransmitter implements FrameOffload.SegmentSink
    {
        @Override
        public int onSegment(final DirectBuffer buffer, final int offset, final int length)
        {
            return write(buffer, offset, length, NETTXF_DATA_VALIDATED, 0, 0) == Netfront.OK ? 0 : 1;
        }
    }

    /** Publishes the written requests and notifies the backend if it asked for it. */
    void flush()
    {
        if (!pushPending || tx == null)
        {
            return;
        }
        pushPending = false;
        vif.notifyIfAsked(channel, tx.pushRequestsAndCheckNotify());
    }

    /**
     * Frees the tx ids the backend answered. With requests outstanding and nothing answered, re-arms the tx ring's
     * {@code rsp_event} ({@code RING_FINAL_CHECK_FOR_RESPONSES}, as Linux netfront's {@code xennet_tx_buf_gc}), so that
     * the backend notifies when it answers: a guest sleeping because its tx ring or ids ran out is woken then, not at
     * its sleep's timeout. Armed once per consumer position (the line also holds {@code rsp_prod}).
     *
     * @return responses consumed.
     */
    int reap()
    {
        int available = tx.unconsumedResponses();
        if (available == 0 && outstanding() > 0 && txEventArmedAt != tx.responseConsumer())
        {
            txEventArmedAt = tx.responseConsumer();
            available = tx.finalCheckForResponses();
        }
        if (available == RingStatus.RESPONSE_PROD_OVERFLOW)
        {
            vif.broken("tx response producer beyond outstanding requests");
            return 0;
        }
        if (available <= 0)
        {
            return 0;
        }
        final AtomicBuffer ring = tx.buffer();
        final int consumer = tx.responseConsumer();
        for (int i = 0; i < available; i++)
        {
            // one read of the slot: id and status together
            final int word = ring.getInt(tx.responseOffset(consumer + i), ByteOrder.LITTLE_ENDIAN);
            final int status = (short)(word >>> 16);
            if (status == NETIF_RSP_NULL)
            {
                continue;
            }
            final int id = word & 0xFFFF;
            if (id >= VifSections.RING_SIZE || !txPending[id])
            {
                vif.broken("tx response id=" + id + " not pending");
                return i;
            }
            txPending[id] = false;
            freeTxIds[freeTxCount++] = id;
            if (status != NETIF_RSP_OKAY)
            {
                vif.txErrorResponses++;
            }
        }
        tx.consumeResponses(available);
        return available;
    }
}
