package io.pvnet.engine.xnb;

import io.pvnet.engine.vif.DropReason;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.vif.VifSections;
import io.pvnet.engine.netif.TxRequestDescriptor;
import io.pvnet.engine.offload.FrameOffload;
import io.pvnet.ring.BackRing;
import io.pvnet.ring.grant.GrantTable;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

import static io.pvnet.engine.netif.NetifConstants.*;

/**
 * The transmit half of one backend queue (Linux netback's {@code netback.c} tx path, FreeBSD xnb's
 * {@code xnb_txpkt2rsp} family): consumes the guest's tx requests, snapshots each slot once (XSA-155), assembles a
 * packet from them ({@link TxAssembler}), grant-copies it into a private frame buffer, answers every slot and hands the
 * frame to the {@link FrameSink}. The {@link CreditScheduler} holds packets back while the {@code rate} is exceeded.
 * <p>
 * Threading: the agent's thread only.
 */
final class XnbTx
{
    /** Packets taken from the ring per duty cycle (Linux's NAPI budget, {@link io.pvnet.engine.vif.VifPolling}). */
    private final int budget = io.pvnet.engine.vif.VifPolling.budget();

    private final XnbVif vif;
    private final XnbQueue queue;
    private final FrameSink sink;
    /** Describes the frame handed to the sink (agent thread only, reused: valid during the sink's call). */
    private final FrameMetadata metadata = new FrameMetadata();
    private final FrameOffload offload;
    private final CreditScheduler credit = new CreditScheduler();
    private final TxPacket txPkt = new TxPacket();
    private final GrantCopyBatch batch = new GrantCopyBatch(TxAssembler.MAX_PACKET_SLOTS + 2);
    /** Direct memory of one queue's tx side: its frame buffer. */
    static final int DIRECT_BYTES = XnbVif.MAX_FRAME + PAGE_SIZE;
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(DIRECT_BYTES));
    private final SlotArray txSnapshot = new SlotArray(
        new UnsafeBuffer(new byte[VifSections.RING_SIZE * TX_SLOT_LENGTH]), 0, VifSections.RING_SIZE, TX_SLOT_LENGTH);

    private BackRing tx;
    private SlotArray txRing;
    private int txSnapshotEnd;
    /** The req_cons at which req_event was last armed. */
    private int txEventArmedAt;
    /** Whether tx responses were written since the last push, and the bytes of their packets. */
    private boolean txResponsesPending;
    private int txBytesUnpushed;
    /** Words read by {@link #prefetchTxPages}, kept so the JIT keeps the loads. */
    private long prefetched;

    XnbTx(final XnbVif vif, final XnbQueue queue, final FrameSink sink, final FrameOffload offload)
    {
        this.vif = vif;
        this.queue = queue;
        this.sink = sink;
        this.offload = offload;
    }

    /** @return this queue's credit scheduler (reloaded by {@link XnbConnection} when the store changes). */
    CreditScheduler credit()
    {
        return credit;
    }

    void attach(final BackRing ring)
    {
        tx = ring;
        txRing = new SlotArray(ring.buffer(), ring.requestOffset(0), ring.size(), TX_SLOT_LENGTH);
        txSnapshotEnd = ring.requestConsumer();
        txEventArmedAt = ring.requestConsumer() - 1;
    }

    void detach()
    {
        tx = null;
    }

    /**
     * @return whether the guest's tx ring holds requests not yet taken (held back by the credit scheduler, or a bad
     *         {@code req_prod}): the guest will not kick for them again, so a timer must bring the thread back.
     */
    boolean hasUntakenRequests()
    {
        final BackRing ring = tx;
        return ring != null && ring.unconsumedRequests() != 0;
    }

    /** @return packets consumed from the tx ring (at most the NAPI budget). */
    int process()
    {
        int available = tx.unconsumedRequests();
        if (available == 0 && txEventArmedAt != tx.requestConsumer())
        {
            // arm req_event once per position: re-storing it on every idle poll would bounce the cache line that
            // holds req_prod between the two sides
            txEventArmedAt = tx.requestConsumer();
            available = tx.finalCheckForRequests();
        }
        if (available < 0)
        {
            queue.fatal(DropReason.IMPOSSIBLE_REQUESTS, "tx req_prod outside the ring");
            return 0;
        }
        if (available == 0)
        {
            return 0;
        }
        final int consumerStart = tx.requestConsumer();
        final int producer = consumerStart + available;
        // snapshot each newly visible slot exactly once (a chain left incomplete is not read again)
        if (txSnapshotEnd - consumerStart < 0 || txSnapshotEnd - consumerStart > available)
        {
            txSnapshotEnd = consumerStart;
        }
        txSnapshot.copyFrom(txRing, txSnapshotEnd, producer);
        txSnapshotEnd = producer;
        if (available > 1)
        {
            // one packet gains nothing: its copy follows at once and waits for the line either way
            prefetchTxPages(consumerStart, producer);
        }

        int consumer = consumerStart;
        int packets = 0;
        while (consumer != producer && packets < budget)
        {
            final int used = TxAssembler.ring2pkt(txPkt, txSnapshot, consumer, producer);
            if (used == 0)
            {
                break;
            }
            if (DropReason.isFatal(txPkt.error))
            {
                if (txResponsesPending)
                {
                    // the packets before it in this batch were answered: publish that (Linux's xenvif_tx_err pushes
                    // each dropped packet's answer), so the guest gets back their ids before the vif goes down
                    pushTxResponses();
                }
                queue.drop(txPkt.error);
                queue.fatal(txPkt.error, "tx packet at " + Integer.toUnsignedString(consumer));
                return packets;
            }
            if (credit.isLimited() && txPkt.isValid() && !credit.take(txPkt.size, queue.nowNs))
            {
                // over the rate: leave the packet in the ring (already snapshotted) until the next window, when the
                // thread serving this queue must poll it again (Linux's credit timer): the guest will not kick for it
                queue.pending.increment(VifCounters.RATE_LIMITED);
                queue.creditWaitNs = credit.nextCreditNs();
                break;
            }
            final boolean error;
            if (txPkt.isMulticastControl())
            {
                // Linux netback: a dummy request carrying MCAST_ADD/DEL is answered from its extras; its data slots are
                // never read, so their sizes do not matter
                txPkt.error = DropReason.NONE;
                error = !vif.applyMulticastControl(txPkt.mcastAdd, txPkt.mcastDel);
            }
            else
            {
                error = receiveTxPacket();
            }
            TxAssembler.txpkt2rsp(txPkt, txSnapshot, txRing, tx.responseProducer(), error);
            tx.consumeRequests(used);
            for (int i = 0; i < used; i++)
            {
                tx.claimResponse();
            }
            consumer += used;
            packets++;
            txResponsesPending = true;
            txBytesUnpushed += txPkt.size;
            if (txBytesUnpushed >= XnbVif.RESPONSE_PUSH_BYTES)
            {
                pushTxResponses();
            }
        }
        if (txResponsesPending)
        {
            pushTxResponses();
        }
        return packets;
    }

    private void pushTxResponses()
    {
        txResponsesPending = false;
        txBytesUnpushed = 0;
        queue.notifyTxIfAsked(tx.pushResponsesAndCheckNotify());
    }

    /**
     * Touches the first line of each request's data in the batch about to be processed, before any is copied: the
     * guest just wrote those lines on its own core, and loads issued back to back wait for them together, where the
     * copies one after another would each wait in turn (engine/README.md, third round). The slot after
     * an {@code NETTXF_EXTRA_INFO} request is an extra and is skipped; anything else that is not a valid grant is
     * ignored by {@link GrantTable#prefetch}.
     */
    private void prefetchTxPages(final int from, final int to)
    {
        final MutableDirectBuffer slots = txSnapshot.buffer();
        final GrantTable grants = vif.grants;
        final int self = vif.config.backendDomid();
        final int end = to - from > budget ? from + budget : to;
        long words = 0;
        boolean extra = false;
        for (int index = from; index != end; index++)
        {
            if (extra)
            {
                extra = false;
                continue;
            }
            final int slot = txSnapshot.offset(index);
            extra = (TxRequestDescriptor.flags(slots, slot) & NETTXF_EXTRA_INFO) != 0;
            words += grants.prefetch(
                self, (int)TxRequestDescriptor.gref(slots, slot), TxRequestDescriptor.offset(slots, slot));
        }
        prefetched += words;
    }

    /** @return whether the packet's slots get ERROR responses. */
    private boolean receiveTxPacket()
    {
        final TxPacket pkt = txPkt;
        if (!pkt.isValid())
        {
            queue.drop(pkt.error);
            return true;
        }
        if (!pkt.hasGso && pkt.size > vif.settings.mtu + XnbVif.VLAN_ETH_HLEN)
        {
            queue.drop(DropReason.OVERSIZE);
            return true;
        }
        batch.clear();
        final int ops = TxAssembler.txpkt2gnttab(pkt, txSnapshot, batch, 0, vif.config.domid());
        final GrantTable grants = vif.grants;
        final int self = vif.config.backendDomid();
        for (int op = 0; op < ops; op++)
        {
            batch.status(op, grants.copyFromGrant(
                self, (int)batch.gref(op), batch.grefOffset(op), frame, batch.localOffset(op), batch.length(op)));
        }
        final int length = TxAssembler.copiedLength(batch, 0, ops);
        if (length != pkt.size)
        {
            queue.drop(DropReason.COPY_FAILED);
            return true;
        }
        int flags = 0;
        if ((pkt.flags & NETTXF_CSUM_BLANK) != 0)
        {
            flags = FrameFlags.CSUM_PARTIAL;
            if (!vif.settings.rxcsum && !pkt.hasGso)
            {
                if (offload.completeChecksum(frame, 0, length) != FrameOffload.OK)
                {
                    queue.drop(DropReason.OFFLOAD_FAILED);
                    return false;
                }
                queue.pending.increment(VifCounters.CSUM_COMPLETED);
                flags = FrameFlags.DATA_VALIDATED;
            }
        }
        else if ((pkt.flags & NETTXF_DATA_VALIDATED) != 0)
        {
            flags = FrameFlags.DATA_VALIDATED;
        }
        final int status = sink.onFrame(
            frame, 0, length, metadata.set(flags, pkt.hasGso ? pkt.gsoSize : 0, pkt.hasGso ? pkt.gsoType : 0));
        if (status != DropReason.NONE)
        {
            // a per-packet reason of this side is counted as itself (every from-guest code has a counter); anything
            // else as downstream: a port's code, or a peer backend's refusal toward its guest (rx-queue-full of a vif
            // wired straight to this one's sink), which counted here would be a to-guest reason on this vif's
            // from-guest side
            final boolean ours = !DropReason.isFatal(status) && DropReason.isFromGuest(status);
            queue.drop(ours ? status : DropReason.DOWNSTREAM);
        }
        else
        {
            queue.pending.increment(VifCounters.TX_PACKETS);
            queue.pending.add(VifCounters.TX_BYTES, length);
        }
        return false;
    }
}
