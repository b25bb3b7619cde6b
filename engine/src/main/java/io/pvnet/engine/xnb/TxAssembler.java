package io.pvnet.engine.xnb;

import io.pvnet.engine.netif.ExtraInfoDescriptor;
import io.pvnet.engine.netif.TxRequestDescriptor;
import io.pvnet.engine.netif.TxResponseDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static io.pvnet.engine.netif.NetifConstants.*;

/**
 * The transmit half of xnb's packet assembly, as FreeBSD's {@code netback.c} splits it: {@link #ring2pkt} finds one
 * packet in the backend's private snapshot of the tx ring, {@link #txpkt2gnttab} turns it into grant copy ops,
 * {@link #txpkt2rsp} answers every slot. Unlike FreeBSD, {@code ring2pkt} enforces Linux netback's limits (see
 * {@link DropReason}). Stateless static functions; all memory is passed in.
 */
public final class TxAssembler
{
    /** Continuation slots from which a packet is dropped (Linux {@code XEN_NETBK_LEGACY_SLOTS_MAX}). */
    public static final int DROP_CONTINUATION_SLOTS = 18;
    /** Continuation slots from which the vif is disabled (Linux {@code fatal_skb_slots} default). */
    public static final int FATAL_CONTINUATION_SLOTS = 20;
    /** At most one extra of each type. */
    public static final int MAX_EXTRAS = XEN_NETIF_EXTRA_TYPE_MAX - 1;
    /** Most slots one packet can take before {@link #ring2pkt} stops: data slots plus extras. */
    public static final int MAX_PACKET_SLOTS = FATAL_CONTINUATION_SLOTS + 1 + MAX_EXTRAS;

    private TxAssembler()
    {
    }

    /**
     * Finds the packet starting at ring index {@code start}, reading only snapshot slots {@code [start, prod)}.
     *
     * @return slots the packet uses (extras included), or 0 if there is none or its chain runs past {@code prod}
     * (then {@code pkt.error()} is {@link DropReason#INCOMPLETE}). A fatal error stops the walk at the offending slot.
     */
    public static int ring2pkt(final TxPacket pkt, final SlotArray slots, final int start, final int prod)
    {
        pkt.clear();
        if (start == prod)
        {
            return 0;
        }

        final DirectBuffer buffer = slots.buffer();
        int index = start;
        final int first = slots.offset(index);
        final int firstFlags = TxRequestDescriptor.flags(buffer, first);
        final int firstOffset = TxRequestDescriptor.offset(buffer, first);
        pkt.car = start;
        pkt.size = TxRequestDescriptor.size(buffer, first);
        pkt.flags = firstFlags & ~NETTXF_MORE_DATA;
        pkt.listLen = 1;
        index++;

        boolean extra = (firstFlags & NETTXF_EXTRA_INFO) != 0;
        while (extra)
        {
            if (index == prod)
            {
                return incomplete(pkt);
            }
            final int offset = slots.offset(index);
            final int type = ExtraInfoDescriptor.type(buffer, offset);
            pkt.extraCount++;
            pkt.extraType = type;
            index++;
            if (pkt.extraCount > MAX_EXTRAS || type == XEN_NETIF_EXTRA_TYPE_NONE || type >= XEN_NETIF_EXTRA_TYPE_MAX)
            {
                fail(pkt, DropReason.EXTRA_MALFORMED);
                if (pkt.extraCount > MAX_EXTRAS)
                {
                    pkt.slots = index - start;
                    return pkt.slots;
                }
            }
            else if (type == XEN_NETIF_EXTRA_TYPE_GSO)
            {
                final int gsoSize = ExtraInfoDescriptor.gsoSize(buffer, offset);
                final int gsoType = ExtraInfoDescriptor.gsoType(buffer, offset);
                if (gsoSize == 0 || (gsoType != XEN_NETIF_GSO_TYPE_TCPV4 && gsoType != XEN_NETIF_GSO_TYPE_TCPV6))
                {
                    fail(pkt, DropReason.GSO_MALFORMED);
                }
                else
                {
                    pkt.hasGso = true;
                    pkt.gsoSize = gsoSize;
                    pkt.gsoType = gsoType;
                }
            }
            else if (type == XEN_NETIF_EXTRA_TYPE_MCAST_ADD)
            {
                pkt.mcastAdd = ExtraInfoDescriptor.mcastAddress(buffer, offset);
            }
            else if (type == XEN_NETIF_EXTRA_TYPE_MCAST_DEL)
            {
                pkt.mcastDel = ExtraInfoDescriptor.mcastAddress(buffer, offset);
            }
            extra = (ExtraInfoDescriptor.flags(buffer, offset) & XEN_NETIF_EXTRA_FLAG_MORE) != 0;
        }

        int remaining = pkt.size;
        boolean more = (firstFlags & NETTXF_MORE_DATA) != 0;
        pkt.cdr = index;
        int continuation = 0;
        while (more)
        {
            if (index == prod)
            {
                return incomplete(pkt);
            }
            if (continuation >= FATAL_CONTINUATION_SLOTS)
            {
                fail(pkt, DropReason.FATAL_SLOT_COUNT);
                pkt.slots = index - start;
                return pkt.slots;
            }
            if (continuation >= DROP_CONTINUATION_SLOTS)
            {
                fail(pkt, DropReason.TOO_MANY_SLOTS);
            }
            final int offset = slots.offset(index);
            final int size = TxRequestDescriptor.size(buffer, offset);
            if (TxRequestDescriptor.offset(buffer, offset) + size > PAGE_SIZE)
            {
                fail(pkt, DropReason.SLOT_CROSSES_PAGE);
                pkt.slots = index + 1 - start;
                return pkt.slots;
            }
            if (size > remaining)
            {
                fail(pkt, DropReason.SIZE_MISMATCH);
                remaining = 0;
            }
            else
            {
                remaining -= size;
            }
            more = (TxRequestDescriptor.flags(buffer, offset) & NETTXF_MORE_DATA) != 0;
            continuation++;
            pkt.listLen++;
            index++;
        }

        pkt.carSize = remaining;
        if (firstOffset + remaining > PAGE_SIZE)
        {
            fail(pkt, DropReason.SLOT_CROSSES_PAGE);
        }
        else if (remaining < ETH_HLEN)
        {
            fail(pkt, DropReason.FIRST_SLOT_SHORT);
        }
        pkt.slots = index - start;
        return pkt.slots;
    }

