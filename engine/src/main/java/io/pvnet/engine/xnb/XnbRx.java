package io.pvnet.engine.xnb;

import io.pvnet.checksum.hash.FlowHash;
import io.pvnet.checksum.parse.HeaderParser;
import io.pvnet.checksum.parse.PacketHeaders;
import io.pvnet.checksum.parse.ParseStatus;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.vif.DropReason;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.vif.VifSections;
import io.pvnet.checksum.offload.SegmentWindows;
import io.pvnet.engine.offload.FrameOffload;
import io.pvnet.engine.frame.OffloadPolicy;
import io.pvnet.ring.BackRing;
import io.pvnet.ring.grant.GrantStatus;
import io.pvnet.ring.grant.GrantTable;
import io.pvnet.ring.grant.GrantWindow;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

import static io.pvnet.engine.netif.NetifConstants.*;

/**
 * The receive half of one backend queue (Linux netback's {@code rx.c}, FreeBSD xnb's {@code xnb_rxpkt2rsp} family):
 * keeps frames offered for the guest in a bounded {@link RxFrameQueue}, completes their checksum or splits them when
 * the guest cannot take them as they are, and copies them into the buffers the guest posted, answering each with rx
 * responses. Posted requests are snapshotted once before use (XSA-155).
 * <p>
 * Threading: the agent's thread, except {@link #offer}, which one other thread may call (the single producer of the
 * rx queue). An offer made on the agent's own thread with {@code mayDeliver} first hands the guest what is queued,
 * then, with the queue empty, copies the frame straight into the guest's posted buffers, without the queue's copy.
 */
final class XnbRx
{
    /** Queued frames handed to the guest per duty cycle (the NAPI budget, {@link io.pvnet.engine.vif.VifPolling}). */
    private final int budget = io.pvnet.engine.vif.VifPolling.budget();
    private static final int SEGMENT_SCRATCH_BYTES = 256 * 1024;
    /** Headers a segment may carry: Ethernet, two VLAN tags, IPv6 with extensions or IPv4 with options, TCP options. */
    private static final int MAX_SEGMENT_HEADERS = 256;

