package io.pvnet.engine.xnb;

import io.pvnet.engine.netif.ExtraInfoDescriptor;
import io.pvnet.engine.netif.RxRequestDescriptor;
import io.pvnet.engine.netif.RxResponseDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static io.pvnet.engine.netif.NetifConstants.*;

/**
 * The receive half of xnb's packet assembly, as FreeBSD's {@code netback.c} splits it: {@link #frame2pkt} lays a frame
 * over the frontend's posted buffers ({@code xnb_mbufc2pkt}), {@link #rxpkt2gnttab} makes the grant copy ops,
 * {@link #rxpkt2rsp} writes the responses, each in its request's slot. Stateless static functions.
 */
public final class RxAssembler
{
    /** {@link #frame2pkt}: laid out. */
    public static final int OK = 0;
    /** {@link #frame2pkt}: nothing to send (EINVAL). */
    public static final int EINVAL = -22;
    /** {@link #frame2pkt}: not enough posted buffers yet (EAGAIN). */
    public static final int EAGAIN = -11;

    private RxAssembler()
    {
    }

    /** @return the rx slots a frame needs: one per started page, plus one for a GSO extra. */
    public static int slotsNeeded(final int length, final boolean gso)
    {
        return (length + PAGE_SIZE - 1) / PAGE_SIZE + (gso ? 1 : 0);
    }

    /**
     * Lays a frame of {@code length} bytes over the requests from ring index {@code start}.
     *
     * @param rxFlags NETRXF_data_validated / NETRXF_csum_blank to set on the first response.
     * @param gsoSize MSS for a GSO extra, 0 for none.
     * @param space   posted requests not yet used.
     * @return {@link #OK}, {@link #EINVAL} or {@link #EAGAIN}.
     */
    public static int frame2pkt(
        final RxPacket pkt, final int length, final int rxFlags, final int gsoSize, final int gsoType, final int start,
        final int space)
    {
        return frame2pkt(pkt, length, rxFlags, gsoSize, gsoType, -1, 0, start, space);
    }

    /**
     * As {@link #frame2pkt(RxPacket, int, int, int, int, int, int)} with a HASH extra ({@code hashType} >= 0, the
     * hash type number; Linux netback's {@code XEN_NETIF_EXTRA_TYPE_HASH} after any GSO extra).
     */
    public static int frame2pkt(
        final RxPacket pkt, final int length, final int rxFlags, final int gsoSize, final int gsoType,
        final int hashType, final int hashValue, final int start, final int space)
    {
        pkt.clear();
        if (length <= 0)
        {
            return EINVAL;
        }
        pkt.size = length;
        pkt.car = start;
        pkt.flags = rxFlags;
        pkt.hasGso = gsoSize != 0;
        pkt.gsoSize = gsoSize;
        pkt.gsoType = gsoType;
        pkt.hashType = hashType;
        pkt.hashValue = hashValue;
        pkt.cdr = start + 1 + pkt.extras();
        pkt.listLen = (length + PAGE_SIZE - 1) / PAGE_SIZE;
        pkt.slots = pkt.listLen + pkt.extras();
        if (pkt.slots > space)
        {
            return EAGAIN;
        }
        pkt.valid = true;
        return OK;
    }

    /**
     * Adds the ops that copy the frame at {@code localOffset} into the posted pages, each from page offset 0.
     *
     * @return ops added (one per data page); 0 for an invalid packet.
     */
    public static int rxpkt2gnttab(
        final RxPacket pkt, final SlotArray requests, final GrantCopyBatch batch, final int localOffset, final int peerDomid)
    {
        if (!pkt.valid)
        {
            return 0;
        }
        final DirectBuffer buffer = requests.buffer();
        int remaining = pkt.size;
        int source = localOffset;
        for (int page = 0; page < pkt.listLen; page++)
        {
            final int length = Math.min(remaining, PAGE_SIZE);
            final long gref = RxRequestDescriptor.gref(buffer, requests.offset(pkt.pageIndex(page)));
            batch.add(GrantCopyBatch.DEST_GREF, peerDomid, gref, 0, source, length);
            source += length;
            remaining -= length;
        }
        return pkt.listLen;
    }

    /**
     * Writes the responses of a packet whose copy ops start at {@code firstOp}: if any op failed, a single ERROR response
     * in the first request's slot (FreeBSD); else one response per page (offset 0, more_data unless last, the first with
     * the packet flags and extra_info) and the GSO extra in slot {@code car + 1}. Ids come from the snapshot. No push.
     *
     * @return responses written (the requests consumed); 0 for an invalid packet.
     */
    public static int rxpkt2rsp(
        final RxPacket pkt, final SlotArray requests, final GrantCopyBatch batch, final int firstOp, final SlotArray ring)
    {
        if (!pkt.valid)
        {
            return 0;
        }
        final DirectBuffer snapshot = requests.buffer();
        final MutableDirectBuffer responses = ring.buffer();
        for (int op = firstOp; op < firstOp + pkt.listLen; op++)
        {
            if (batch.status(op) != 0)
            {
                RxResponseDescriptor.write(responses, ring.offset(pkt.car),
                    RxRequestDescriptor.id(snapshot, requests.offset(pkt.car)), 0, 0, NETIF_RSP_ERROR);
                return 1;
            }
        }
        int remaining = pkt.size;
        for (int page = 0; page < pkt.listLen; page++)
        {
            final int index = pkt.pageIndex(page);
            final int length = Math.min(remaining, PAGE_SIZE);
            remaining -= length;
            int flags = page < pkt.listLen - 1 ? NETRXF_MORE_DATA : 0;
            if (page == 0)
            {
                flags |= pkt.flags | (pkt.extras() != 0 ? NETRXF_EXTRA_INFO : 0);
            }
            RxResponseDescriptor.write(
                responses, ring.offset(index), RxRequestDescriptor.id(snapshot, requests.offset(index)), 0, flags, length);
        }
        if (pkt.hasGso)
        {
            ExtraInfoDescriptor.writeGso(responses, ring.offset(pkt.car + 1),
                pkt.hasHash() ? XEN_NETIF_EXTRA_FLAG_MORE : 0, pkt.gsoSize, pkt.gsoType, 0);
        }
        if (pkt.hasHash())
        {
            ExtraInfoDescriptor.writeHash(responses, ring.offset(pkt.car + (pkt.hasGso ? 2 : 1)), 0, pkt.hashType,
                XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ, pkt.hashValue & 0xFFFF_FFFFL);
        }
        return pkt.slots;
    }
}
