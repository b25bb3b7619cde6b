package io.pvnet.checksum.parse;

import io.pvnet.checksum.packet.ArpHeader;
import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.IcmpHeader;
import io.pvnet.checksum.packet.IpProtocol;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.Ipv6ExtensionHeader;
import io.pvnet.checksum.packet.Ipv6Header;
import io.pvnet.checksum.packet.TcpHeader;
import io.pvnet.checksum.packet.UdpHeader;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

import static io.pvnet.checksum.parse.PacketHeaders.PROTOCOL_ICMP;
import static io.pvnet.checksum.parse.PacketHeaders.PROTOCOL_ICMPV6;
import static io.pvnet.checksum.parse.PacketHeaders.PROTOCOL_TCP;
import static io.pvnet.checksum.parse.PacketHeaders.PROTOCOL_UDP;

/**
 * Zero-allocation parser of Ethernet frames in place: Ethernet II, up to two 802.1Q/802.1ad tags, ARP, IPv4 with
 * options and fragments, IPv6 with up to {@link #MAX_IPV6_EXTENSION_HEADERS} extension headers (hop-by-hop, routing,
 * fragment, destination options, AH), TCP with options, UDP, ICMP and ICMPv6.
 * <p>
 * Every read is checked against the frame first, so a malformed frame yields a {@link ParseStatus} reason and never
 * an exception or a read past {@code offset + length}. Frame layouts follow IEEE 802.3/802.1Q, RFC 791, RFC 8200,
 * RFC 9293 and RFC 768. Stateless apart from the caller's {@link PacketHeaders}: any thread, one holder per thread.
 */
public final class HeaderParser
{
    /** Most stacked VLAN tags walked (802.1ad outer + 802.1Q inner). */
    public static final int MAX_VLAN_TAGS = 2;
    /** Most IPv6 extension headers walked before the frame is refused. */
    public static final int MAX_IPV6_EXTENSION_HEADERS = 8;

    // header layouts live in io.pvnet.checksum.packet; these names stay for existing callers
    /** Bytes of an untagged Ethernet header ({@link io.pvnet.checksum.packet.EthernetHeader#LENGTH}). */
    public static final int ETHERNET_HEADER_LENGTH = EthernetHeader.LENGTH;
    /** Bytes of one 802.1Q tag. */
    public static final int VLAN_TAG_LENGTH = EthernetHeader.VLAN_TAG_LENGTH;
    /** EtherType of IPv4. */
    public static final int ETHERTYPE_IPV4 = EthernetHeader.ETHERTYPE_IPV4;
    /** EtherType of ARP. */
    public static final int ETHERTYPE_ARP = EthernetHeader.ETHERTYPE_ARP;
    /** EtherType of IPv6. */
    public static final int ETHERTYPE_IPV6 = EthernetHeader.ETHERTYPE_IPV6;
    /** EtherType of an 802.1Q VLAN tag. */
    public static final int ETHERTYPE_VLAN = EthernetHeader.ETHERTYPE_VLAN;
    /** EtherType of an 802.1ad (QinQ) service tag. */
    public static final int ETHERTYPE_QINQ = EthernetHeader.ETHERTYPE_QINQ;
    /** EtherType of the pre-standard QinQ tag (0x9100). */
    public static final int ETHERTYPE_QINQ_OLD = EthernetHeader.ETHERTYPE_QINQ_OLD;
    /** Bytes of an IPv4 header without options. */
    public static final int IPV4_MIN_HEADER_LENGTH = Ipv4Header.MIN_LENGTH;
    /** Bytes of the fixed IPv6 header. */
    public static final int IPV6_HEADER_LENGTH = Ipv6Header.LENGTH;
    /** Bytes of a TCP header without options. */
    public static final int TCP_MIN_HEADER_LENGTH = TcpHeader.MIN_LENGTH;
    /** Bytes of a UDP header. */
    public static final int UDP_HEADER_LENGTH = UdpHeader.LENGTH;

    static final int IPV6_HOP_BY_HOP = IpProtocol.HOP_BY_HOP;
    static final int IPV6_ROUTING = IpProtocol.ROUTING;
    static final int IPV6_FRAGMENT = IpProtocol.FRAGMENT;
    static final int IPV6_ESP = IpProtocol.ESP;
    static final int IPV6_AH = IpProtocol.AH;
    static final int IPV6_NO_NEXT_HEADER = IpProtocol.NO_NEXT_HEADER;
    static final int IPV6_DESTINATION_OPTIONS = IpProtocol.DESTINATION_OPTIONS;

    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

    private HeaderParser()
    {
    }