    private final XnbVif vif;
    private final XnbQueue queue;
    private final FrameOffload offload;
    private final RxPacket rxPkt = new RxPacket();
    private final GrantCopyBatch batch = new GrantCopyBatch(TxAssembler.MAX_PACKET_SLOTS + 2);
    /** Holds every segment of one TSO frame: up to 1024 segments, each with its own copy of the headers. */
    /** Direct memory of one queue's rx side besides its frame queue: the segment scratch. */
    static final int DIRECT_BYTES = SEGMENT_SCRATCH_BYTES;
    private final UnsafeBuffer scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(SEGMENT_SCRATCH_BYTES));
    private final SlotArray rxSnapshot = new SlotArray(
        new UnsafeBuffer(new byte[VifSections.RING_SIZE * RX_SLOT_LENGTH]), 0, VifSections.RING_SIZE, RX_SLOT_LENGTH);
    private final RxFrameQueue frames;
    private final RxDrainer rxDrainer = new RxDrainer();
    private final SegmentDeliverer segmentDeliverer = new SegmentDeliverer();
    private final RxSegmentWindows rxWindows = new RxSegmentWindows();
    private final GrantWindow rxWindow = new GrantWindow();
    private final CachedNanoClock offerClock = new CachedNanoClock();
    /** Describes a frame taken from the queue, for the {@link OffloadPolicy} (agent thread only, reused). */
    private final FrameMetadata queuedMetadata = new FrameMetadata();

    private BackRing rx;
    private SlotArray rxRing;
    private int rxSnapshotEnd;
    /** Posted rx requests known to be unused; refreshed from the shared ring only when it runs out. */
    private int rxAvailable;
    /** Bytes of rx packets answered since the last push of the rx responses. */
    private int rxBytesUnpushed;
    private boolean rxResponsesPending;
    /** Headers of the frame being delivered, parsed only while hashing is on. */
    private final PacketHeaders rxHeaders = new PacketHeaders();
    private boolean rxStalled;
    /** The hash of the TSO frame being split (every segment's HASH extra), or {@code FlowHash.NONE}. */
    private long segmentHash = FlowHash.NONE;
    /** True while an {@link RxSegmentWindows} segment has its rx request laid out in {@link #rxPkt}. */
    private boolean windowPacket;
    /** The thread of the last duty cycle: an {@link #offer} made on it may copy straight into the guest's buffers. */
    private Thread dutyThread;
    /** Frames {@link #offer} handed straight to the guest whose outcome is in the pending counts, not yet flushed. */
    private long handedOverUnflushed;
    /** True while {@link #offer} delivers straight to the guest. */
    private boolean offering;

    XnbRx(final XnbVif vif, final XnbQueue queue, final FrameOffload offload)
    {
        this.vif = vif;
        this.queue = queue;
        this.offload = offload;
        this.frames = new RxFrameQueue(vif.config.rxQueueBytes(), XnbVif.MAX_FRAME);
    }

    void attach(final BackRing ring)
    {
        rx = ring;
        rxRing = new SlotArray(ring.buffer(), ring.requestOffset(0), ring.size(), RX_SLOT_LENGTH);
        rxSnapshotEnd = ring.requestConsumer();
        rxAvailable = 0;
        rxStalled = false;
    }

    /** Drops what is queued (counted as not connected) and lets go of the ring. */
    void detach()
    {
        queue.pending.add(VifCounters.DROP_BASE + DropReason.RX_NOT_CONNECTED, frames.clear());
        rx = null;
    }

    /** Starts a duty cycle on the agent's thread: offers on this thread may now deliver straight to the guest. */
    void onDutyCycle(final long nowNs)
    {
        dutyThread = Thread.currentThread();
        // the enqueue time of offered frames only feeds the drain timeout: a per-duty-cycle clock is precise enough
        offerClock.update(nowNs);
    }

    /** The pending counts were flushed: the outcomes of frames handed over are in the counters now. */
    void onCountersFlushed()
    {
        handedOverUnflushed = 0;
    }

    /**
     * Queues a frame for the guest, or with {@code mayDeliver} on the agent's own thread delivers it at once (see the
     * class comment). Called by the one producer of this queue.
     *
     * @return 0 if delivered, counted as dropped by this backend, or queued; else the {@link DropReason} (the caller
     *         counts it).
     */
    int offer(
        final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata,
        final boolean mayDeliver)
    {
        if (!vif.accepting)
        {
            return DropReason.RX_NOT_CONNECTED;
        }
        if (length <= 0 || length > XnbVif.MAX_FRAME)
        {
            return DropReason.RX_TOO_BIG;
        }
        if (!metadata.isGso() && length > vif.settings.mtu + XnbVif.VLAN_ETH_HLEN)
        {
            return DropReason.RX_OVERSIZE;
        }
        if (mayDeliver && Thread.currentThread() == dutyThread && queue.isServing() &&
            deliverOffered(buffer, offset, length, metadata))
        {
            // offered on this agent's own thread, after what was queued ahead: copied straight into the guest's posted
            // buffers (or counted as dropped), saving the copy into the queue; responses are pushed by process
            handedOverUnflushed++;
            return DropReason.NONE;
        }
        return frames.offer(buffer, offset, length, metadata, offerClock.nanoTime()) ?
            DropReason.NONE : DropReason.RX_QUEUE_FULL;
    }

    private boolean deliverOffered(
        final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        offering = true;
        try
        {
            // frames queued ahead go first: drained here while the guest has buffers, so that one frame queued once
            // does not send every later offer through the queue's copy until the next duty cycle
            if (!frames.isEmpty())
            {
                // their outcomes are in pending until the next flush, as the handed-over frame's
                handedOverUnflushed += frames.drain(rxDrainer, budget);
                if (!frames.isEmpty())
                {
                    return false;
                }
            }
            return deliverFrame(buffer, null, offset, length, metadata, queue.nowNs);
        }
        finally
        {
            offering = false;
        }
    }

    /** @return frames handed to the guest from the queue (at most the NAPI budget). */
    int process()
    {
        final int drained = frames.isEmpty() ? 0 : frames.drain(rxDrainer, budget);
        if (rxResponsesPending)
        {
            pushRxResponses();
        }
        return drained;
    }

    /**
     * @return frames accepted for the guest whose outcome is not in the counters yet: those in the rx queue, and those
     *         an offer on the agent's thread handed straight to the guest since the counters were last flushed.
     */
    long queuedFrames()
    {
        return frames.frames() + handedOverUnflushed;
    }

    /** @return the rx queue's bytes in use. */
    int queuedBytes()
    {
        return frames.size();
    }

    private final class RxDrainer implements ControlledMessageHandler
    {
        @Override
        public Action onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            return drainOne(buffer, index, length);
        }
    }

    private ControlledMessageHandler.Action drainOne(final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (!queue.isServing())
        {
            return ControlledMessageHandler.Action.ABORT;
        }
        final FrameMetadata metadata = RxFrameQueue.readMetadata(buffer, index, queuedMetadata);
        final long enqueuedNs = buffer.getLong(index + RxFrameQueue.TIME_OFFSET);
        return deliverFrame(buffer, buffer, index + RxFrameQueue.HEADER_LENGTH, length - RxFrameQueue.HEADER_LENGTH,
            metadata, enqueuedNs) ?
            ControlledMessageHandler.Action.CONTINUE : ControlledMessageHandler.Action.ABORT;
    }

    /**
     * Hands one frame to the guest: completes its checksum or splits it when the guest cannot take it as it is, and
     * copies it into posted buffers. Agent thread only.
     *
     * @return true when the frame is done with (delivered or counted as dropped), false when the guest has too few
     *         buffers posted (the frame must wait; the frontend was asked to notify).
     */
    private boolean deliverFrame(
        final DirectBuffer buffer, final MutableDirectBuffer writableFrame, final int frameOffset, final int frameLength,
        final FrameMetadata frame, final long enqueuedNs)
    {
        if (vif.multicastControl && frameLength >= ETH_HLEN &&
            !vif.acceptsDestination(buffer.getLong(frameOffset, java.nio.ByteOrder.BIG_ENDIAN) >>> 16))
        {
            // Linux netback's xenvif_start_xmit: a group the guest did not add is dropped (and counted) here
            queue.drop(DropReason.RX_MCAST_FILTERED);
            return true;
        }
        final int decision = OffloadPolicy.decide(vif.rxCapabilities, OffloadPolicy.NO_MTU, frame, 0);

        final int result;
        if (decision == OffloadPolicy.SEGMENT)
        {
            final int gsoSize = frame.gsoSize();
            final int segments = (frameLength + gsoSize - 1) / gsoSize;
            // Linux hashes the frame before the stack splits it and every segment inherits the hash: each carries the
            // same HASH extra when the frontend asked for hashes (one more slot per segment)
            segmentHash = vif.hash.isHashing() && HeaderParser.parse(buffer, frameOffset, frameLength, rxHeaders) ==
                ParseStatus.OK ? vif.hash.hash(buffer, rxHeaders) : FlowHash.NONE;
            final int slotsNeeded = segments * ((gsoSize + MAX_SEGMENT_HEADERS + PAGE_SIZE - 1) / PAGE_SIZE +
                (segmentHash == FlowHash.NONE ? 0 : 1));
            if (slotsNeeded > VifSections.RING_SIZE)
            {
                // could never fit the guest's ring at once: refuse instead of stalling the queue
                queue.drop(DropReason.RX_TOO_BIG);
                result = RxAssembler.OK;
            }
            else if ((rxAvailable = Math.max(rxSpace(), 0)) < slotsNeeded)
            {
                result = RxAssembler.EAGAIN;
            }
            else
            {
                // each segment fits one page: written with its checksum straight into the guest's granted rx pages
                int made = gsoSize + MAX_SEGMENT_HEADERS <= PAGE_SIZE ?
                    offload.segment(buffer, frameOffset, frameLength, gsoSize, segments, rxWindows) :
                    FrameOffload.UNSUPPORTED;
                if (made == FrameOffload.UNSUPPORTED)
                {
                    made = offload.segment(buffer, frameOffset, frameLength, gsoSize, scratch, segmentDeliverer);
                }
                if (made > 0)
                {
                    queue.pending.add(VifCounters.TSO_SEGMENTS, made);
                }
                else
                {
                    queue.drop(DropReason.RX_OFFLOAD_FAILED);
                }
                result = RxAssembler.OK;
            }
        }
        else
        {
            int rxFlags = frame.isDataValidated() ? NETRXF_DATA_VALIDATED : 0;
            if (frame.isChecksumPartial())
            {
                if (decision == OffloadPolicy.PASS)
                {
                    rxFlags = NETRXF_CSUM_BLANK | NETRXF_DATA_VALIDATED;
                }
                else if (null == writableFrame)
                {
                    // completed in place: only in the queue's own copy, never in the caller's buffer
                    return false;
                }
                else if (offload.completeChecksum(writableFrame, frameOffset, frameLength) == FrameOffload.OK)
                {
                    queue.pending.increment(VifCounters.CSUM_COMPLETED);
                    rxFlags = NETRXF_DATA_VALIDATED;
                }
                else
                {
                    queue.drop(DropReason.RX_OFFLOAD_FAILED);
                    return true;
                }
            }
            result = deliver(buffer, frameOffset, frameLength, rxFlags, frame.gsoSize(), frame.gsoType());
        }

        if (result == RxAssembler.EAGAIN)
        {
            if (!rxStalled)
            {
                rxStalled = true;
                queue.pending.increment(VifCounters.RING_FULL);
            }
            if (queue.nowNs - enqueuedNs > vif.config.rxDrainTimeoutNs())
            {
                queue.drop(DropReason.RX_STALLED);
                return true;
            }
            // ask the frontend to notify when it posts buffers, then wait
            rx.finalCheckForRequests();
            return false;
        }
        rxStalled = false;
        return true;
    }

    private final class SegmentDeliverer implements FrameOffload.SegmentSink
    {
        @Override
        public int onSegment(final DirectBuffer buffer, final int offset, final int length)
        {
            final int result = deliver(buffer, offset, length, NETRXF_DATA_VALIDATED, 0, 0);
            return result == RxAssembler.OK ? 0 : DropReason.RX_STALLED;
        }
    }

    /**
     * The grant windows {@link FrameOffload#segment(DirectBuffer, int, int, int, int, SegmentWindows)} writes segments
     * into: one posted rx buffer per segment (its slots were counted before the split), opened as a writable window
     * on the guest's granted page for that one segment, then closed and answered like {@link #deliver}.
     */
    private final class RxSegmentWindows implements SegmentWindows
    {
        @Override
        public MutableDirectBuffer open(final int index, final int length)
        {
            windowPacket = false;
            if (length > PAGE_SIZE || RxAssembler.frame2pkt(
                rxPkt, length, NETRXF_DATA_VALIDATED, 0, 0, segmentHash == FlowHash.NONE ? -1 : FlowHash.type(segmentHash),
                FlowHash.value(segmentHash), rx.requestConsumer(), rxAvailable) != RxAssembler.OK)
            {
                queue.drop(DropReason.RX_TOO_BIG);
                return null;
            }
            windowPacket = true;
            batch.clear();
            RxAssembler.rxpkt2gnttab(rxPkt, rxSnapshot, batch, 0, vif.config.domid());
            final int result = vif.grants.openWindow(
                vif.config.backendDomid(), (int)batch.gref(0), batch.grefOffset(0), length, rxWindow);
            batch.status(0, result);
            return result == GrantStatus.OKAY ? rxWindow.buffer() : null;
        }

        @Override
        public void close(final int index, final int length, final boolean written)
        {
            if (windowPacket)
            {
                windowPacket = false;
                vif.grants.closeWindow(rxWindow);
                respond(length, !written);
            }
        }
    }

    /** @return posted rx requests not yet used, snapshotting new ones once; negative after a fatal error. */
    private int rxSpace()
    {
        final int available = rx.unconsumedRequests();
        if (available < 0 && offering)
        {
            // found by an offer: leave the frame to the queue, and the verdict to the duty cycle (after tx, as always)
            return 0;
        }
        if (available < 0)
        {
            queue.fatal(DropReason.RX_IMPOSSIBLE_REQUESTS, "rx req_prod outside the ring");
            return -1;
        }
        final int consumer = rx.requestConsumer();
        final int producer = consumer + available;
        if (rxSnapshotEnd - consumer < 0 || rxSnapshotEnd - consumer > available)
        {
            rxSnapshotEnd = consumer;
        }
        rxSnapshot.copyFrom(rxRing, rxSnapshotEnd, producer);
        rxSnapshotEnd = producer;
        return available;
    }

    /** Copies one frame into posted buffers. @return {@link RxAssembler#OK} (delivered or dropped) or EAGAIN. */
    private int deliver(
        final DirectBuffer buffer, final int offset, final int length, final int rxFlags, final int gsoSize,
        final int gsoType)
    {
        // Linux netback: a frame carries a HASH extra when the frontend turned hashing on over the control ring
        final long hash = vif.hash.isHashing() && HeaderParser.parse(buffer, offset, length, rxHeaders) ==
            ParseStatus.OK ? vif.hash.hash(buffer, rxHeaders) : FlowHash.NONE;
        final int hashType = hash == FlowHash.NONE ? -1 : FlowHash.type(hash);
        if (rxAvailable < RxAssembler.slotsNeeded(length, gsoSize != 0) + (hashType >= 0 ? 1 : 0))
        {
            // read the shared producer only when what we knew of is used up
            rxAvailable = rxSpace();
            if (rxAvailable < 0)
            {
                rxAvailable = 0;
                queue.drop(DropReason.RX_IMPOSSIBLE_REQUESTS);
                return RxAssembler.OK;
            }
        }
        final int status = RxAssembler.frame2pkt(rxPkt, length, rxFlags, gsoSize, gsoType, hashType,
            hashType >= 0 ? FlowHash.value(hash) : 0, rx.requestConsumer(), rxAvailable);
        if (status == RxAssembler.EAGAIN)
        {
            return RxAssembler.EAGAIN;
        }
        if (status != RxAssembler.OK)
        {
            queue.drop(DropReason.RX_TOO_BIG);
            return RxAssembler.OK;
        }
        batch.clear();
        final int ops = RxAssembler.rxpkt2gnttab(rxPkt, rxSnapshot, batch, offset, vif.config.domid());
        final GrantTable grants = vif.grants;
        final int self = vif.config.backendDomid();
        boolean failed = false;
        for (int op = 0; op < ops; op++)
        {
            final int result = grants.copyToGrant(
                self, (int)batch.gref(op), batch.grefOffset(op), buffer, batch.localOffset(op), batch.length(op));
            batch.status(op, result);
            failed |= result != 0;
        }
        respond(length, failed);
        return RxAssembler.OK;
    }

    private void pushRxResponses()
    {
        rxResponsesPending = false;
        rxBytesUnpushed = 0;
        queue.notifyRxIfAsked(rx.pushResponsesAndCheckNotify());
    }

    /** Writes the responses of the packet laid out in {@link #rxPkt} whose copy statuses are in {@link #batch}. */
    private void respond(final int length, final boolean failed)
    {
        final int responses = RxAssembler.rxpkt2rsp(rxPkt, rxSnapshot, batch, 0, rxRing);
        rx.consumeRequests(responses);
        rxAvailable -= responses;
        for (int i = 0; i < responses; i++)
        {
            rx.claimResponse();
        }
        rxResponsesPending = true;
        rxBytesUnpushed += length;
        if (rxBytesUnpushed >= XnbVif.RESPONSE_PUSH_BYTES)
        {
            pushRxResponses();
        }
        if (failed)
        {
            queue.drop(DropReason.RX_COPY_FAILED);
        }
        else
        {
            queue.pending.increment(VifCounters.RX_PACKETS);
            queue.pending.add(VifCounters.RX_BYTES, length);
        }
    }
}
