package io.pvnet.checksum.offload;

import io.pvnet.checksum.InternetChecksum;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.Ipv6Header;
import io.pvnet.checksum.packet.TcpHeader;
import io.pvnet.checksum.packet.UdpHeader;
import io.pvnet.checksum.parse.PacketHeaders;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Software GSO into one buffer per segment: the same frames as {@link GsoSegmenter} (same header rules, checksums
 * computed in full, payload copied and summed in one pass), but each written at index 0 of the buffer a
 * {@link SegmentWindows} opens for it, e.g. straight into a page a guest granted for receiving, with no scratch copy in
 * between. Both build on {@link GsoPlan}; the contiguous form keeps its own loop (raw addresses, one bounds check) so
 * that neither slows the other.
 * <p>
 * Every write goes through the window's bounds-checked accessors: a window shorter than its segment refuses the write
 * (an {@link IndexOutOfBoundsException} from Agrona, which callers must not provoke: the window is opened for exactly
 * the length given). Not thread-safe: one instance per thread; allocates nothing after construction.
 */
public final class GsoWindowSegmenter
{
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

    private final InternetChecksum checksum;
    private final GsoPlan plan = new GsoPlan();
    private int count;

    /**
     * A segmenter that sums with {@code checksum}; one instance per thread.
     * @param checksum the variant for every sum.
     */
    public GsoWindowSegmenter(final InternetChecksum checksum)
    {
        this.checksum = checksum;
    }

    /**
     * Splits the TCP or UDP packet described by {@code headers} (parsed from {@code src}), one window per segment. A
     * segment whose window does not open is skipped (the windows account for it); every opened window is closed.
     *
     * @param segmentSize the MSS (TCP) or GSO size (UDP), {@code >= 1}.
     * @param maxSegments most segments accepted; more is {@link OffloadStatus#TOO_MANY_SEGMENTS} with no window opened.
     * @param src the packet's buffer.
     * @param headers the packet's headers, parsed from {@code src}.
     * @param windows where each segment goes.
     * @return {@link OffloadStatus#SPLIT} (also for one frame), or why nothing was written (no window opened).
     */
    public OffloadStatus segment(
        final DirectBuffer src, final PacketHeaders headers, final int segmentSize, final int maxSegments,
        final SegmentWindows windows)
    {
        count = 0;
        final GsoPlan plan = this.plan;
        final OffloadStatus planned = plan.plan(src, headers, segmentSize);
        if (planned != OffloadStatus.SPLIT)
        {
            return planned;
        }
        if (plan.count > maxSegments)
        {
            return OffloadStatus.TOO_MANY_SEGMENTS;
        }
        final int headerLength = plan.headerLength;
        count = plan.count;
        for (int i = 0; i < count; i++)
        {
            final int segmentPayload = plan.segmentPayload(i);
            final int length = headerLength + segmentPayload;
            final MutableDirectBuffer out = windows.open(i, length);
            if (null == out)
            {
                windows.close(i, length, false);
                continue;
            }
            out.putBytes(0, src, plan.frameOffset, headerLength);
            final int l4Sum = checksum.copyAndSum(
                src, plan.payloadIndex(i), out, headerLength, segmentPayload, plan.l4HeaderSum(i));
            final int l3 = plan.l3Delta;
            if (plan.v4)
            {
                Ipv4Header.totalLength(out, l3, plan.ipLength(i));
                Ipv4Header.identification(out, l3, plan.ipId(i));
                Ipv4Header.checksum(out, l3, plan.ipChecksum(i));
            }
            else
            {
                Ipv6Header.payloadLength(out, l3, plan.ipLength(i));
            }
            if (plan.tcp)
            {
                TcpHeader.sequence(out, plan.l4Delta, plan.tcpSequence(i) & 0xFFFF_FFFFL);
                TcpHeader.flags(out, plan.l4Delta, plan.tcpFlags(i));
            }
            else
            {
                UdpHeader.length(out, plan.l4Delta, plan.udpLength(i));
            }
            out.putShort(plan.checksumDelta, (short)plan.l4Checksum(l4Sum), BE);
            windows.close(i, length, true);
        }
        return OffloadStatus.SPLIT;
    }

    /** {@return segments the last {@code SPLIT} made (windows skipped included), else 0} */
    public int segmentCount()
    {
        return count;
    }
}