    /**
     * Parses the frame at {@code buffer[offset, offset + length)} into {@code headers}.
     *
     * @param buffer the frame's buffer.
     * @param offset index of the frame's first byte (the Ethernet destination).
     * @param length the frame's length in bytes.
     * @param headers filled in with where each header is; reset first.
     * @return {@link ParseStatus#OK} or the reason the frame is malformed.
     */
    public static ParseStatus parse(
        final DirectBuffer buffer, final int offset, final int length, final PacketHeaders headers)
    {
        headers.reset(offset, length);
        final int end = offset + length;
        if (length < ETHERNET_HEADER_LENGTH)
        {
            return ParseStatus.ETHERNET_TRUNCATED;
        }
        int typeOffset = offset + EthernetHeader.ETHER_TYPE_OFFSET;
        int etherType = buffer.getShort(typeOffset, BE) & 0xFFFF;
        while (EthernetHeader.isVlanTpid(etherType))
        {
            if (headers.vlanCount == MAX_VLAN_TAGS)
            {
                return ParseStatus.VLAN_TOO_MANY_TAGS;
            }
            if (typeOffset + VLAN_TAG_LENGTH + Short.BYTES > end)
            {
                return ParseStatus.VLAN_TRUNCATED;
            }
            headers.vlanCount++;
            typeOffset += VLAN_TAG_LENGTH;
            etherType = buffer.getShort(typeOffset, BE) & 0xFFFF;
        }
        headers.etherType = etherType;
        headers.etherTypeOffset = typeOffset;
        final int l3Offset = typeOffset + Short.BYTES;
        switch (etherType)
        {
            case ETHERTYPE_IPV4:
                headers.l3 = L3Protocol.IPV4;
                headers.l3Offset = l3Offset;
                return parseIpv4(buffer, l3Offset, end, headers);
            case ETHERTYPE_IPV6:
                headers.l3 = L3Protocol.IPV6;
                headers.l3Offset = l3Offset;
                return parseIpv6(buffer, l3Offset, end, headers);
            case ETHERTYPE_ARP:
                headers.l3 = L3Protocol.ARP;
                headers.l3Offset = l3Offset;
                return parseArp(buffer, l3Offset, end, headers);
            default:
                return ParseStatus.OK;
        }
    }

    private static ParseStatus parseArp(
        final DirectBuffer buffer, final int offset, final int end, final PacketHeaders headers)
    {
        if (offset + ArpHeader.FIXED_LENGTH > end)
        {
            return ParseStatus.ARP_TRUNCATED;
        }
        final int hardwareLength = ArpHeader.hardwareLength(buffer, offset);
        final int protocolLength = ArpHeader.protocolLength(buffer, offset);
        final int arpLength = ArpHeader.FIXED_LENGTH + 2 * (hardwareLength + protocolLength);
        if (offset + arpLength > end)
        {
            return ParseStatus.ARP_TRUNCATED;
        }
        headers.l3Length = arpLength;
        return ParseStatus.OK;
    }

    private static ParseStatus parseIpv4(
        final DirectBuffer buffer, final int offset, final int end, final PacketHeaders headers)
    {
        if (offset + IPV4_MIN_HEADER_LENGTH > end)
        {
            return ParseStatus.IPV4_TRUNCATED;
        }
        if (Ipv4Header.version(buffer, offset) != 4)
        {
            return ParseStatus.IPV4_BAD_VERSION;
        }
        final int headerLength = Ipv4Header.headerLength(buffer, offset);
        if (headerLength < IPV4_MIN_HEADER_LENGTH)
        {
            return ParseStatus.IPV4_HEADER_LENGTH_TOO_SMALL;
        }
        final int totalLength = Ipv4Header.totalLength(buffer, offset);
        if (headerLength > totalLength)
        {
            return ParseStatus.IPV4_HEADER_LENGTH_EXCEEDS_TOTAL_LENGTH;
        }
        if (offset + totalLength > end)
        {
            return ParseStatus.IPV4_TOTAL_LENGTH_EXCEEDS_FRAME;
        }
        if (!optionsValid(buffer, offset + IPV4_MIN_HEADER_LENGTH, offset + headerLength))
        {
            return ParseStatus.IPV4_BAD_OPTION;
        }
        final int flagsFragment = Ipv4Header.flagsFragment(buffer, offset);
        final int fragmentOffsetBytes = (flagsFragment & Ipv4Header.FRAGMENT_OFFSET_MASK) * 8;
        if (fragmentOffsetBytes + totalLength - headerLength > 65535)
        {
            return ParseStatus.IPV4_FRAGMENT_TOO_LARGE;
        }
        headers.l3Length = totalLength;
        headers.ipHeaderLength = headerLength;
        headers.ipv4FragmentOffsetBytes = fragmentOffsetBytes;
        headers.moreFragments = (flagsFragment & Ipv4Header.MORE_FRAGMENTS) != 0;
        headers.dontFragment = (flagsFragment & Ipv4Header.DONT_FRAGMENT) != 0;
        headers.l4ProtocolFieldOffset = offset + Ipv4Header.PROTOCOL_OFFSET;
        final int protocol = Ipv4Header.protocol(buffer, offset);
        if (fragmentOffsetBytes != 0)
        {
            return ParseStatus.OK; // a non-first fragment carries no L4 header
        }
        return parseL4(buffer, protocol, offset + headerLength, offset + totalLength, headers);
    }

