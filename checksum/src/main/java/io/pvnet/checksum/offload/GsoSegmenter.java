package io.pvnet.checksum.offload;

import io.pvnet.checksum.Checksums;
import io.pvnet.checksum.InternetChecksum;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.Ipv6Header;
import io.pvnet.checksum.packet.TcpHeader;
import io.pvnet.checksum.packet.UdpHeader;
import io.pvnet.checksum.parse.PacketHeaders;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;

import java.nio.ByteOrder;

import static io.pvnet.checksum.parse.PacketHeaders.TCP_CWR;
import static io.pvnet.checksum.parse.PacketHeaders.TCP_FIN;
import static io.pvnet.checksum.parse.PacketHeaders.TCP_PSH;


/**
 * Software GSO: splits one large TCP segment (TSO) or UDP datagram (USO, Linux {@code UDP_SEGMENT}) over IPv4 or IPv6,
 * with or without VLAN tags, into frames of at most {@code segmentSize} payload bytes, written back to back into the
 * caller's buffer.
 * <p>
 * Per segment ({@link GsoPlan}), as Linux {@code inet_gso_segment}/{@code ipv6_gso_segment} with
 * {@code tcp_gso_segment} or {@code __udp_gso_segment} (no {@code SKB_GSO_TCP_FIXEDID}): the L2, IP (with options or
 * extension headers) and L4 headers are copied; IPv4 total length, identification = original + i and header checksum are rewritten; IPv6
 * payload length is rewritten; TCP sequence = original + i * mss, FIN and PSH kept only on the last segment, CWR only
 * on the first; UDP length per datagram; the L4 checksum is computed in full. The payload is copied and summed in one
 * pass ({@link InternetChecksum#copyAndSum}), as Linux fuses them in {@code skb_segment}, with the sum of the segment's
 * headers as the copy's initial sum. {@code src} and {@code out} must not overlap.
 * <p>
 * A payload that fits one segment produces one frame with its checksum completed (Linux does not segment it either).
 * Not thread-safe: one instance per thread; allocates nothing after construction.
 */
public final class GsoSegmenter
{
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private static final boolean BIG_ENDIAN_NATIVE = ByteOrder.nativeOrder() == BE;

    private final InternetChecksum checksum;
    private final GsoPlan plan = new GsoPlan();

    /**
     * A segmenter that sums with {@code checksum}; one instance per thread.
     * @param checksum the variant for every sum.
     */
    public GsoSegmenter(final InternetChecksum checksum)
    {
        this.checksum = checksum;
    }

