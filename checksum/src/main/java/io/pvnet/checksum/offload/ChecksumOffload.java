package io.pvnet.checksum.offload;

import io.pvnet.checksum.Checksums;
import io.pvnet.checksum.InternetChecksum;
import io.pvnet.checksum.PseudoHeader;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.Ipv6Header;
import io.pvnet.checksum.packet.PacketChecksums;
import io.pvnet.checksum.parse.L3Protocol;
import io.pvnet.checksum.parse.PacketHeaders;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

import static io.pvnet.checksum.parse.PacketHeaders.PROTOCOL_ICMP;
import static io.pvnet.checksum.parse.PacketHeaders.PROTOCOL_ICMPV6;
import static io.pvnet.checksum.parse.PacketHeaders.PROTOCOL_TCP;
import static io.pvnet.checksum.parse.PacketHeaders.PROTOCOL_UDP;

/**
 * Completes and verifies checksums of a parsed frame in place: what a backend does for a frame marked
 * {@code NETTXF_csum_blank} bound for a port that cannot offload, and what {@code data_validated} promises on receive.
 * <p>
 * Unlike FreeBSD xnb(4) it handles IPv6 (extension headers, routing-header final destination), IPv4 options (the
 * pseudo-header length is the total length minus IHL*4), VLAN tags, ICMP and ICMPv6, and never touches a fragment's
 * L4 bytes (a fragment's UDP checksum covers the whole datagram). A UDP checksum that computes to 0 is sent as 0xFFFF.
 * <p>
 * Stateless apart from the checksum variant: any thread.
 */
public final class ChecksumOffload
{
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

    private final InternetChecksum checksum;

    /**
     * Completes and verifies checksums of parsed frames; stateless apart from {@code checksum}, so any thread may use
     * it.
     * @param checksum the variant used for every sum, usually {@link Checksums#best()}.
     */
    public ChecksumOffload(final InternetChecksum checksum)
    {
        this.checksum = checksum;
    }

    /** {@return the checksum variant} */
    public InternetChecksum checksum()
    {
        return checksum;
    }

    /**
     * Writes the IPv4 header checksum and the L4 checksum of a frame that parsed {@code OK} into {@code headers}.
     * All or nothing: a frame whose L4 checksum cannot be completed (a fragment, an unknown protocol) is left byte for
     * byte as it came, its IPv4 header sum included, so a caller that drops or forwards it never sees a half-done frame.
     *
     * @param buffer the frame's buffer, written in place.
     * @param headers the frame's headers, as {@link io.pvnet.checksum.parse.HeaderParser#parse} filled them in.
     * @return {@link OffloadStatus#COMPLETED}, {@link OffloadStatus#NOT_IP}, {@link OffloadStatus#FRAGMENT_L4_LEFT} or
     * {@link OffloadStatus#UNKNOWN_L4_PROTOCOL}.
     */
    public OffloadStatus complete(final MutableDirectBuffer buffer, final PacketHeaders headers)
    {
        final L3Protocol l3 = headers.l3();
        if (l3 != L3Protocol.IPV4 && l3 != L3Protocol.IPV6)
        {
            return OffloadStatus.NOT_IP;
        }
        if (headers.isFragment())
        {
            return OffloadStatus.FRAGMENT_L4_LEFT;
        }
        final int fieldOffset = l4ChecksumFieldOffset(headers);
        if (fieldOffset < 0)
        {
            return OffloadStatus.UNKNOWN_L4_PROTOCOL;
        }
        if (l3 == L3Protocol.IPV4)
        {
            writeIpv4HeaderChecksum(buffer, headers.l3Offset(), headers.ipHeaderLength());
        }
        buffer.putShort(fieldOffset, (short)0);
        final int sum = checksum.sum(buffer, headers.l4Offset(), headers.l4Length(), pseudoHeaderSum(buffer, headers));
        buffer.putShort(fieldOffset, (short)l4ChecksumValue(headers.l4Protocol(), sum), BE);
        return OffloadStatus.COMPLETED;
    }

