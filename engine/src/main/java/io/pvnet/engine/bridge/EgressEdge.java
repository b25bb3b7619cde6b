package io.pvnet.engine.bridge;

import io.pvnet.checksum.offload.OutputFrames;
import io.pvnet.checksum.parse.HeaderParser;
import io.pvnet.checksum.parse.PacketHeaders;
import io.pvnet.checksum.parse.ParseStatus;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.offload.FrameOffload;
import io.pvnet.engine.frame.OffloadPolicy;
import io.pvnet.engine.port.Port;
import io.pvnet.engine.port.PortCounters;
import io.pvnet.engine.port.PortDropReason;
import io.pvnet.engine.port.PortOffloads;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * Offload at the edge, shared by the {@link Bridge} and the router: asks the {@link OffloadPolicy} with the port's
 * capabilities, and hands a frame to an egress {@link Port} untouched when the port declares what the frame needs
 * ({@code CSUM_PARTIAL} -> {@link PortOffloads#CHECKSUM}, GSO -> TSO of its kind with every segment within the MTU),
 * else through {@link FrameOffload#finish} (checksum completed, TSO split,
 * oversize fragmented), each resulting frame {@code DATA_VALIDATED}. Counts every attempt once on the port's
 * {@link PortCounters} tx side, as sent or dropped by reason.
 * <p>
 * Threading: one thread, the one that switches or routes (it owns the output buffer). Nothing allocates per frame.
 */
public final class EgressEdge
{
    private static final int OUTPUT_BYTES = 1 << 20;

    private final FrameOffload offload;
    private final boolean mtuChecked;
    private final PacketHeaders headers = new PacketHeaders();
    private final UnsafeBuffer output = new UnsafeBuffer(ByteBuffer.allocateDirect(OUTPUT_BYTES));
    private final OutputFrames outputFrames = new OutputFrames(FrameOffload.MAX_FRAMES);
    /** Describes the frames the software offload made (complete sums, no GSO); reused (this edge's thread only). */
    private final FrameMetadata finished = new FrameMetadata();

    private long softwareChecksums;
    private long softwareSplits;
    private long softwareSegments;
    private long passedThroughOffloads;

    /**
     * An edge that keeps frames within each port's MTU, as a switch does; allocates its 1 MiB output buffer here.
     *
     * @param offload the software offload for what a port cannot do, owned by this edge's thread.
     * @throws IllegalArgumentException if {@code offload} is null.
     */
    public EgressEdge(final FrameOffload offload)
    {
        this(offload, true);
    }

    /**
     * An edge that keeps frames within each port's MTU only when asked.
     *
     * @param offload    the software offload for what a port cannot do.
     * @param mtuChecked false for a cable ({@link Crossover}): frames pass whatever their size, and the receiving port
     *                   refuses what it cannot take, as a veth pair leaves that to its peer.
     */
    public EgressEdge(final FrameOffload offload, final boolean mtuChecked)
    {
        if (offload == null)
        {
            throw new IllegalArgumentException("offload=null must be given");
        }
        this.offload = offload;
        this.mtuChecked = mtuChecked;
    }

    /**
     * Sends one frame to {@code port}, finishing in software only what the port cannot. The fabric's thread only.
     *
     * @param port     where the frame leaves.
     * @param counters the fabric's counters of that port (tx side: sent, or dropped by reason).
     * @param buffer   holds the frame, read during the call only.
     * @param offset   where the frame's Ethernet header starts in {@code buffer}.
     * @param length   the frame's length in bytes.
     * @param l2Length Ethernet header bytes of the frame (14, or 18 with a VLAN tag).
     * @param frame    the frame's metadata: the caller's, read during the call only (handed to the port as it is when
     *                 the frame passes untouched).
     * @return 0 when the port took it (every piece of it), else the drop reason (counted on {@code counters}): the
     *         port's own code, or a {@link PortDropReason} of the software offload.
     */
    public int send(
        final Port port, final PortCounters counters, final DirectBuffer buffer, final int offset, final int length,
        final int l2Length, final FrameMetadata frame)
    {
        final int flags = frame.flags();
        final int gsoSize = frame.gsoSize();
        final int gsoType = frame.gsoType();
        final int offloads = port.offloads();
        final int mtu = mtuChecked ? port.mtu() : OffloadPolicy.NO_MTU;
        // a GSO frame's segments are measured only for a port that could take it whole
        final int l3Length = !mtuChecked ? 0 : gsoSize == 0 ? length - l2Length :
            (offloads & PortOffloads.tsoBitFor(gsoType)) != 0 ? segmentL3Length(buffer, offset, length, gsoSize) : 0;
        final int decision = OffloadPolicy.decide(
            offloads | OffloadPolicy.SOFTWARE_SEGMENTATION, mtu, frame, l3Length);
        if (decision == OffloadPolicy.PASS)
        {
            if (frame.isChecksumPartial() || frame.isGso())
            {
                passedThroughOffloads++;
            }
            final int reason = port.onFrame(buffer, offset, length, frame);
            if (reason == 0)
            {
                counters.txSent(length);
                return 0;
            }
            counters.txDropped(reason);
            return reason;
        }
        return finishSlowPath(port, counters, buffer, offset, length, mtu, flags, gsoSize,
            decision != OffloadPolicy.COMPLETE);
    }

    /** {@return the L3 length of a GSO frame's segments (headers + gso size), or {@link OffloadPolicy#NO_MTU}} */
    private int segmentL3Length(final DirectBuffer buffer, final int offset, final int length, final int gsoSize)
    {
        if (HeaderParser.parse(buffer, offset, length, headers) != ParseStatus.OK || !headers.hasL4Header())
        {
            return OffloadPolicy.NO_MTU;
        }
        return headers.l4Offset() - headers.l3Offset() + headers.l4HeaderLength() + gsoSize;
    }

    private int finishSlowPath(
        final Port port, final PortCounters counters, final DirectBuffer buffer, final int offset, final int length,
        final int mtu, final int flags, final int gsoSize, final boolean split)
    {
        final int made = offload.finish(
            buffer, offset, length, (flags & FrameFlags.CSUM_PARTIAL) != 0, gsoSize, mtu, output, outputFrames);
        if (made <= 0 || made > outputFrames.count())
        {
            // more frames than listed is a broken implementation: counted as a failed offload
            final int reason = PortDropReason.ofOffloadStatus(made > 0 ? 0 : made);
            counters.txDropped(reason);
            return reason;
        }
        if (split)
        {
            softwareSplits++;
            softwareSegments += made;
        }
        else
        {
            softwareChecksums++;
        }
        // every frame out of the software offload carries complete sums
        final FrameMetadata out = finished.set((flags & (FrameFlags.CSUM_PARTIAL | FrameFlags.DATA_VALIDATED)) != 0 ?
            FrameFlags.DATA_VALIDATED : 0, 0, 0);
        int bytes = 0;
        for (int i = 0; i < made; i++)
        {
            final int segmentLength = outputFrames.length(i);
            final int reason = port.onFrame(output, outputFrames.offset(i), segmentLength, out);
            if (reason != 0)
            {
                counters.txDropped(reason);
                return reason;
            }
            bytes += segmentLength;
        }
        counters.txSent(bytes);
        return 0;
    }

    /** {@return egress frames whose checksum was completed in software} */
    public long softwareChecksums()
    {
        return softwareChecksums;
    }

    /** {@return egress frames split (TSO) or fragmented in software} */
    public long softwareSplits()
    {
        return softwareSplits;
    }

    /** {@return frames made by software splits} */
    public long softwareSegments()
    {
        return softwareSegments;
    }

    /** {@return egress frames with CSUM_PARTIAL or GSO passed to a port that offloads them, untouched} */
    public long passedThroughOffloads()
    {
        return passedThroughOffloads;
    }
}