    /**
     * Adds the grant copy ops that bring a valid packet into a local buffer at {@code localOffset}, contiguous: one op per
     * non-empty data slot (zero-length slots are answered but never copied, XSA-448). The caller has checked
     * {@code batch.remaining() >= pkt.listLen()}.
     *
     * @return ops added; 0 for an invalid packet.
     */
    public static int txpkt2gnttab(
        final TxPacket pkt, final SlotArray slots, final GrantCopyBatch batch, final int localOffset, final int peerDomid)
    {
        if (!pkt.isValid() || pkt.size == 0)
        {
            return 0;
        }
        final DirectBuffer buffer = slots.buffer();
        final int before = batch.count();
        int dest = localOffset;
        final int first = slots.offset(pkt.car);
        if (pkt.carSize > 0)
        {
            batch.add(GrantCopyBatch.SOURCE_GREF, peerDomid, TxRequestDescriptor.gref(buffer, first),
                TxRequestDescriptor.offset(buffer, first), dest, pkt.carSize);
            dest += pkt.carSize;
        }
        for (int i = 1; i < pkt.listLen; i++)
        {
            final int offset = slots.offset(pkt.cdr + i - 1);
            final int size = TxRequestDescriptor.size(buffer, offset);
            if (size > 0)
            {
                batch.add(GrantCopyBatch.SOURCE_GREF, peerDomid, TxRequestDescriptor.gref(buffer, offset),
                    TxRequestDescriptor.offset(buffer, offset), dest, size);
                dest += size;
            }
        }
        return batch.count() - before;
    }

    /**
     * Answers every slot of a packet: the data slots with OKAY, or ERROR if the packet is invalid or {@code error},
     * the extra slots with NULL; ids come from the snapshot. Whole slots are written (XSA-216). Does not push.
     *
     * @return the new {@code rsp_prod_pvt}: {@code rspProdPvt + pkt.slots()}.
     */
    public static int txpkt2rsp(
        final TxPacket pkt, final SlotArray snapshot, final SlotArray ring, final int rspProdPvt, final boolean error)
    {
        final int status = (!pkt.isValid() || error) ? NETIF_RSP_ERROR : NETIF_RSP_OKAY;
        final DirectBuffer requests = snapshot.buffer();
        final MutableDirectBuffer responses = ring.buffer();
        int rsp = rspProdPvt;
        for (int i = 0; i < pkt.slots; i++)
        {
            final int index = pkt.car + i;
            if (i >= 1 && i <= pkt.extraCount)
            {
                TxResponseDescriptor.write(responses, ring.offset(rsp), 0, NETIF_RSP_NULL);
            }
            else
            {
                TxResponseDescriptor.write(
                    responses, ring.offset(rsp), TxRequestDescriptor.id(requests, snapshot.offset(index)), status);
            }
            rsp++;
        }
        return rsp;
    }

    /**
     * Checks the statuses of a packet's copy ops ({@code xnb_update_mbufc}).
     *
     * @return the number of bytes copied, or -1 if any op failed.
     */
    public static int copiedLength(final GrantCopyBatch batch, final int firstOp, final int opCount)
    {
        int length = 0;
        for (int op = firstOp; op < firstOp + opCount; op++)
        {
            if (batch.status(op) != 0)
            {
                return -1;
            }
            length += batch.length(op);
        }
        return length;
    }

    private static int incomplete(final TxPacket pkt)
    {
        pkt.error = DropReason.INCOMPLETE;
        pkt.slots = 0;
        return 0;
    }

    private static void fail(final TxPacket pkt, final int reason)
    {
        if (pkt.error == DropReason.NONE || (DropReason.isFatal(reason) && !DropReason.isFatal(pkt.error)))
        {
            pkt.error = reason;
        }
    }
}
