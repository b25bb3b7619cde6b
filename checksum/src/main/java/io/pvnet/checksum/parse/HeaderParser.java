package io.pvnet.checksum.parse;

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

    public static final int ETHERNET_HEADER_LENGTH = 14;
    public static final int VLAN_TAG_LENGTH = 4;
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    public static final int ETHERTYPE_VLAN = 0x8100;
    public static final int ETHERTYPE_QINQ = 0x88A8;
    public static final int ETHERTYPE_QINQ_OLD = 0x9100;
    public static final int IPV4_MIN_HEADER_LENGTH = 20;
    public static final int IPV6_HEADER_LENGTH = 40;
    public static final int TCP_MIN_HEADER_LENGTH = 20;
    public static final int UDP_HEADER_LENGTH = 8;

    static final int IPV6_HOP_BY_HOP = 0;
    static final int IPV6_ROUTING = 43;
    static final int IPV6_FRAGMENT = 44;
    static final int IPV6_ESP = 50;
    static final int IPV6_AH = 51;
    static final int IPV6_NO_NEXT_HEADER = 59;
    static final int IPV6_DESTINATION_OPTIONS = 60;

    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

    private HeaderParser()
    {
    }

    /**
     * Parses the frame at {@code buffer[offset, offset + length)} into {@code headers}.
     *
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
        int typeOffset = offset + 12;
        int etherType = buffer.getShort(typeOffset, BE) & 0xFFFF;
        while (etherType == ETHERTYPE_VLAN || etherType == ETHERTYPE_QINQ || etherType == ETHERTYPE_QINQ_OLD)
        {
            if (headers.vlanCount == MAX_VLAN_TAGS)
            {
                return ParseStatus.VLAN_TOO_MANY_TAGS;
            }
            if (typeOffset + VLAN_TAG_LENGTH + 2 > end)
            {
                return ParseStatus.VLAN_TRUNCATED;
            }
            headers.vlanCount++;
            typeOffset += VLAN_TAG_LENGTH;
            etherType = buffer.getShort(typeOffset, BE) & 0xFFFF;
        }
        headers.etherType = etherType;
        headers.etherTypeOffset = typeOffset;
        final int l3Offset = typeOffset + 2;
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
        if (offset + 8 > end)
        {
            return ParseStatus.ARP_TRUNCATED;
        }
        final int hardwareLength = buffer.getByte(offset + 4) & 0xFF;
        final int protocolLength = buffer.getByte(offset + 5) & 0xFF;
        final int arpLength = 8 + 2 * (hardwareLength + protocolLength);
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
        final int versionIhl = buffer.getByte(offset) & 0xFF;
        if ((versionIhl >>> 4) != 4)
        {
            return ParseStatus.IPV4_BAD_VERSION;
        }
        final int headerLength = (versionIhl & 0x0F) * 4;
        if (headerLength < IPV4_MIN_HEADER_LENGTH)
        {
            return ParseStatus.IPV4_HEADER_LENGTH_TOO_SMALL;
        }
        final int totalLength = buffer.getShort(offset + 2, BE) & 0xFFFF;
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
        final int flagsFragment = buffer.getShort(offset + 6, BE) & 0xFFFF;
        final int fragmentOffsetBytes = (flagsFragment & 0x1FFF) * 8;
        if (fragmentOffsetBytes + totalLength - headerLength > 65535)
        {
            return ParseStatus.IPV4_FRAGMENT_TOO_LARGE;
        }
        headers.l3Length = totalLength;
        headers.ipHeaderLength = headerLength;
        headers.ipv4FragmentOffsetBytes = fragmentOffsetBytes;
        headers.moreFragments = (flagsFragment & 0x2000) != 0;
        headers.dontFragment = (flagsFragment & 0x4000) != 0;
        headers.l4ProtocolFieldOffset = offset + 9;
        final int protocol = buffer.getByte(offset + 9) & 0xFF;
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
        if (((buffer.getByte(offset) & 0xFF) >>> 4) != 6)
        {
            return ParseStatus.IPV6_BAD_VERSION;
        }
        final int payloadLength = buffer.getShort(offset + 4, BE) & 0xFFFF;
        int nextHeader = buffer.getByte(offset + 6) & 0xFF;
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
        headers.ipv6DestinationOffset = offset + 24;
        int nextHeaderField = offset + 6;
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
                    if (position + 2 > packetEnd)
                    {
                        return ParseStatus.IPV6_EXTENSION_TRUNCATED;
                    }
                    headerLength = ((buffer.getByte(position + 1) & 0xFF) + 1) * 8;
                    break;
                case IPV6_AH:
                    if (position + 2 > packetEnd)
                    {
                        return ParseStatus.IPV6_EXTENSION_TRUNCATED;
                    }
                    headerLength = ((buffer.getByte(position + 1) & 0xFF) + 2) * 4;
                    break;
                case IPV6_FRAGMENT:
                    headerLength = 8;
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
                final int offsetFlags = buffer.getShort(position + 2, BE) & 0xFFFF;
                headers.ipv4FragmentOffsetBytes = offsetFlags & 0xFFF8;
                headers.moreFragments = (offsetFlags & 1) != 0;
            }
            headers.ipv6ExtensionCount = count;
            nextHeaderField = position;
            nextHeader = buffer.getByte(position) & 0xFF;
            position += headerLength;
        }
    }

    private static void routingFinalDestination(
        final DirectBuffer buffer, final int position, final int headerLength, final PacketHeaders headers)
    {
        final int routingType = buffer.getByte(position + 2) & 0xFF;
        final int segmentsLeft = buffer.getByte(position + 3) & 0xFF;
        if (segmentsLeft == 0 || headerLength < 24)
        {
            return;
        }
        if (routingType == 0 || routingType == 2)
        {
            // type 0 (deprecated) and type 2 (Mobile IPv6): the last listed address is the final destination
            headers.ipv6DestinationOffset = position + headerLength - 16;
        }
        else if (routingType == 4)
        {
            // segment routing header (RFC 8754): segment list[0] is the final destination
            headers.ipv6DestinationOffset = position + 8;
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
                final int dataOffset = ((buffer.getByte(offset + 12) & 0xFF) >>> 4) * 4;
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
                headers.tcpFlags = buffer.getByte(offset + 13) & 0xFF;
                headers.l4HeaderLength = dataOffset;
                return ParseStatus.OK;
            }
            case PROTOCOL_UDP:
            {
                if (available < UDP_HEADER_LENGTH)
                {
                    return ParseStatus.UDP_TRUNCATED;
                }
                final int udpLength = buffer.getShort(offset + 4, BE) & 0xFFFF;
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
                if (available < 8)
                {
                    return ParseStatus.ICMP_TRUNCATED;
                }
                headers.l4HeaderLength = 8;
                return ParseStatus.OK;
            case PROTOCOL_ICMPV6:
                if (available < 4)
                {
                    return ParseStatus.ICMPV6_TRUNCATED;
                }
                headers.l4HeaderLength = 4;
                return ParseStatus.OK;
            default:
                return ParseStatus.OK;
        }
    }

}
