package io.pvnet.engine.guest;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.IcmpHeader;
import io.pvnet.checksum.packet.IpProtocol;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.Ipv6ExtensionHeader;
import io.pvnet.checksum.packet.Ipv6Header;
import io.pvnet.checksum.packet.NeighbourDiscovery;
import io.pvnet.checksum.packet.PacketChecksums;
import io.pvnet.checksum.packet.TcpHeader;
import io.pvnet.checksum.packet.UdpHeader;
import io.pvnet.engine.frame.FrameHandler;
import io.pvnet.engine.frame.FrameSink;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The small host inside {@code pvnet guest} and {@code pvnet gen}: answers ARP and NDP for its addresses, ICMP and
 * ICMPv6 echo (fragmented requests are reassembled by {@link FragmentReassembly}, replies larger than the MTU
 * fragmented again by {@link ReplyFragmenter}), UDP echo on port 7 and a TCP discard server on port 9
 * ({@link TcpDiscardServer}), and learns the link-layer address of every neighbour that speaks ARP/NDP to it. Frames
 * for other ports go to an optional {@link FrameHandler} (the {@link TrafficGenerator}'s).
 * <p>
 * Every answer is the request turned around in one preallocated buffer: addresses and ports swapped, header fields
 * set through the {@code io.pvnet.checksum.packet} descriptors, checksums by {@link PacketChecksums}.
 * <p>
 * Threading: one thread (the guest's poll loop) calls everything. Nothing allocates after construction: each reply
 * is built in one preallocated buffer and handed to the {@code out} sink before the next frame is read.
 * <p>
 * ARP and NDP (answers, requests, the neighbour learned) are {@link GuestNeighbours}'; this class dispatches each
 * frame and answers echo and discard.
 */
public final class GuestStack implements FrameHandler
{
    /** UDP echo port (RFC 862). */
    public static final int ECHO_PORT = 7;
    /** TCP discard port (RFC 863). */
    public static final int DISCARD_PORT = 9;

    /** Where the IP header of an untagged frame starts. */
    private static final int IP = EthernetHeader.LENGTH;
    private static final int IPV6_L4 = IP + Ipv6Header.LENGTH;
    private static final int BUFFER_BYTES = IP + 65535 + 256;
    private static final int TTL = 64;

    private final long mac;
    private final int ipv4;
    private final int prefix4;
    private final byte[] ipv6;
    private final long ipv6Hi;
    private final long ipv6Lo;
    private final ReplySender sender;
    private final GuestNeighbours neighbours;
    private final ReplyFragmenter fragmenter;
    private final FragmentReassembly reassembly = new FragmentReassembly();
    private final TcpDiscardServer discard;
    private final int mtu;
    private FrameHandler other;

    private final UnsafeBuffer reply = new UnsafeBuffer(ByteBuffer.allocateDirect(BUFFER_BYTES));

    private long framesIn;
    private long udpEchoes;
    /** Whether the frame being answered carries only a pseudo-header sum in its L4 checksum field (CSUM_PARTIAL). */
    private boolean checksumPartial;
    private long icmpEchoes;
    private long reassembled;

    /**
     * A host with the given addresses; allocates its buffers (about 64 KiB each) here, nothing after.
     *
     * @param mac     this host's MAC (48 bits).
     * @param ipv4    IPv4 address as an int (big-endian order of its bytes), 0 for none.
     * @param prefix4 IPv4 prefix length.
     * @param ipv6    16 bytes, or null for none.
     * @param mtu     largest IP packet this host sends; larger replies are fragmented.
     * @param out     where replies go (the netfront's transmit).
     * @throws IllegalArgumentException if {@code mtu} is outside {@code 1280..65535}.
     */
    public GuestStack(final long mac, final int ipv4, final int prefix4, final byte[] ipv6, final int mtu, final FrameSink out)
    {
        if (mtu < 1280 || mtu > 65535)
        {
            throw new IllegalArgumentException("mtu=" + mtu + " must be in 1280..65535");
        }
        this.mac = mac;
        this.ipv4 = ipv4;
        this.prefix4 = prefix4;
        this.ipv6 = ipv6 == null ? null : ipv6.clone();
        ipv6Hi = ipv6 == null ? 0 : Ipv6Header.hi(ipv6);
        ipv6Lo = ipv6 == null ? 0 : Ipv6Header.lo(ipv6);
        this.mtu = mtu;
        sender = new ReplySender(out);
        neighbours = new GuestNeighbours(mac, ipv4, ipv6Hi, ipv6Lo, sender);
        fragmenter = new ReplyFragmenter(mtu, BUFFER_BYTES, sender);
        discard = new TcpDiscardServer(mtu);
    }

    /**
     * Frames this stack does not answer (other TCP/UDP ports, replies) go here.
     *
     * @param handler the application's handler, called on the stack's thread; null drops them.
     * @return this stack.
     */
    public GuestStack other(final FrameHandler handler)
    {
        other = handler;
        return this;
    }

    @Override
    public void onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        framesIn++;
        checksumPartial = (metadata.flags() & io.pvnet.engine.frame.FrameFlags.CSUM_PARTIAL) != 0;
        if (length < EthernetHeader.LENGTH || length > BUFFER_BYTES)
        {
            return;
        }
        final int etherType = EthernetHeader.etherType(buffer, offset);
        boolean handled = false;
        if (etherType == EthernetHeader.ETHERTYPE_ARP)
        {
            neighbours.arp(buffer, offset, length);
            handled = true;
        }
        else if (etherType == EthernetHeader.ETHERTYPE_IPV4 && length >= IP + Ipv4Header.MIN_LENGTH)
        {
            handled = ipv4(buffer, offset, length);
        }
        else if (etherType == EthernetHeader.ETHERTYPE_IPV6 && length >= IPV6_L4)
        {
            handled = ipv6(buffer, offset, length);
        }
        if (!handled && other != null)
        {
            other.onFrame(buffer, offset, length, metadata);
        }
    }

    /**
     * Sends an ARP request (broadcast) for {@code target}; the answer is read back with {@link #neighbourMac4}.
     *
     * @param target an IPv4 address as an int (first octet most significant).
     */
    public void sendArpRequest(final int target)
    {
        neighbours.sendArpRequest(target);
    }

    /**
     * Sends a neighbour solicitation for {@code target} to its solicited-node multicast address; the answer is read
     * back with {@link #neighbourMac6}.
     *
     * @param target an IPv6 address, 16 bytes.
     */
    public void sendNeighbourSolicitation(final byte[] target)
    {
        neighbours.sendNeighbourSolicitation(Ipv6Header.hi(target), Ipv6Header.lo(target));
    }

    private boolean ipv4(final DirectBuffer buffer, final int offset, final int length)
    {
        final int ip = offset + IP;
        final int ihl = Ipv4Header.headerLength(buffer, ip);
        final int totalLength = Ipv4Header.totalLength(buffer, ip);
        if (Ipv4Header.version(buffer, ip) != 4 || ihl < Ipv4Header.MIN_LENGTH || totalLength < ihl ||
            IP + totalLength > length || ipv4 == 0 || Ipv4Header.destination(buffer, ip) != ipv4)
        {
            return false;
        }
        final int fragmentField = Ipv4Header.flagsFragment(buffer, ip);
        if ((fragmentField & Ipv4Header.FRAGMENT_MASK) != 0)
        {
            return reassembleIpv4(buffer, offset, ihl, totalLength, fragmentField);
        }
        reply.putBytes(0, buffer, offset, IP + totalLength);
        return answerIpv4(IP + totalLength);
    }

    /** Answers the IPv4 packet in {@link #reply}[0, length). @return false if it is for the other handler. */
    private boolean answerIpv4(final int length)
    {
        final int ihl = Ipv4Header.headerLength(reply, IP);
        final int totalLength = length - IP;
        final int protocol = Ipv4Header.protocol(reply, IP);
        final int l4 = IP + ihl;
        final int l4Length = totalLength - ihl;
        if (protocol == IpProtocol.ICMP && l4Length >= IcmpHeader.LENGTH &&
            IcmpHeader.type(reply, l4) == IcmpHeader.V4_ECHO_REQUEST)
        {
            turnAround4();
            IcmpHeader.type(reply, l4, IcmpHeader.V4_ECHO_REPLY);
            PacketChecksums.transport4(reply, IP, protocol, l4, l4Length);
            icmpEchoes++;
            sendIpv4(totalLength);
            return true;
        }
        if (protocol == IpProtocol.UDP && l4Length >= UdpHeader.LENGTH && UdpHeader.destinationPort(reply, l4) == ECHO_PORT)
        {
            turnAround4();
            UdpHeader.swapPorts(reply, l4);
            if (checksumPartial)
            {
                // the field holds only the pseudo-header's sum (the sender offloaded it): complete it here
                PacketChecksums.transport4(reply, IP, protocol, l4, l4Length);
            }
            // else the request's checksum is the reply's: swapping the addresses and the ports changes no sum (an
            // absent one, 0, stays absent), and summing every echo whole was a third of the guest's CPU at 64 bytes
            udpEchoes++;
            sendIpv4(totalLength);
            return true;
        }
        if (protocol == IpProtocol.TCP && l4Length >= TcpHeader.MIN_LENGTH &&
            TcpHeader.destinationPort(reply, l4) == DISCARD_PORT)
        {
            turnAround4();
            final int headerLength = discard.answer(reply, l4, l4Length, Ipv4Header.destination(reply, IP) & 0xFFFF_FFFFL);
            if (headerLength > 0)
            {
                PacketChecksums.transport4(reply, IP, protocol, l4, headerLength);
                sendIpv4(ihl + headerLength);
            }
            return true;
        }
        return false;
    }

    private boolean reassembleIpv4(
        final DirectBuffer buffer, final int offset, final int ihl, final int totalLength, final int fragmentField)
    {
        final int ip = offset + IP;
        final long key = (1L << 62) | ((Ipv4Header.source(buffer, ip) & 0xFFFF_FFFFL) << 16) |
            Ipv4Header.identification(buffer, ip);
        final int fragmentOffset = (fragmentField & Ipv4Header.FRAGMENT_OFFSET_MASK) * 8;
        final boolean more = (fragmentField & Ipv4Header.MORE_FRAGMENTS) != 0;
        if (!reassembly.accept(key, fragmentOffset, totalLength - ihl, more, buffer, ip + ihl))
        {
            return true;
        }
        if (fragmentOffset == 0)
        {
            reassembly.firstHeader(buffer, offset, IP + ihl);
        }
        if (!reassembly.isComplete())
        {
            return true;
        }
        final int length = reassembly.assemble(reply);
        Ipv4Header.totalLength(reply, IP, length - IP);
        Ipv4Header.flagsFragment(reply, IP, 0);
        reassembled++;
        answerIpv4(length);
        return true;
    }

    /** Sends the IPv4 packet in {@link #reply}: header fields finished, fragmented when over the MTU. */
    private void sendIpv4(final int totalLength)
    {
        Ipv4Header.ttl(reply, IP, TTL);
        if (totalLength > mtu)
        {
            fragmenter.ipv4(reply, totalLength);
            return;
        }
        Ipv4Header.totalLength(reply, IP, totalLength);
        Ipv4Header.flagsFragment(reply, IP, 0);
        PacketChecksums.ipv4Header(reply, IP);
        sender.send(reply, IP + totalLength);
    }

    private boolean ipv6(final DirectBuffer buffer, final int offset, final int length)
    {
        final int ip = offset + IP;
        final int payloadLength = Ipv6Header.payloadLength(buffer, ip);
        if (Ipv6Header.version(buffer, ip) != 6 || IPV6_L4 + payloadLength > length || ipv6 == null)
        {
            return false;
        }
        final int next = Ipv6Header.nextHeader(buffer, ip);
        final int l4 = ip + Ipv6Header.LENGTH;
        if (next == IpProtocol.ICMPV6 && payloadLength >= NeighbourDiscovery.OPTIONS_OFFSET &&
            neighbours.ndp(buffer, offset, l4 + payloadLength, IcmpHeader.type(buffer, l4)))
        {
            return true;
        }
        if (Ipv6Header.destinationHi(buffer, ip) != ipv6Hi || Ipv6Header.destinationLo(buffer, ip) != ipv6Lo)
        {
            return false;
        }
        if (next == IpProtocol.FRAGMENT && payloadLength >= Ipv6ExtensionHeader.FRAGMENT_LENGTH)
        {
            return reassembleIpv6(buffer, offset, payloadLength);
        }
        reply.putBytes(0, buffer, offset, IPV6_L4 + payloadLength);
        return answerIpv6(IPV6_L4 + payloadLength);
    }

    /** Answers the IPv6 packet (no extension headers) in {@link #reply}[0, length). */
    private boolean answerIpv6(final int length)
    {
        final int payloadLength = length - IPV6_L4;
        final int next = Ipv6Header.nextHeader(reply, IP);
        final int l4 = IPV6_L4;
        if (next == IpProtocol.ICMPV6 && payloadLength >= IcmpHeader.LENGTH &&
            IcmpHeader.type(reply, l4) == IcmpHeader.V6_ECHO_REQUEST)
        {
            turnAround6();
            IcmpHeader.type(reply, l4, IcmpHeader.V6_ECHO_REPLY);
            PacketChecksums.transport6(reply, IP, next, l4, payloadLength);
            icmpEchoes++;
            sendIpv6(payloadLength);
            return true;
        }
        if (next == IpProtocol.UDP && payloadLength >= UdpHeader.LENGTH && UdpHeader.destinationPort(reply, l4) == ECHO_PORT)
        {
            turnAround6();
            UdpHeader.swapPorts(reply, l4);
            PacketChecksums.transport6(reply, IP, next, l4, payloadLength);
            udpEchoes++;
            sendIpv6(payloadLength);
            return true;
        }
        if (next == IpProtocol.TCP && payloadLength >= TcpHeader.MIN_LENGTH &&
            TcpHeader.destinationPort(reply, l4) == DISCARD_PORT)
        {
            turnAround6();
            final int headerLength = discard.answer(reply, l4, payloadLength,
                Ipv6Header.destinationHi(reply, IP) * 31 + Ipv6Header.destinationLo(reply, IP));
            if (headerLength > 0)
            {
                PacketChecksums.transport6(reply, IP, next, l4, headerLength);
                sendIpv6(headerLength);
            }
            return true;
        }
        return false;
    }

    private boolean reassembleIpv6(final DirectBuffer buffer, final int offset, final int payloadLength)
    {
        final int ip = offset + IP;
        final int fragmentHeader = ip + Ipv6Header.LENGTH;
        final int fragmentField = Ipv6ExtensionHeader.fragmentOffsetFlags(buffer, fragmentHeader);
        // identification and the last byte of the source address tell datagrams apart
        final long key = (2L << 62) | (Ipv6ExtensionHeader.fragmentIdentification(buffer, fragmentHeader) << 8) |
            (buffer.getByte(ip + Ipv6Header.SOURCE_OFFSET + Ipv6Header.ADDRESS_LENGTH - 1) & 0xFF);
        final int fragmentOffset = fragmentField & Ipv6ExtensionHeader.FRAGMENT_OFFSET_MASK;
        if (!reassembly.accept(key, fragmentOffset, payloadLength - Ipv6ExtensionHeader.FRAGMENT_LENGTH,
            (fragmentField & Ipv6ExtensionHeader.FRAGMENT_MORE) != 0, buffer,
            fragmentHeader + Ipv6ExtensionHeader.FRAGMENT_LENGTH))
        {
            return true;
        }
        if (fragmentOffset == 0)
        {
            reassembly.firstHeader(buffer, offset, IPV6_L4);
            Ipv6Header.nextHeader(reassembly.header(), IP, Ipv6ExtensionHeader.nextHeader(buffer, fragmentHeader));
        }
        if (!reassembly.isComplete())
        {
            return true;
        }
        final int length = reassembly.assemble(reply);
        Ipv6Header.payloadLength(reply, IP, length - IPV6_L4);
        reassembled++;
        answerIpv6(length);
        return true;
    }

    /** Sends the IPv6 packet in {@link #reply}, with fragment headers when it is over the MTU. */
    private void sendIpv6(final int payloadLength)
    {
        Ipv6Header.hopLimit(reply, IP, TTL);
        if (Ipv6Header.LENGTH + payloadLength > mtu)
        {
            fragmenter.ipv6(reply, payloadLength);
            return;
        }
        Ipv6Header.payloadLength(reply, IP, payloadLength);
        sender.send(reply, IPV6_L4 + payloadLength);
    }

    private void turnAround4()
    {
        swapMacs();
        Ipv4Header.swapAddresses(reply, IP);
    }

    private void turnAround6()
    {
        swapMacs();
        Ipv6Header.swapAddresses(reply, IP);
    }

    private void swapMacs()
    {
        EthernetHeader.destination(reply, 0, EthernetHeader.source(reply, 0));
        EthernetHeader.source(reply, 0, mac);
    }

    /**
     * {@return the MAC learned for {@code address} by ARP, or -1} Only the neighbour heard from last is remembered.
     *
     * @param address an IPv4 address as an int.
     */
    public long neighbourMac4(final int address)
    {
        return neighbours.mac4(address);
    }

    /**
     * {@return the MAC learned for {@code address} by NDP, or -1} Only the neighbour heard from last is remembered.
     *
     * @param address an IPv6 address, 16 bytes.
     */
    public long neighbourMac6(final byte[] address)
    {
        return neighbours.mac6(Ipv6Header.hi(address), Ipv6Header.lo(address));
    }

    /** {@return this host's MAC (48 bits)} */
    public long mac()
    {
        return mac;
    }

    /** {@return this host's IPv4 address as an int, 0 for none} */
    public int ipv4()
    {
        return ipv4;
    }

    /** {@return this host's IPv4 prefix length} */
    public int prefix4()
    {
        return prefix4;
    }

    /** {@return a copy of this host's IPv6 address (16 bytes), or null for none} */
    public byte[] ipv6()
    {
        return ipv6 == null ? null : ipv6.clone();
    }

    /** {@return frames handed to this stack} */
    public long framesIn()
    {
        return framesIn;
    }

    /** {@return replies the {@code out} sink took} */
    public long repliesOut()
    {
        return sender.sent();
    }

    /** {@return replies the {@code out} sink refused (ring full, vif down)} */
    public long replyFailures()
    {
        return sender.failures();
    }

    /** {@return UDP datagrams echoed on port 7} */
    public long udpEchoes()
    {
        return udpEchoes;
    }

    /** {@return ICMP and ICMPv6 echo requests answered} */
    public long icmpEchoes()
    {
        return icmpEchoes;
    }

    /** {@return TCP payload bytes the discard server on port 9 took in order} */
    public long tcpPayloadBytes()
    {
        return discard.payloadBytes();
    }

    /** {@return IPv4 datagrams reassembled from fragments} */
    public long reassembled()
    {
        return reassembled;
    }
}
