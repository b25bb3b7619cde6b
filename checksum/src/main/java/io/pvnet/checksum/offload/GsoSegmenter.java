package io.pvnet.checksum.offload;

import io.pvnet.checksum.Checksums;
import io.pvnet.checksum.InternetChecksum;
import io.pvnet.checksum.parse.L3Protocol;
import io.pvnet.checksum.parse.PacketHeaders;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;

import java.nio.ByteOrder;

import static io.pvnet.checksum.parse.PacketHeaders.PROTOCOL_TCP;
import static io.pvnet.checksum.parse.PacketHeaders.PROTOCOL_UDP;
import static io.pvnet.checksum.parse.PacketHeaders.TCP_CWR;
import static io.pvnet.checksum.parse.PacketHeaders.TCP_FIN;
import static io.pvnet.checksum.parse.PacketHeaders.TCP_PSH;

/**
 * Software GSO: splits one large TCP segment (TSO) or UDP datagram (USO, Linux {@code UDP_SEGMENT}) over IPv4 or IPv6,
 * with or without VLAN tags, into frames of at most {@code segmentSize} payload bytes, written back to back into the
 * caller's buffer.
 * <p>
 * Per segment, as Linux {@code inet_gso_segment}/{@code ipv6_gso_segment} with {@code tcp_gso_segment} or
 * {@code __udp_gso_segment} (no {@code SKB_GSO_TCP_FIXEDID}): the L2, IP (with options or extension headers) and L4
 * headers are copied; IPv4 total length, identification = original + i and header checksum are rewritten; IPv6
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

    /** @param checksum the variant for every sum. */
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
        final int protocol = headers.l4Protocol();
        final L3Protocol l3 = headers.l3();
        if ((protocol != PROTOCOL_TCP && protocol != PROTOCOL_UDP) || !headers.hasL4Header() || headers.isFragment() ||
            (l3 != L3Protocol.IPV4 && l3 != L3Protocol.IPV6))
        {
            return OffloadStatus.NOT_SPLITTABLE;
        }
        if (segmentSize < 1)
        {
            return OffloadStatus.MSS_TOO_SMALL;
        }
        final int frameOffset = headers.frameOffset();
        final int l4HeaderLength = headers.l4HeaderLength();
        final int headerLength = headers.l4Offset() + l4HeaderLength - frameOffset;
        final int payloadStart = headers.l4Offset() + l4HeaderLength;
        final int payload = headers.l4Length() - l4HeaderLength;
        final int count = Math.max(1, (payload + segmentSize - 1) / segmentSize);
        if (count > frames.capacity())
        {
            return OffloadStatus.TOO_MANY_SEGMENTS;
        }
        if ((long)count * headerLength + payload > outLimit - (long)outOffset)
        {
            return OffloadStatus.OUTPUT_TOO_SMALL;
        }

        final int l3Delta = headers.l3Offset() - frameOffset;
        final int l4Delta = headers.l4Offset() - frameOffset;
        final int ipHeaderLength = headers.ipHeaderLength();
        final boolean v4 = l3 == L3Protocol.IPV4;
        final boolean tcp = protocol == PROTOCOL_TCP;
        final int identification = src.getShort(headers.l3Offset() + 4, BE) & 0xFFFF;
        final int sequence = tcp ? src.getInt(headers.l4Offset() + 4, BE) : 0;
        final int dataOffsetByte = tcp ? src.getByte(headers.l4Offset() + 12) & 0xFF : 0;
        final int flags = headers.tcpFlags();
        // Sums of everything that is the same in every segment, so each segment only adds the words it changes
        // (the result equals a full recomputation: the same words are summed, in another order).
        final long ipBase = v4 ? sumWordsExcept(src, headers.l3Offset(), ipHeaderLength, 2, 4, 10) : 0;
        final long l4Base = ChecksumOffload.pseudoHeaderSum(src, headers, 0) + (tcp ?
            sumWordsExcept(src, headers.l4Offset(), l4HeaderLength, 4, 6, 12, 16) :
            sumWordsExcept(src, headers.l4Offset(), l4HeaderLength, 4, 6, 6));
        final int checksumField = tcp ? 16 : 6;
        // Both buffers are checked once for the whole range; the loop then writes through base + offset (Agrona's
        // addressing for on- and off-heap buffers alike) without a bounds check per field.
        src.boundsCheck(frameOffset, headers.l4Offset() + headers.l4Length() - frameOffset);
        out.boundsCheck(outOffset, (int)((long)count * headerLength + payload));
        final byte[] srcBase = src.byteArray();
        final byte[] outBase = out.byteArray();
        final boolean offHeap = null == srcBase && null == outBase;
        final long srcAddress = src.addressOffset();
        final long outAddress = out.addressOffset();
        int cursor = outOffset;
        for (int i = 0; i < count; i++)
        {
            final boolean last = i == count - 1;
            final int segmentPayload = last ? payload - i * segmentSize : segmentSize;
            final int l4Length = l4HeaderLength + segmentPayload;
            final long to = outAddress + cursor;
            UnsafeApi.copyMemory(srcBase, srcAddress + frameOffset, outBase, to, headerLength);
            // The L4 sum of everything but the payload is known before the payload is copied: it goes into the copy
            // as its initial sum, so that only one fold and a complement follow the copy on the critical path.
            final int segmentSequence = sequence + i * segmentSize;
            int segmentFlags = flags;
            if (!last)
            {
                segmentFlags &= ~(TCP_FIN | TCP_PSH);
            }
            if (i != 0)
            {
                segmentFlags &= ~TCP_CWR;
            }
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
                putShort(outBase, ip + 2, totalLength);
                putShort(outBase, ip + 4, id);
                putShort(outBase, ip + 10, ~Checksums.fold(ipBase + totalLength + id));
            }
            else
            {
                putShort(outBase, ip + 4, ipHeaderLength - 40 + l4Length);
            }

            final long l4 = to + l4Delta;
            if (tcp)
            {
                putShort(outBase, l4 + 4, segmentSequence >>> 16);
                putShort(outBase, l4 + 6, segmentSequence);
                UnsafeApi.putByte(outBase, l4 + 13, (byte)segmentFlags);
                putShort(outBase, l4 + checksumField, ~l4Sum);
            }
            else
            {
                putShort(outBase, l4 + 4, l4Length);
                final int value = ~l4Sum & 0xFFFF;
                putShort(outBase, l4 + checksumField, value == 0 ? 0xFFFF : value); // UDP: 0 means "no checksum"
            }

            frames.add(cursor, headerLength + segmentPayload);
            cursor += headerLength + segmentPayload;
        }
        return OffloadStatus.SPLIT;
    }

    /**
     * Sums the big-endian words of {@code [offset, offset + length)} except those at the given even distances from
     * {@code offset} (repeat a distance to skip fewer).
     */
    private static long sumWordsExcept(
        final DirectBuffer buffer, final int offset, final int length,
        final int skip1, final int skip2, final int skip3, final int skip4)
    {
        long sum = 0;
        for (int i = 0; i < length; i += 2)
        {
            if (i != skip1 && i != skip2 && i != skip3 && i != skip4)
            {
                sum += buffer.getShort(offset + i, BE) & 0xFFFF;
            }
        }
        return sum;
    }

    private static long sumWordsExcept(
        final DirectBuffer buffer, final int offset, final int length, final int skip1, final int skip2,
        final int skip3)
    {
        return sumWordsExcept(buffer, offset, length, skip1, skip2, skip3, skip3);
    }

    /** Writes a 16-bit field in network byte order at {@code base + offset} (Agrona addressing, checked by the caller). */
    private static void putShort(final byte[] base, final long offset, final int value)
    {
        final short bits = (short)value;
        UnsafeApi.putShort(base, offset, BIG_ENDIAN_NATIVE ? bits : Short.reverseBytes(bits));
    }
}