    /**
     * Verifies the IPv4 header checksum and the L4 checksum (an IPv4 UDP checksum of 0 means "none" and passes).
     *
     * @param buffer the frame's buffer.
     * @param headers the frame's headers, as {@link io.pvnet.checksum.parse.HeaderParser#parse} filled them in.
     * @return {@link OffloadStatus#VALID}, a {@code BAD_...} status, or the reasons {@link #complete} gives for what
     * it cannot check.
     */
    public OffloadStatus verify(final DirectBuffer buffer, final PacketHeaders headers)
    {
        final L3Protocol l3 = headers.l3();
        if (l3 == L3Protocol.IPV4)
        {
            if (checksum.sum(buffer, headers.l3Offset(), headers.ipHeaderLength()) != 0xFFFF)
            {
                return OffloadStatus.BAD_IPV4_HEADER_CHECKSUM;
            }
        }
        else if (l3 != L3Protocol.IPV6)
        {
            return OffloadStatus.NOT_IP;
        }
        if (headers.isFragment())
        {
            return OffloadStatus.FRAGMENT_L4_LEFT;
        }
        final int fieldOffset = l4ChecksumFieldOffset(headers);
        if (fieldOffset < 0)
        {
            return OffloadStatus.UNKNOWN_L4_PROTOCOL;
        }
        if (l3 == L3Protocol.IPV4 && headers.l4Protocol() == PROTOCOL_UDP && buffer.getShort(fieldOffset) == 0)
        {
            return OffloadStatus.VALID;
        }
        final int sum = checksum.sum(buffer, headers.l4Offset(), headers.l4Length(), pseudoHeaderSum(buffer, headers));
        return sum == 0xFFFF ? OffloadStatus.VALID : OffloadStatus.BAD_L4_CHECKSUM;
    }

    /**
     * Zeroes, sums and writes the checksum of the IPv4 header at {@code ipOffset}.
     * @param buffer the frame's buffer, written in place.
     * @param ipOffset index of the IPv4 header in {@code buffer}.
     * @param headerLength the IPv4 header's length in bytes (IHL * 4).
     */
    public void writeIpv4HeaderChecksum(final MutableDirectBuffer buffer, final int ipOffset, final int headerLength)
    {
        Ipv4Header.checksum(buffer, ipOffset, 0);
        Ipv4Header.checksum(buffer, ipOffset, Checksums.complement(checksum.sum(buffer, ipOffset, headerLength)));
    }

    /**
     * {@return index of the L4 checksum field, or {@code -1} when the protocol has none this class knows}
     * @param headers a parsed frame's headers.
     */
    public static int l4ChecksumFieldOffset(final PacketHeaders headers)
    {
        if (!headers.hasL4Header())
        {
            return -1;
        }
        final int field = PacketChecksums.checksumFieldOffset(headers.l4Protocol());
        return field < 0 ? -1 : headers.l4Offset() + field;
    }

    /**
     * {@return the pseudo-header sum for the parsed packet's L4 protocol and length (0 for ICMPv4, which has none)}
     * @param buffer the frame's buffer.
     * @param headers the frame's headers, as {@link io.pvnet.checksum.parse.HeaderParser#parse} filled them in.
     */
    public static int pseudoHeaderSum(final DirectBuffer buffer, final PacketHeaders headers)
    {
        return pseudoHeaderSum(buffer, headers, headers.l4Length());
    }

    /**
     * As {@link #pseudoHeaderSum(DirectBuffer, PacketHeaders)} for another L4 length (a segment of the packet).
     * @param buffer the frame's buffer.
     * @param headers the frame's headers, as {@link io.pvnet.checksum.parse.HeaderParser#parse} filled them in.
     * @param l4Length the L4 length (header and payload) to put in the pseudo-header, in bytes.
     * @return the folded pseudo-header sum (not complemented).
     */
    public static int pseudoHeaderSum(final DirectBuffer buffer, final PacketHeaders headers, final int l4Length)
    {
        final int protocol = headers.l4Protocol();
        if (protocol == PROTOCOL_ICMP)
        {
            return 0;
        }
        if (headers.l3() == L3Protocol.IPV4)
        {
            return PseudoHeader.ipv4(buffer, headers.l3Offset(), protocol, l4Length);
        }
        return PseudoHeader.ipv6(buffer, headers.l3Offset() + Ipv6Header.SOURCE_OFFSET, headers.ipv6DestinationOffset(), protocol,
            l4Length);
    }

    /**
     * {@return the field value for a complete folded sum: its complement, with UDP's 0 sent as 0xFFFF (RFC 768)}
     * @param protocol the IP protocol number (UDP's zero rule applies to {@link
     *     io.pvnet.checksum.packet.IpProtocol#UDP} only).
     * @param sum the folded sum over the pseudo-header and the L4 bytes.
     */
    public static int l4ChecksumValue(final int protocol, final int sum)
    {
        return PacketChecksums.fieldValue(protocol, sum);
    }
}
