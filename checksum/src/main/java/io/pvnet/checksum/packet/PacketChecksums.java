package io.pvnet.checksum.packet;

import io.pvnet.checksum.Checksums;
import io.pvnet.checksum.InternetChecksum;
import io.pvnet.checksum.PseudoHeader;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Writes the checksums of headers in place: the IPv4 header checksum, and the TCP / UDP / ICMP / ICMPv6 checksum
 * either complete or, for a frame handed on with {@code CHECKSUM_PARTIAL}, as Linux leaves it (the folded
 * pseudo-header sum, not complemented, for the device to finish). All sums go through {@link InternetChecksum} and
 * {@link PseudoHeader}; nothing here adds words by hand. Stateless apart from the variant: any thread.
 */
public final class PacketChecksums
{
    /**
     * The 64-bit word kernel, not {@link Checksums#best()}: these sums cover headers and the frames of guests and
     * generators, which gain nothing from vectors, while the Vector API kernel boxes (slow, allocating) until C2 has
     * compiled it, a cost short-lived guest and generator processes felt as lost echoes. The data path's offloads
     * keep {@link Checksums#best()}.
     */
    private static final InternetChecksum SUM = Checksums.longWord();

    private PacketChecksums()
    {
    }

    /**
     * The checksum field's offset inside the L4 header of {@code protocol}, or -1 when it has none.
     *
     * @param protocol the IP protocol / next header number.
     * @return the checksum field's offset inside the L4 header of {@code protocol}, or -1 when it has none.
     */
    public static int checksumFieldOffset(final int protocol)
    {
        switch (protocol)
        {
            case IpProtocol.TCP:
                return TcpHeader.CHECKSUM_OFFSET;
            case IpProtocol.UDP:
                return UdpHeader.CHECKSUM_OFFSET;
            case IpProtocol.ICMP:
            case IpProtocol.ICMPV6:
                return IcmpHeader.CHECKSUM_OFFSET;
            default:
                return -1;
        }
    }

    /**
     * The field value for a complete folded sum: its complement, UDP's 0 sent as 0xFFFF (RFC 768).
     *
     * @param protocol the IP protocol / next header number.
     * @param sum a folded 16-bit sum.
     * @return the field value for a complete folded sum: its complement, UDP's 0 sent as 0xFFFF (RFC 768).
     */
    public static int fieldValue(final int protocol, final int sum)
    {
        final int value = Checksums.complement(sum);
        return protocol == IpProtocol.UDP && value == 0 ? 0xFFFF : value;
    }

    /**
     * Zeroes, sums and writes the header checksum of the IPv4 header at {@code ip} (length from its IHL).
     *
     * @param buffer the frame or packet buffer.
     * @param ip index of the first byte of the IP header.
     */
    public static void ipv4Header(final MutableDirectBuffer buffer, final int ip)
    {
        Ipv4Header.checksum(buffer, ip, 0);
        Ipv4Header.checksum(buffer, ip, Checksums.complement(SUM.sum(buffer, ip, Ipv4Header.headerLength(buffer, ip))));
    }

    /**
     * Writes the complete checksum of the L4 message at {@code l4} ({@code l4Length} bytes of {@code protocol}) inside
     * the IPv4 packet at {@code ip}: with the pseudo-header for TCP and UDP, without for ICMP.
     *
     * @param buffer the frame or packet buffer.
     * @param ip index of the first byte of the IP header.
     * @param protocol the IP protocol / next header number.
     * @param l4 index of the first byte of the L4 header.
     * @param l4Length the L4 header plus payload length in bytes.
     */
    public static void transport4(
        final MutableDirectBuffer buffer, final int ip, final int protocol, final int l4, final int l4Length)
    {
        final int field = l4 + checksumFieldOffset(protocol);
        buffer.putShort(field, (short)0);
        final int pseudo = protocol == IpProtocol.ICMP ? 0 : PseudoHeader.ipv4(buffer, ip, protocol, l4Length);
        putField(buffer, field, fieldValue(protocol, SUM.sum(buffer, l4, l4Length, pseudo)));
    }

    /**
     * Writes the complete checksum of the L4 message at {@code l4} inside the IPv6 packet at {@code ip} (pseudo-header
     * with the fixed header's destination: a routing header with segments left is not considered).
     *
     * @param buffer the frame or packet buffer.
     * @param ip index of the first byte of the IP header.
     * @param protocol the IP protocol / next header number.
     * @param l4 index of the first byte of the L4 header.
     * @param l4Length the L4 header plus payload length in bytes.
     */
    public static void transport6(
        final MutableDirectBuffer buffer, final int ip, final int protocol, final int l4, final int l4Length)
    {
        final int field = l4 + checksumFieldOffset(protocol);
        buffer.putShort(field, (short)0);
        final int pseudo = PseudoHeader.ipv6(buffer, ip + Ipv6Header.SOURCE_OFFSET, ip + Ipv6Header.DESTINATION_OFFSET,
            protocol, l4Length);
        putField(buffer, field, fieldValue(protocol, SUM.sum(buffer, l4, l4Length, pseudo)));
    }

    /**
     * Writes the folded IPv4 pseudo-header sum into the checksum field (Linux CHECKSUM_PARTIAL).
     *
     * @param buffer the frame or packet buffer.
     * @param ip index of the first byte of the IP header.
     * @param protocol the IP protocol / next header number.
     * @param l4 index of the first byte of the L4 header.
     * @param l4Length the L4 header plus payload length in bytes.
     */
    public static void partial4(
        final MutableDirectBuffer buffer, final int ip, final int protocol, final int l4, final int l4Length)
    {
        putField(buffer, l4 + checksumFieldOffset(protocol), PseudoHeader.ipv4(buffer, ip, protocol, l4Length));
    }

    /**
     * Writes the folded IPv6 pseudo-header sum into the checksum field (Linux CHECKSUM_PARTIAL).
     *
     * @param buffer the frame or packet buffer.
     * @param ip index of the first byte of the IP header.
     * @param protocol the IP protocol / next header number.
     * @param l4 index of the first byte of the L4 header.
     * @param l4Length the L4 header plus payload length in bytes.
     */
    public static void partial6(
        final MutableDirectBuffer buffer, final int ip, final int protocol, final int l4, final int l4Length)
    {
        putField(buffer, l4 + checksumFieldOffset(protocol), PseudoHeader.ipv6(
            buffer, ip + Ipv6Header.SOURCE_OFFSET, ip + Ipv6Header.DESTINATION_OFFSET, protocol, l4Length));
    }

    /**
     * Decrements the TTL of the IPv4 header at {@code ip} and updates its checksum incrementally (RFC 1624 eqn. 3,
     * {@link Checksums#updateWord}); the caller has checked the TTL is above 1.
     *
     * @param buffer the frame or packet buffer.
     * @param ip index of the first byte of the IP header.
     */
    public static void decrementTtl(final MutableDirectBuffer buffer, final int ip)
    {
        final int oldWord = (Ipv4Header.ttl(buffer, ip) << 8) | Ipv4Header.protocol(buffer, ip);
        final int newWord = oldWord - 0x0100;
        Ipv4Header.ttl(buffer, ip, newWord >>> 8);
        Ipv4Header.checksum(buffer, ip, Checksums.updateWord(Ipv4Header.checksum(buffer, ip), oldWord, newWord));
    }

    private static void putField(final MutableDirectBuffer buffer, final int field, final int value)
    {
        buffer.putShort(field, (short)value, BIG_ENDIAN);
    }
}