    /**
     * Splits the TCP or UDP packet described by {@code headers} (parsed from {@code src}).
     *
     * @param src         the frame.
     * @param headers     its parse, {@code OK}, not a fragment.
     * @param segmentSize the MSS (TCP) or GSO size (UDP): payload bytes per output frame, {@code >= 1}.
     * @param out         where the frames are written.
     * @param outOffset   first byte to use.
     * @param outLimit    index one past the last byte that may be written.
     * @param frames      receives each frame's (offset, length).
     * @return {@link OffloadStatus#SPLIT} (also for one frame), or why nothing usable was written.
     */
    public OffloadStatus segment(
        final DirectBuffer src, final PacketHeaders headers, final int segmentSize,
        final MutableDirectBuffer out, final int outOffset, final int outLimit, final OutputFrames frames)
    {
        frames.clear();
        final GsoPlan plan = this.plan;
        final OffloadStatus planned = plan.plan(src, headers, segmentSize);
        if (planned != OffloadStatus.SPLIT)
        {
            return planned;
        }
        final int count = plan.count;
        final int headerLength = plan.headerLength;
        final long outLength = (long)count * headerLength + plan.payload;
        if (count > frames.capacity())
        {
            return OffloadStatus.TOO_MANY_SEGMENTS;
        }
        if (outLength > outLimit - (long)outOffset)
        {
            return OffloadStatus.OUTPUT_TOO_SMALL;
        }
        // Both buffers are checked once for the whole range (the plan checked the source); the loop then writes through
        // base + offset (Agrona's addressing for on- and off-heap buffers alike) without a bounds check per field.
        out.boundsCheck(outOffset, (int)outLength);
        final byte[] srcBase = src.byteArray();
        final byte[] outBase = out.byteArray();
        final boolean offHeap = null == srcBase && null == outBase;
        final long srcAddress = src.addressOffset();
        final long outAddress = out.addressOffset();
        // The per-segment rules of GsoPlan, written out over locals: a plan method per field cost TSO 10%.
        final int frameOffset = plan.frameOffset;
        final int payloadStart = plan.payloadStart;
        final int payload = plan.payload;
        final int l4HeaderLength = plan.l4HeaderLength;
        final int ipHeaderLength = plan.ipHeaderLength;
        final int l3Delta = plan.l3Delta;
        final int l4Delta = plan.l4Delta;
        final int checksumDelta = plan.checksumDelta;
        final boolean v4 = plan.v4;
        final boolean tcp = plan.tcp;
        final int identification = plan.identification;
        final int sequence = plan.sequence;
        final int dataOffsetByte = plan.dataOffsetByte;
        final int flags = plan.flags;
        final long ipBase = plan.ipBase;
        final long l4Base = plan.l4Base;
        int cursor = outOffset;
        for (int i = 0; i < count; i++)
        {
            final boolean last = i == count - 1;
            final int segmentPayload = last ? payload - i * segmentSize : segmentSize;
            final int l4Length = l4HeaderLength + segmentPayload;
            final long to = outAddress + cursor;
            UnsafeApi.copyMemory(srcBase, srcAddress + frameOffset, outBase, to, headerLength);
            final int segmentSequence = sequence + i * segmentSize;
            final int segmentFlags = flags & ~(last ? 0 : TCP_FIN | TCP_PSH) & ~(i == 0 ? 0 : TCP_CWR);
            // the L4 sum of all but the payload is the payload copy's initial sum: only a complement follows the copy
            final int headerSum = Checksums.fold(l4Base + l4Length + (tcp ?
                (segmentSequence >>> 16) + (segmentSequence & 0xFFFF) + ((dataOffsetByte << 8) | segmentFlags) :
                l4Length));
            final int payloadIndex = payloadStart + i * segmentSize;
            final int l4Sum = offHeap ?
                checksum.copyAndSum(srcAddress + payloadIndex, to + headerLength, segmentPayload, headerSum) :
                checksum.copyAndSum(src, payloadIndex, out, cursor + headerLength, segmentPayload, headerSum);

            final long ip = to + l3Delta;
            if (v4)
            {
                final int totalLength = ipHeaderLength + l4Length;
                final int id = (identification + i) & 0xFFFF;
                putShort(outBase, ip + Ipv4Header.TOTAL_LENGTH_OFFSET, totalLength);
                putShort(outBase, ip + Ipv4Header.IDENTIFICATION_OFFSET, id);
                putShort(outBase, ip + Ipv4Header.CHECKSUM_OFFSET, ~Checksums.fold(ipBase + totalLength + id));
            }
            else
            {
                putShort(outBase, ip + Ipv6Header.PAYLOAD_LENGTH_OFFSET, ipHeaderLength - Ipv6Header.LENGTH + l4Length);
            }
            final long l4 = to + l4Delta;
            if (tcp)
            {
                putShort(outBase, l4 + TcpHeader.SEQUENCE_OFFSET, segmentSequence >>> 16);
                putShort(outBase, l4 + TcpHeader.SEQUENCE_OFFSET + 2, segmentSequence);
                UnsafeApi.putByte(outBase, l4 + TcpHeader.FLAGS_OFFSET, (byte)segmentFlags);
            }
            else
            {
                putShort(outBase, l4 + UdpHeader.LENGTH_OFFSET, l4Length);
            }
            putShort(outBase, to + checksumDelta, plan.l4Checksum(l4Sum));

            frames.add(cursor, headerLength + segmentPayload);
            cursor += headerLength + segmentPayload;
        }
        return OffloadStatus.SPLIT;
    }

    /** Writes a 16-bit field in network byte order at {@code base + offset} (Agrona addressing, checked by the caller). */
    private static void putShort(final byte[] base, final long offset, final int value)
    {
        final short bits = (short)value;
        UnsafeApi.putShort(base, offset, BIG_ENDIAN_NATIVE ? bits : Short.reverseBytes(bits));
    }
}
