package io.pvnet.checksum.offload;

import io.pvnet.checksum.Checksums;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.Ipv6Header;
import io.pvnet.checksum.packet.TcpHeader;
import io.pvnet.checksum.parse.L3Protocol;
import io.pvnet.checksum.parse.PacketHeaders;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

import static io.pvnet.checksum.parse.PacketHeaders.PROTOCOL_TCP;
import static io.pvnet.checksum.parse.PacketHeaders.PROTOCOL_UDP;
import static io.pvnet.checksum.parse.PacketHeaders.TCP_CWR;
import static io.pvnet.checksum.parse.PacketHeaders.TCP_FIN;
import static io.pvnet.checksum.parse.PacketHeaders.TCP_PSH;

/**
 * What every GSO segment of one frame is made of, worked out once per frame and shared by {@link GsoSegmenter}
 * (segments back to back in one buffer) and {@link GsoWindowSegmenter} (one window per segment): header and payload
 * geometry, the fields segment {@code i} rewrites (as Linux {@code tcp_gso_segment} / {@code __udp_gso_segment} with
 * {@code inet_gso_segment} / {@code ipv6_gso_segment}, no {@code SKB_GSO_TCP_FIXEDID}), and the sums of the header words
 * every segment shares, so a segment only adds the words it changes (the same words as a full recomputation, summed in
 * another order).
 * <p>
 * Offsets named {@code *Delta} are from the start of the frame, i.e. within a segment. Not thread-safe: one per
 * segmenter, reused for every frame; allocates nothing.
 */
final class GsoPlan
{
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

    int frameOffset;
    /** L2 + IP (options, extension headers) + L4 header bytes, copied to the front of every segment. */
    int headerLength;
    int payloadStart;
    int payload;
    int segmentSize;
    int count;
    int l3Delta;
    int l4Delta;
    /** Offset of the L4 checksum field within a segment. */
    int checksumDelta;
    int ipHeaderLength;
    int l4HeaderLength;
    boolean v4;
    boolean tcp;
    int identification;
    int sequence;
    int dataOffsetByte;
    int flags;
    long ipBase;
    long l4Base;

    /**
     * {@return {@link OffloadStatus#SPLIT} when {@code headers} describes a TCP or UDP packet over IPv4/IPv6 that
     * splits into {@link #count} segments of {@code segmentSize}, else why not. Checks that the frame lies inside
     * {@code src}}
     */
    OffloadStatus plan(final DirectBuffer src, final PacketHeaders headers, final int segmentSize)
    {
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
        this.segmentSize = segmentSize;
        frameOffset = headers.frameOffset();
        l4HeaderLength = headers.l4HeaderLength();
        headerLength = headers.l4Offset() + l4HeaderLength - frameOffset;
        payloadStart = headers.l4Offset() + l4HeaderLength;
        payload = headers.l4Length() - l4HeaderLength;
        count = Math.max(1, (payload + segmentSize - 1) / segmentSize);
        src.boundsCheck(frameOffset, payloadStart + payload - frameOffset);

        l3Delta = headers.l3Offset() - frameOffset;
        l4Delta = headers.l4Offset() - frameOffset;
        ipHeaderLength = headers.ipHeaderLength();
        v4 = l3 == L3Protocol.IPV4;
        tcp = protocol == PROTOCOL_TCP;
        checksumDelta = l4Delta + (tcp ? 16 : 6);
        identification = Ipv4Header.identification(src, headers.l3Offset());
        sequence = tcp ? src.getInt(headers.l4Offset() + TcpHeader.SEQUENCE_OFFSET, BE) : 0;
        dataOffsetByte = tcp ? src.getByte(headers.l4Offset() + TcpHeader.DATA_OFFSET_OFFSET) & 0xFF : 0;
        flags = headers.tcpFlags();
        ipBase = v4 ? sumWordsExcept(src, headers.l3Offset(), ipHeaderLength, 2, 4, 10, 10) : 0;
        l4Base = ChecksumOffload.pseudoHeaderSum(src, headers, 0) + (tcp ?
            sumWordsExcept(src, headers.l4Offset(), l4HeaderLength, 4, 6, 12, 16) :
            sumWordsExcept(src, headers.l4Offset(), l4HeaderLength, 4, 6, 6, 6));
        return OffloadStatus.SPLIT;
    }

    /** {@return payload bytes of segment {@code i}} */
    int segmentPayload(final int i)
    {
        return i == count - 1 ? payload - i * segmentSize : segmentSize;
    }

    /** {@return index in the source frame of segment {@code i}'s payload} */
    int payloadIndex(final int i)
    {
        return payloadStart + i * segmentSize;
    }

    /** {@return the IPv4 total length, or the IPv6 payload length, of segment {@code i}} */
    int ipLength(final int i)
    {
        final int l4Length = l4HeaderLength + segmentPayload(i);
        return v4 ? ipHeaderLength + l4Length : ipHeaderLength - Ipv6Header.LENGTH + l4Length;
    }

    /** {@return the IPv4 identification of segment {@code i}: the original plus {@code i}} */
    int ipId(final int i)
    {
        return (identification + i) & 0xFFFF;
    }

    /** {@return the IPv4 header checksum field of segment {@code i}} */
    int ipChecksum(final int i)
    {
        return ~Checksums.fold(ipBase + ipLength(i) + ipId(i)) & 0xFFFF;
    }

    /** {@return the TCP sequence number of segment {@code i}} */
    int tcpSequence(final int i)
    {
        return sequence + i * segmentSize;
    }

    /** {@return the TCP flags of segment {@code i}: FIN and PSH only on the last, CWR only on the first} */
    int tcpFlags(final int i)
    {
        int segmentFlags = flags;
        if (i != count - 1)
        {
            segmentFlags &= ~(TCP_FIN | TCP_PSH);
        }
        if (i != 0)
        {
            segmentFlags &= ~TCP_CWR;
        }
        return segmentFlags;
    }

    /** {@return the UDP length of segment {@code i}} */
    int udpLength(final int i)
    {
        return l4HeaderLength + segmentPayload(i);
    }

    /**
     * {@return the folded L4 sum of segment {@code i} without its payload: known before the payload is copied, it is
     * the copy's initial sum, so only a complement follows the copy}
     */
    int l4HeaderSum(final int i)
    {
        final int l4Length = l4HeaderLength + segmentPayload(i);
        if (tcp)
        {
            final int segmentSequence = tcpSequence(i);
            return Checksums.fold(l4Base + l4Length + (segmentSequence >>> 16) + (segmentSequence & 0xFFFF) +
                ((dataOffsetByte << 8) | tcpFlags(i)));
        }
        return Checksums.fold(l4Base + l4Length + l4Length);
    }

    /** {@return the L4 checksum field for a segment's folded sum (UDP sends a zero result as 0xFFFF)} */
    int l4Checksum(final int l4Sum)
    {
        final int value = ~l4Sum & 0xFFFF;
        return !tcp && value == 0 ? 0xFFFF : value;
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
}
