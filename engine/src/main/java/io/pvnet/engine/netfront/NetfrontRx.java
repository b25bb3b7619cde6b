package io.pvnet.engine.netfront;

import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.frame.FrameHandler;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.vif.VifSections;
import io.pvnet.engine.netif.RxRequestDescriptor;
import io.pvnet.ring.FrontRing;
import io.pvnet.ring.event.EventChannel;
import io.pvnet.ring.RingStatus;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.pvnet.engine.netif.NetifConstants.*;

/**
 * The receive half of the frontend (Linux netfront's {@code xennet_poll} and {@code xennet_alloc_rx_buffers}): reads
 * each rx response once, hands complete frames to a {@link FrameHandler} (in place when they fit one page, else
 * reassembled), drops bad ones as errors, and reposts the buffers. The request at ring index i always uses buffer
 * i mod ring size, granted once per connection.
 * <p>
 * One per queue; {@code Netfront.poll} serves them in turn.
 * <p>
 * Threading: the frontend's one thread.
 */
final class NetfrontRx
{
    private static final int MAX_RX_SLOTS = XEN_NETIF_NR_SLOTS_MIN + 1;
    private static final int MAX_FRAME = XEN_NETIF_MAX_TX_SIZE;

    private final NetfrontVif vif;
    /** This queue's number and the first frame of its block in the page section ({@code VifSections.frame}). */
    final int queueIndex;
    final int frameBase;
    /** The port this queue notifies the backend through (set at connect). */
    EventChannel channel;
    /** Grant reference of each rx buffer's page (written by {@link NetfrontConnection} at connect). */
    final int[] gref = new int[VifSections.RING_SIZE];
    private final int[] slotOffset = new int[MAX_RX_SLOTS];
    private final int[] slotLength = new int[MAX_RX_SLOTS];
    /** Describes the frame handed to the handler (poller thread only, reused). */
    private final FrameMetadata metadata = new FrameMetadata();
    private final UnsafeBuffer reassembly = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_FRAME + PAGE_SIZE));
    private FrontRing rx;
    private int rxEventArmedAt;

    NetfrontRx(final NetfrontVif vif, final int index)
    {
        this.vif = vif;
        this.queueIndex = index;
        this.frameBase = VifSections.frame(index, 0);
    }

    /** Uses {@code ring} from now on; the buffers' pages are granted by the caller, then {@link #post} fills it. */
    void attach(final FrontRing ring)
    {
        rx = ring;
        rxEventArmedAt = ring.responseConsumer() - 1;
    }

    /** See {@link Netfront#poll}. */
    int poll(final FrameHandler handler, final int limit)
    {
        if (!vif.isConnected())
        {
            return 0;
        }
        int available = rx.unconsumedResponses();
        if (available == RingStatus.RESPONSE_PROD_OVERFLOW)
        {
            vif.broken("rx response producer beyond posted requests");
            return 0;
        }
        if (available == 0)
        {
            if (rxEventArmedAt == rx.responseConsumer())
            {
                return 0;
            }
            // arm rsp_event once per position, not on every idle poll (the line also holds rsp_prod)
            rxEventArmedAt = rx.responseConsumer();
            available = rx.finalCheckForResponses();
            if (available <= 0)
            {
                return 0;
            }
        }
        final AtomicBuffer ring = rx.buffer();
        final int start = rx.responseConsumer();
        final int end = start + available;
        int index = start;
        int frames = 0;
        while (index != end && frames < limit)
        {
            final int used = receiveOne(ring, index, end, handler);
            if (used == 0)
            {
                break;
            }
            index += used;
            frames++;
        }
        final int consumed = index - start;
        if (consumed > 0)
        {
            rx.consumeResponses(consumed);
            post(consumed);
        }
        return frames;
    }

    /** @return slots the packet at {@code index} used, 0 if it is not complete yet. */
    private int receiveOne(final AtomicBuffer ring, final int first, final int end, final FrameHandler handler)
    {
        int index = first;
        int slots = 0;
        int total = 0;
        int gsoSize = 0;
        int gsoType = 0;
        int hash = 0;
        int hashType = FrameMetadata.NO_HASH;
        int packetFlags = 0;
        boolean error = false;
        boolean more = true;
        boolean extra = false;
        while (more || extra)
        {
            if (index == end)
            {
                return 0;
            }
            final long word = ring.getLong(rx.responseOffset(index), ByteOrder.LITTLE_ENDIAN);
            index++;
            if (extra)
            {
                // netif_extra_info: type u8, flags u8, then gso {size u16, type u8} or hash {type, alg u8, value u32}
                final int type = (int)word & 0xFF;
                if (type == XEN_NETIF_EXTRA_TYPE_GSO)
                {
                    gsoSize = (int)(word >>> 16) & 0xFFFF;
                    gsoType = (int)(word >>> 32) & 0xFF;
                }
                else if (type == XEN_NETIF_EXTRA_TYPE_HASH)
                {
                    hashType = (int)(word >>> 16) & 0xFF;
                    hash = (int)(word >>> 32);
                }
                extra = ((word >>> 8) & XEN_NETIF_EXTRA_FLAG_MORE) != 0 && index - first < MAX_RX_SLOTS;
                continue;
            }
            final int dataOffset = (int)(word >>> 16) & 0xFFFF;
            final int flags = (int)(word >>> 32) & 0xFFFF;
            final int status = (short)(word >>> 48);
            if (slots == 0)
            {
                packetFlags = flags;
                extra = (flags & NETRXF_EXTRA_INFO) != 0;
            }
            more = (flags & NETRXF_MORE_DATA) != 0;
            if (status < 0 || dataOffset + status > PAGE_SIZE || slots >= MAX_RX_SLOTS)
            {
                error = true;
            }
            else
            {
                slotOffset[slots] = vif.pageOffset(
                    frameBase + VifSections.RX_BUFFER_FRAME + ((index - 1) & (VifSections.RING_SIZE - 1))) + dataOffset;
                slotLength[slots] = status;
                total += status;
                slots++;
            }
            if (index - first > MAX_RX_SLOTS + 4)
            {
                error = true;
                more = false;
                extra = false;
            }
        }
        if (error || total == 0)
        {
            vif.rxErrors++;
            return index - first;
        }
        final int frameFlags = ((packetFlags & NETRXF_CSUM_BLANK) != 0 ? FrameFlags.CSUM_PARTIAL : 0) |
            ((packetFlags & NETRXF_DATA_VALIDATED) != 0 ? FrameFlags.DATA_VALIDATED : 0);
        final FrameMetadata frame = metadata.set(frameFlags, gsoSize, gsoType).hash(hash, hashType);
        if (slots == 1)
        {
            handler.onFrame(vif.pages, slotOffset[0], total, frame);
        }
        else
        {
            int at = 0;
            for (int s = 0; s < slots; s++)
            {
                reassembly.putBytes(at, vif.pages, slotOffset[s], slotLength[s]);
                at += slotLength[s];
            }
            handler.onFrame(reassembly, 0, total, frame);
        }
        vif.rxPackets++;
        return index - first;
    }

    /** Posts {@code count} rx requests: the request at ring index i always uses buffer i mod ring size. */
    void post(final int count)
    {
        final AtomicBuffer ring = rx.buffer();
        for (int i = 0; i < count; i++)
        {
            final int index = rx.requestProducer();
            final int buffer = index & (VifSections.RING_SIZE - 1);
            final int offset = rx.claimRequest();
            if (offset < 0)
            {
                break;
            }
            RxRequestDescriptor.write(ring, offset, buffer, gref[buffer]);
        }
        vif.notifyIfAsked(channel, rx.pushRequestsAndCheckNotify());
    }
}