    /**
     * Whether {@code [start, end)} is a well-formed option list. IPv4 options (RFC 791 section 3.1) and TCP options
     * (RFC 9293 section 3.1) share one encoding: kind 0 ends the list (the rest is padding), kind 1 is a one-byte
     * no-op, any other kind is followed by a length byte {@code >= 2} that counts the kind and length bytes.
     */
    private static boolean optionsValid(final DirectBuffer buffer, final int start, final int end)
    {
        int i = start;
        while (i < end)
        {
            final int type = buffer.getByte(i) & 0xFF;
            if (type == 0)
            {
                return true; // end of option list; the rest is padding
            }
            if (type == 1)
            {
                i++;
                continue;
            }
            if (i + 1 >= end)
            {
                return false;
            }
            final int optionLength = buffer.getByte(i + 1) & 0xFF;
            if (optionLength < 2 || i + optionLength > end)
            {
                return false;
            }
            i += optionLength;
        }
        return true;
    }

    private static ParseStatus parseIpv6(
        final DirectBuffer buffer, final int offset, final int end, final PacketHeaders headers)
    {
        if (offset + IPV6_HEADER_LENGTH > end)
        {
            return ParseStatus.IPV6_TRUNCATED;
        }
        if (Ipv6Header.version(buffer, offset) != 6)
        {
            return ParseStatus.IPV6_BAD_VERSION;
        }
        final int payloadLength = Ipv6Header.payloadLength(buffer, offset);
        int nextHeader = Ipv6Header.nextHeader(buffer, offset);
        if (payloadLength == 0 && nextHeader == IPV6_HOP_BY_HOP)
        {
            return ParseStatus.IPV6_JUMBOGRAM_UNSUPPORTED;
        }
        final int packetEnd = offset + IPV6_HEADER_LENGTH + payloadLength;
        if (packetEnd > end)
        {
            return ParseStatus.IPV6_PAYLOAD_LENGTH_EXCEEDS_FRAME;
        }
        headers.l3Length = IPV6_HEADER_LENGTH + payloadLength;
        headers.ipv6DestinationOffset = offset + Ipv6Header.DESTINATION_OFFSET;
        int nextHeaderField = offset + Ipv6Header.NEXT_HEADER_OFFSET;
        int position = offset + IPV6_HEADER_LENGTH;
        boolean seenRouting = false;
        int count = 0;
        while (true)
        {
            final int headerLength;
            switch (nextHeader)
            {
                case IPV6_HOP_BY_HOP:
                    if (count != 0)
                    {
                        return ParseStatus.IPV6_HOP_BY_HOP_NOT_FIRST;
                    }
                    // fall through
                case IPV6_DESTINATION_OPTIONS:
                case IPV6_ROUTING:
                    if (position + Ipv6ExtensionHeader.LENGTH_OFFSET + 1 > packetEnd)
                    {
                        return ParseStatus.IPV6_EXTENSION_TRUNCATED;
                    }
                    headerLength = Ipv6ExtensionHeader.length(buffer, position, nextHeader);
                    break;
                case IPV6_AH:
                    if (position + Ipv6ExtensionHeader.LENGTH_OFFSET + 1 > packetEnd)
                    {
                        return ParseStatus.IPV6_EXTENSION_TRUNCATED;
                    }
                    headerLength = Ipv6ExtensionHeader.length(buffer, position, nextHeader);
                    break;
                case IPV6_FRAGMENT:
                    headerLength = Ipv6ExtensionHeader.FRAGMENT_LENGTH;
                    break;
                default:
                    headers.ipHeaderLength = position - offset;
                    headers.l4ProtocolFieldOffset = nextHeaderField;
                    if (nextHeader == IPV6_NO_NEXT_HEADER || nextHeader == IPV6_ESP)
                    {
                        headers.l4Offset = position;
                        headers.l4Length = packetEnd - position;
                        return ParseStatus.OK;
                    }
                    if (headers.ipv4FragmentOffsetBytes != 0)
                    {
                        return ParseStatus.OK;
                    }
                    return parseL4(buffer, nextHeader, position, packetEnd, headers);
            }
            if (++count > MAX_IPV6_EXTENSION_HEADERS)
            {
                return ParseStatus.IPV6_TOO_MANY_EXTENSION_HEADERS;
            }
            if (position + headerLength > packetEnd)
            {
                return ParseStatus.IPV6_EXTENSION_TRUNCATED;
            }
            if (nextHeader == IPV6_ROUTING)
            {
                if (seenRouting)
                {
                    return ParseStatus.IPV6_EXTENSION_REPEATED;
                }
                seenRouting = true;
                routingFinalDestination(buffer, position, headerLength, headers);
            }
            else if (nextHeader == IPV6_FRAGMENT)
            {
                if (headers.ipv6FragmentHeaderOffset >= 0)
                {
                    return ParseStatus.IPV6_EXTENSION_REPEATED;
                }
                headers.ipv6FragmentHeaderOffset = position;
                final int offsetFlags = Ipv6ExtensionHeader.fragmentOffsetFlags(buffer, position);
                headers.ipv4FragmentOffsetBytes = offsetFlags & Ipv6ExtensionHeader.FRAGMENT_OFFSET_MASK;
                headers.moreFragments = (offsetFlags & Ipv6ExtensionHeader.FRAGMENT_MORE) != 0;
            }
            headers.ipv6ExtensionCount = count;
            nextHeaderField = position;
            nextHeader = Ipv6ExtensionHeader.nextHeader(buffer, position);
            position += headerLength;
        }
    }

