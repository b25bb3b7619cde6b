package io.pvnet.checksum.packet;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Writes a frame top to bottom into a caller's buffer without allocating: Ethernet (optionally one 802.1Q tag), then
 * ARP, or IPv4 / IPv6, then UDP, TCP or ICMP / ICMPv6, then the payload; {@link #build()} fills in every length and
 * checksum (IPv4 header, UDP length, L4 checksum with the pseudo-header) and returns the frame's length.
 * <pre>{@code
 *   int length = builder.wrap(buffer, 0)
 *       .ethernet(peerMac, ourMac)
 *       .ipv4(ourIp, peerIp).identification(id++)
 *       .udp(40000, 7)
 *       .payload(data, 0, data.length)
 *       .build();
 * }</pre>
 * Each layer writes the type field of the one before it (EtherType, protocol / next header). Defaults: IPv4 TTL 64,
 * identification 0, DF set, TOS 0; IPv6 hop limit 64, no traffic class or flow label; TCP no options. Setters such as
 * {@link #ttl} change the header just written. {@link #buildPartial()} leaves the L4 checksum as Linux's
 * {@code CHECKSUM_PARTIAL} does (the folded pseudo-header sum) for a peer that completes it.
 * <p>
 * A builder is reusable ({@link #wrap} starts a new frame) and single-threaded. It checks nothing but the buffer's
 * bounds (Agrona's); callers give sane values.
 */
public final class FrameBuilder
{
    private static final int NONE = -1;
    private static final int IPV4 = 4;
    private static final int IPV6 = 6;

    private MutableDirectBuffer buffer;
    private int frameOffset;
    private int etherTypeField;
    private int l3Offset = NONE;
    private int l3;
    private int l4Offset = NONE;
    private int l4Protocol = NONE;
    private int payloadOffset;
    private int payloadLength;

    /** A builder with no buffer yet: {@link #wrap} one before the first layer. Single-threaded, reusable. */
    public FrameBuilder()
    {
    }

    /**
     * Starts a frame at {@code buffer[offset]}.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the wrap.
     */
    public FrameBuilder wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        frameOffset = offset;
        etherTypeField = NONE;
        l3Offset = NONE;
        l3 = NONE;
        l4Offset = NONE;
        l4Protocol = NONE;
        payloadOffset = offset;
        payloadLength = 0;
        return this;
    }

    /**
     * Writes the Ethernet addresses; the next layer writes the EtherType.
     *
     * @param destination the destination address.
     * @param source the source address.
     * @return the ethernet.
     */
    public FrameBuilder ethernet(final long destination, final long source)
    {
        EthernetHeader.destination(buffer, frameOffset, destination);
        EthernetHeader.source(buffer, frameOffset, source);
        etherTypeField = frameOffset + EthernetHeader.ETHER_TYPE_OFFSET;
        payloadOffset = frameOffset + EthernetHeader.LENGTH;
        return this;
    }

    /**
     * Adds one 802.1Q tag with {@code tci} (priority, DEI, VLAN id) after the addresses.
     *
     * @param tci the TCI.
     * @return the vlan.
     */
    public FrameBuilder vlan(final int tci)
    {
        putEtherType(EthernetHeader.ETHERTYPE_VLAN);
        EthernetHeader.vlanTci(buffer, frameOffset, tci);
        etherTypeField = frameOffset + EthernetHeader.VLAN_ETHER_TYPE_OFFSET;
        payloadOffset = frameOffset + EthernetHeader.VLAN_LENGTH;
        return this;
    }

    /**
     * Writes an Ethernet/IPv4 ARP packet (the frame ends with it).
     *
     * @param operation the operation.
     * @param senderMac the sender mac.
     * @param senderIp the sender ip.
     * @param targetMac the target mac.
     * @param targetIp the target ip.
     * @return the arp.
     */
    public FrameBuilder arp(
        final int operation, final long senderMac, final int senderIp, final long targetMac, final int targetIp)
    {
        putEtherType(EthernetHeader.ETHERTYPE_ARP);
        ArpHeader.write(buffer, payloadOffset, operation, senderMac, senderIp, targetMac, targetIp);
        payloadOffset += ArpHeader.LENGTH;
        return this;
    }

    /**
     * Writes an IPv4 header without options (defaults in the class comment).
     *
     * @param source the source address.
     * @param destination the destination address.
     * @return the IPv4.
     */
    public FrameBuilder ipv4(final int source, final int destination)
    {
        putEtherType(EthernetHeader.ETHERTYPE_IPV4);
        final int ip = payloadOffset;
        buffer.putByte(ip + Ipv4Header.VERSION_IHL_OFFSET, (byte)Ipv4Header.VERSION_IHL_NO_OPTIONS);
        Ipv4Header.tos(buffer, ip, 0);
        Ipv4Header.identification(buffer, ip, 0);
        Ipv4Header.flagsFragment(buffer, ip, Ipv4Header.DONT_FRAGMENT);
        Ipv4Header.ttl(buffer, ip, 64);
        Ipv4Header.protocol(buffer, ip, 0);
        Ipv4Header.checksum(buffer, ip, 0);
        Ipv4Header.source(buffer, ip, source);
        Ipv4Header.destination(buffer, ip, destination);
        l3 = IPV4;
        l3Offset = ip;
        payloadOffset = ip + Ipv4Header.MIN_LENGTH;
        return this;
    }

    /**
     * Writes an IPv6 fixed header (addresses as high and low 64 bits).
     *
     * @param sourceHi the source hi.
     * @param sourceLo the source lo.
     * @param destinationHi the destination hi.
     * @param destinationLo the destination lo.
     * @return the IPv6.
     */
    public FrameBuilder ipv6(final long sourceHi, final long sourceLo, final long destinationHi, final long destinationLo)
    {
        putEtherType(EthernetHeader.ETHERTYPE_IPV6);
        final int ip = payloadOffset;
        Ipv6Header.versionClassFlow(buffer, ip, Ipv6Header.VERSION_6_WORD);
        Ipv6Header.nextHeader(buffer, ip, IpProtocol.NO_NEXT_HEADER);
        Ipv6Header.hopLimit(buffer, ip, 64);
        Ipv6Header.source(buffer, ip, sourceHi, sourceLo);
        Ipv6Header.destination(buffer, ip, destinationHi, destinationLo);
        l3 = IPV6;
        l3Offset = ip;
        payloadOffset = ip + Ipv6Header.LENGTH;
        return this;
    }

    /**
     * IPv4: sets the TTL; IPv6: the hop limit.
     *
     * @param ttl the TTL.
     * @return the TTL.
     */
    public FrameBuilder ttl(final int ttl)
    {
        if (l3 == IPV4)
        {
            Ipv4Header.ttl(buffer, l3Offset, ttl);
        }
        else
        {
            Ipv6Header.hopLimit(buffer, l3Offset, ttl);
        }
        return this;
    }

    /**
     * IPv4: sets the identification.
     *
     * @param identification the identification.
     * @return the identification.
     */
    public FrameBuilder identification(final int identification)
    {
        Ipv4Header.identification(buffer, l3Offset, identification);
        return this;
    }

    /**
     * IPv4: sets the flags and fragment offset field (the default is DF).
     *
     * @param flagsFragment the flags fragment.
     * @return the flags fragment.
     */
    public FrameBuilder flagsFragment(final int flagsFragment)
    {
        Ipv4Header.flagsFragment(buffer, l3Offset, flagsFragment);
        return this;
    }

    /**
     * IPv4: sets the TOS byte; IPv6: the traffic class.
     *
     * @param tos the tos.
     * @return the tos.
     */
    public FrameBuilder tos(final int tos)
    {
        if (l3 == IPV4)
        {
            Ipv4Header.tos(buffer, l3Offset, tos);
        }
        else
        {
            Ipv6Header.versionClassFlow(buffer, l3Offset,
                (Ipv6Header.versionClassFlow(buffer, l3Offset) & 0xF00F_FFFF) | ((tos & 0xFF) << 20));
        }
        return this;
    }

    /**
     * IPv6: sets the 20-bit flow label.
     *
     * @param label the label.
     * @return the flow label.
     */
    public FrameBuilder flowLabel(final int label)
    {
        Ipv6Header.versionClassFlow(buffer, l3Offset,
            (Ipv6Header.versionClassFlow(buffer, l3Offset) & 0xFFF0_0000) | (label & 0xF_FFFF));
        return this;
    }

    /**
     * Writes a UDP header.
     *
     * @param sourcePort the source port.
     * @param destinationPort the destination port.
     * @return the udp.
     */
    public FrameBuilder udp(final int sourcePort, final int destinationPort)
    {
        final int l4 = startL4(IpProtocol.UDP);
        UdpHeader.sourcePort(buffer, l4, sourcePort);
        UdpHeader.destinationPort(buffer, l4, destinationPort);
        UdpHeader.length(buffer, l4, UdpHeader.LENGTH);
        UdpHeader.checksum(buffer, l4, 0);
        payloadOffset = l4 + UdpHeader.LENGTH;
        return this;
    }

    /**
     * Writes a TCP header without options; {@link #tcpOption} adds some.
     *
     * @param sourcePort the source port.
     * @param destinationPort the destination port.
     * @param sequence the sequence.
     * @param acknowledgment the acknowledgment.
     * @param flags the flags.
     * @param window the window.
     * @return the tcp.
     */
    public FrameBuilder tcp(
        final int sourcePort, final int destinationPort, final long sequence, final long acknowledgment,
        final int flags, final int window)
    {
        final int l4 = startL4(IpProtocol.TCP);
        TcpHeader.sourcePort(buffer, l4, sourcePort);
        TcpHeader.destinationPort(buffer, l4, destinationPort);
        TcpHeader.sequence(buffer, l4, sequence);
        TcpHeader.acknowledgment(buffer, l4, acknowledgment);
        TcpHeader.headerLength(buffer, l4, TcpHeader.MIN_LENGTH);
        TcpHeader.flags(buffer, l4, flags);
        TcpHeader.window(buffer, l4, window);
        TcpHeader.checksum(buffer, l4, 0);
        TcpHeader.urgentPointer(buffer, l4, 0);
        payloadOffset = l4 + TcpHeader.MIN_LENGTH;
        return this;
    }

    /**
     * Appends one 32-bit word of TCP options (e.g. {@code 0x0204_05B4}, MSS 1460) to the TCP header.
     *
     * @param word the word.
     * @return the tcp option.
     */
    public FrameBuilder tcpOption(final int word)
    {
        buffer.putInt(payloadOffset, word, BIG_ENDIAN);
        payloadOffset += 4;
        TcpHeader.headerLength(buffer, l4Offset, payloadOffset - l4Offset);
        return this;
    }

    /**
     * Appends a maximum segment size option.
     *
     * @param mss the MSS.
     * @return the tcp MSS.
     */
    public FrameBuilder tcpMss(final int mss)
    {
        return tcpOption((TcpHeader.OPTION_MSS << 24) | (TcpHeader.OPTION_MSS_LENGTH << 16) | (mss & 0xFFFF));
    }

    /**
     * Writes an ICMP header (IPv4) or ICMPv6 header (IPv6): type, code and the rest-of-header word.
     *
     * @param type the type.
     * @param code the code.
     * @param rest the rest.
     * @return the icmp.
     */
    public FrameBuilder icmp(final int type, final int code, final int rest)
    {
        final int l4 = startL4(l3 == IPV6 ? IpProtocol.ICMPV6 : IpProtocol.ICMP);
        IcmpHeader.write(buffer, l4, type, code, rest);
        payloadOffset = l4 + IcmpHeader.LENGTH;
        return this;
    }

    /**
     * Copies {@code length} bytes of payload after the headers.
     *
     * @param source the source address.
     * @param offset index of the first byte of the header.
     * @param length the length in bytes.
     * @return the payload.
     */
    public FrameBuilder payload(final DirectBuffer source, final int offset, final int length)
    {
        buffer.putBytes(payloadOffset, source, offset, length);
        payloadLength = length;
        return this;
    }

    /**
     * Copies {@code bytes} as the payload.
     *
     * @param bytes the bytes.
     * @return the payload.
     */
    public FrameBuilder payload(final byte[] bytes)
    {
        buffer.putBytes(payloadOffset, bytes);
        payloadLength = bytes.length;
        return this;
    }

    /**
     * Declares {@code length} bytes of payload that the caller writes (or has written) at {@link #payloadOffset()}.
     *
     * @param length the length in bytes.
     * @return the payload length.
     */
    public FrameBuilder payloadLength(final int length)
    {
        payloadLength = length;
        return this;
    }

    /**
     * Where the payload starts (after the last header written so far).
     *
     * @return where the payload starts (after the last header written so far).
     */
    public int payloadOffset()
    {
        return payloadOffset;
    }

    /**
     * Where the L3 header starts, or -1.
     *
     * @return where the L3 header starts, or -1.
     */
    public int l3Offset()
    {
        return l3Offset;
    }

    /**
     * Where the L4 header starts, or -1.
     *
     * @return where the L4 header starts, or -1.
     */
    public int l4Offset()
    {
        return l4Offset;
    }

    /**
     * Fills in lengths and complete checksums.
     * @return the frame's length in bytes.
     */
    public int build()
    {
        return finish(false);
    }

    /**
     * Fills in lengths, the IPv4 header checksum and, in the L4 checksum field, the folded pseudo-header sum (Linux
     * {@code CHECKSUM_PARTIAL}: the peer or device completes it; checksum start is {@link #l4Offset()}).
     *
     * @return the frame's length in bytes.
     */
    public int buildPartial()
    {
        return finish(true);
    }

    private int finish(final boolean partial)
    {
        final int end = payloadOffset + payloadLength;
        if (l3 == IPV4)
        {
            Ipv4Header.totalLength(buffer, l3Offset, end - l3Offset);
            PacketChecksums.ipv4Header(buffer, l3Offset);
        }
        else if (l3 == IPV6)
        {
            Ipv6Header.payloadLength(buffer, l3Offset, end - l3Offset - Ipv6Header.LENGTH);
        }
        if (l4Offset != NONE)
        {
            final int l4Length = end - l4Offset;
            if (l4Protocol == IpProtocol.UDP)
            {
                UdpHeader.length(buffer, l4Offset, l4Length);
            }
            if (partial && l4Protocol != IpProtocol.ICMP)
            {
                if (l3 == IPV4)
                {
                    PacketChecksums.partial4(buffer, l3Offset, l4Protocol, l4Offset, l4Length);
                }
                else
                {
                    PacketChecksums.partial6(buffer, l3Offset, l4Protocol, l4Offset, l4Length);
                }
            }
            else if (l3 == IPV4)
            {
                PacketChecksums.transport4(buffer, l3Offset, l4Protocol, l4Offset, l4Length);
            }
            else
            {
                PacketChecksums.transport6(buffer, l3Offset, l4Protocol, l4Offset, l4Length);
            }
        }
        return end - frameOffset;
    }

    private int startL4(final int protocol)
    {
        if (l3 == IPV4)
        {
            Ipv4Header.protocol(buffer, l3Offset, protocol);
        }
        else
        {
            Ipv6Header.nextHeader(buffer, l3Offset, protocol);
        }
        l4Protocol = protocol;
        l4Offset = payloadOffset;
        return l4Offset;
    }

    private void putEtherType(final int etherType)
    {
        buffer.putShort(etherTypeField, (short)etherType, BIG_ENDIAN);
    }
}
