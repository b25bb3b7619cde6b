package io.pvnet.checksum.offload;

import io.pvnet.checksum.Checksums;
import io.pvnet.checksum.InternetChecksum;
import io.pvnet.checksum.parse.L3Protocol;
import io.pvnet.checksum.parse.PacketHeaders;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

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
 * pass ({@link InternetChecksum#copyAndSum}), as Linux fuses them in {@code skb_segment}.
 * <p>
 * A payload that fits one segment produces one frame with its checksum completed (Linux does not segment it either).
 * Not thread-safe: one instance per thread; allocates nothing after construction.
 */
public final class GsoSegmenter
{
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

    private final InternetChecksum checksum;
    private final ChecksumOffload offload;

    /** @param checksum the variant for every sum. */
    public GsoSegmenter(final InternetChecksum checksum)
    {
        this.checksum = checksum;
        this.offload = new ChecksumOffload(checksum);
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
        final int identification = src.getShort(headers.l3Offset() + 4, BE) & 0xFFFF;
        final int sequence = protocol == PROTOCOL_TCP ? src.getInt(headers.l4Offset() + 4, BE) : 0;
        final int flags = headers.tcpFlags();
        int cursor = outOffset;
        for (int i = 0; i < count; i++)
        {
            final boolean last = i == count - 1;
            final int segmentPayload = last ? payload - i * segmentSize : segmentSize;
            final int l4Length = l4HeaderLength + segmentPayload;
            out.putBytes(cursor, src, frameOffset, headerLength);
            final int payloadSum = checksum.copyAndSum(
                src, payloadStart + i * segmentSize, out, cursor + headerLength, segmentPayload, 0);

            final int ip = cursor + l3Delta;
            if (l3 == L3Protocol.IPV4)
            {
                out.putShort(ip + 2, (short)(ipHeaderLength + l4Length), BE);
                out.putShort(ip + 4, (short)(identification + i), BE);
                offload.writeIpv4HeaderChecksum(out, ip, ipHeaderLength);
            }
            else
            {
                out.putShort(ip + 4, (short)(ipHeaderLength - 40 + l4Length), BE);
            }

            final int l4 = cursor + l4Delta;
            final int checksumField;
            if (protocol == PROTOCOL_TCP)
            {
                out.putInt(l4 + 4, sequence + i * segmentSize, BE);
                int segmentFlags = flags;
                if (!last)
                {
                    segmentFlags &= ~(TCP_FIN | TCP_PSH);
                }
                if (i != 0)
                {
                    segmentFlags &= ~TCP_CWR;
                }
                out.putByte(l4 + 13, (byte)segmentFlags);
                checksumField = l4 + 16;
            }
            else
            {
                out.putShort(l4 + 4, (short)l4Length, BE);
                checksumField = l4 + 6;
            }
            out.putShort(checksumField, (short)0);
            final int pseudo = ChecksumOffload.pseudoHeaderSum(src, headers, l4Length);
            final int sum = checksum.sum(out, l4, l4HeaderLength, Checksums.add(pseudo, payloadSum));
            out.putShort(checksumField, (short)ChecksumOffload.l4ChecksumValue(protocol, sum), BE);

            frames.add(cursor, headerLength + segmentPayload);
            cursor += headerLength + segmentPayload;
        }
        return OffloadStatus.SPLIT;
    }
}