    private static void routingFinalDestination(
        final DirectBuffer buffer, final int position, final int headerLength, final PacketHeaders headers)
    {
        final int routingType = Ipv6ExtensionHeader.routingType(buffer, position);
        final int segmentsLeft = Ipv6ExtensionHeader.segmentsLeft(buffer, position);
        if (segmentsLeft == 0 || headerLength < 24)
        {
            return;
        }
        if (routingType == 0 || routingType == 2)
        {
            // type 0 (deprecated) and type 2 (Mobile IPv6): the last listed address is the final destination
            headers.ipv6DestinationOffset = position + headerLength - Ipv6Header.ADDRESS_LENGTH;
        }
        else if (routingType == 4)
        {
            // segment routing header (RFC 8754): segment list[0] is the final destination
            headers.ipv6DestinationOffset = position + Ipv6ExtensionHeader.SEGMENT_LIST_OFFSET;
        }
    }

    private static ParseStatus parseL4(
        final DirectBuffer buffer, final int protocol, final int offset, final int end, final PacketHeaders headers)
    {
        headers.l4Protocol = protocol;
        headers.l4Offset = offset;
        final int available = end - offset;
        headers.l4Length = available;
        switch (protocol)
        {
            case PROTOCOL_TCP:
            {
                if (available < TCP_MIN_HEADER_LENGTH)
                {
                    return ParseStatus.TCP_TRUNCATED;
                }
                final int dataOffset = TcpHeader.headerLength(buffer, offset);
                if (dataOffset < TCP_MIN_HEADER_LENGTH)
                {
                    return ParseStatus.TCP_DATA_OFFSET_TOO_SMALL;
                }
                if (dataOffset > available)
                {
                    return ParseStatus.TCP_DATA_OFFSET_EXCEEDS_SEGMENT;
                }
                if (!optionsValid(buffer, offset + TCP_MIN_HEADER_LENGTH, offset + dataOffset))
                {
                    return ParseStatus.TCP_BAD_OPTION;
                }
                headers.tcpFlags = TcpHeader.flags(buffer, offset);
                headers.l4HeaderLength = dataOffset;
                return ParseStatus.OK;
            }
            case PROTOCOL_UDP:
            {
                if (available < UDP_HEADER_LENGTH)
                {
                    return ParseStatus.UDP_TRUNCATED;
                }
                final int udpLength = UdpHeader.length(buffer, offset);
                // a first fragment holds only part of the datagram its UDP length describes
                final boolean mismatch = headers.moreFragments ?
                    udpLength < available : udpLength != available;
                if (udpLength < UDP_HEADER_LENGTH || mismatch)
                {
                    return ParseStatus.UDP_LENGTH_MISMATCH;
                }
                headers.l4HeaderLength = UDP_HEADER_LENGTH;
                return ParseStatus.OK;
            }
            case PROTOCOL_ICMP:
                if (available < IcmpHeader.LENGTH)
                {
                    return ParseStatus.ICMP_TRUNCATED;
                }
                headers.l4HeaderLength = IcmpHeader.LENGTH;
                return ParseStatus.OK;
            case PROTOCOL_ICMPV6:
                if (available < IcmpHeader.REST_OFFSET)
                {
                    return ParseStatus.ICMPV6_TRUNCATED;
                }
                headers.l4HeaderLength = IcmpHeader.REST_OFFSET;
                return ParseStatus.OK;
            default:
                return ParseStatus.OK;
        }
    }

}
