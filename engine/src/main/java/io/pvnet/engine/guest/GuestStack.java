package io.pvnet.engine.guest;

import io.pvnet.engine.frame.FrameHandler;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.router.NeighbourMessages;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * The small host inside {@code pvnet guest} and {@code pvnet gen}: answers ARP and NDP for its addresses, ICMP and
 * ICMPv6 echo (fragmented requests are reassembled, replies larger than the MTU fragmented again), UDP echo on port 7
 * and a TCP discard server on port 9 (SYN/SYN-ACK, an ACK with a 64 KiB window for every data segment, FIN answered),
 * and learns the link-layer address of every neighbour that speaks ARP/NDP to it. Frames for other ports go to an
 * optional {@link FrameHandler} (the generator's).
 * <p>
 * Threading: one thread (the guest's poll loop) calls everything. Nothing allocates after construction: each reply
 * is built in one preallocated buffer and handed to the {@code out} sink before the next frame is read.
 */
public final class GuestStack implements FrameHandler
{
    /** UDP echo port (RFC 862). */
    public static final int ECHO_PORT = 7;
    /** TCP discard port (RFC 863). */
    public static final int DISCARD_PORT = 9;

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_ARP = 0x0806;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int BUFFER_BYTES = 14 + 65535 + 256;
    /** Reassembled payload starts here in {@link #reassembly}: room below for Ethernet + IP headers. */
    private static final int REASSEMBLY_BASE = 128;

    private final long mac;
    private final int ipv4;
    private final int prefix4;
    private final byte[] ipv6;
    private final int mtu;
    private final FrameSink out;
    private FrameHandler other;

    private final UnsafeBuffer reply = new UnsafeBuffer(ByteBuffer.allocateDirect(BUFFER_BYTES));
    private final UnsafeBuffer fragment = new UnsafeBuffer(ByteBuffer.allocateDirect(BUFFER_BYTES));
    private final UnsafeBuffer reassembly = new UnsafeBuffer(ByteBuffer.allocateDirect(REASSEMBLY_BASE + 65535 + 256));
    private final UnsafeBuffer reassemblyHeader = new UnsafeBuffer(ByteBuffer.allocateDirect(128));

    // one datagram in reassembly at a time (the guest answers, it does not route): key, bytes seen, total length
    private long reassemblyKey = -1;
    private int reassemblyBytes;
    private int reassemblyTotal = -1;
    private int reassemblyHeaderLength;
    private int reassemblyNext;

    // the discard server's one connection: peer port and the next byte it expects
    private int tcpPeerPort = -1;
    private long tcpNextExpected;

    // the neighbour most recently resolved (ARP reply or request, NA or NS) for the generator
    private int neighbourIpv4;
    private long neighbourIpv4Mac = -1;
    private final byte[] neighbourIpv6 = new byte[16];
    private long neighbourIpv6Mac = -1;

    private long framesIn;
    private long repliesOut;
    private long replyFailures;
    private long udpEchoes;
    private long icmpEchoes;
    private long tcpPayloadBytes;
    private long reassembled;

    /**
     * @param mac     this host's MAC (48 bits).
     * @param ipv4    IPv4 address as an int (big-endian order of its bytes), 0 for none.
     * @param prefix4 IPv4 prefix length.
     * @param ipv6    16 bytes, or null for none.
     * @param mtu     largest IP packet this host sends; larger replies are fragmented.
     * @param out     where replies go (the netfront's transmit).
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
        this.mtu = mtu;
        this.out = out;
    }

    /** Frames this stack does not answer (other TCP/UDP ports, replies) go here. */
    public GuestStack other(final FrameHandler handler)
    {
        other = handler;
        return this;
    }

    @Override
    public void onFrame(final DirectBuffer buffer, final int offset, final int length, final int flags, final int gsoSize)
    {
        framesIn++;
        if (length < 14 || length > BUFFER_BYTES)
        {
            return;
        }
        final int etherType = buffer.getShort(offset + 12, BIG_ENDIAN) & 0xFFFF;
        boolean handled = false;
        if (etherType == ETHERTYPE_ARP)
        {
            handled = arp(buffer, offset, length);
        }
        else if (etherType == ETHERTYPE_IPV4 && length >= 34)
        {
            handled = ipv4(buffer, offset, length);
        }
        else if (etherType == ETHERTYPE_IPV6 && length >= 54)
        {
            handled = ipv6(buffer, offset, length);
        }
        if (!handled && other != null)
        {
            other.onFrame(buffer, offset, length, flags, gsoSize);
        }
    }

    private boolean arp(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 42 || buffer.getShort(offset + 14, BIG_ENDIAN) != 1 ||
            buffer.getShort(offset + 16, BIG_ENDIAN) != ETHERTYPE_IPV4)
        {
            return true;
        }
        final int operation = buffer.getShort(offset + 20, BIG_ENDIAN);
        final long senderMac = getMac(buffer, offset + 22);
        final int senderIp = buffer.getInt(offset + 28, BIG_ENDIAN);
        final int targetIp = buffer.getInt(offset + 38, BIG_ENDIAN);
        if (ipv4 == 0 || targetIp != ipv4)
        {
            return true;
        }
        neighbourIpv4 = senderIp;
        neighbourIpv4Mac = senderMac;
        if (operation == 1)
        {
            send(reply, NeighbourMessages.arpReply(reply, mac, ipv4, senderMac, senderIp));
        }
        return true;
    }

    /** Sends an ARP request for {@code target} (an IPv4 address as an int). */
    public void sendArpRequest(final int target)
    {
        send(reply, NeighbourMessages.arpRequest(reply, mac, ipv4, target));
    }

    /** Sends a neighbour solicitation for {@code target} (16 bytes) to its solicited-node multicast address. */
    public void sendNeighbourSolicitation(final byte[] target)
    {
        final long group = 0x3333_FF00_0000L | ((target[13] & 0xFFL) << 16) | ((target[14] & 0xFFL) << 8) |
            (target[15] & 0xFFL);
        putNdpHeaders(group);
        // ff02::1:ffXX:XXXX
        reply.putLong(38, 0xFF02_0000_0000_0000L, BIG_ENDIAN);
        reply.putInt(46, 1, BIG_ENDIAN);
        reply.putByte(50, (byte)0xFF);
        reply.putBytes(51, target, 13, 3);
        sendNdp(135, 0, target, 1);
    }

    /**
     * Writes the Ethernet and IPv6 headers of an NDP message from this stack to {@code destinationMac} (32 bytes of
     * ICMPv6, hop limit 255); the caller writes the IPv6 destination at 38 and then calls {@link #sendNdp}.
     */
    private void putNdpHeaders(final long destinationMac)
    {
        putMac(reply, 0, destinationMac);
        putMac(reply, 6, mac);
        reply.putShort(12, (short)ETHERTYPE_IPV6, BIG_ENDIAN);
        reply.putInt(14, 0x60000000, BIG_ENDIAN);
        reply.putShort(18, (short)32, BIG_ENDIAN);
        reply.putByte(20, (byte)58);
        reply.putByte(21, (byte)255);
        reply.putBytes(22, ipv6);
    }

    /**
     * Writes the ICMPv6 NDP message at 54 (RFC 4861: {@code type}, the flags word, {@code target}, one link-layer
     * address option of {@code optionType} carrying this stack's MAC), sums it and sends the frame.
     */
    private void sendNdp(final int type, final int flagsWord, final byte[] target, final int optionType)
    {
        reply.putByte(54, (byte)type);
        reply.putByte(55, (byte)0);
        reply.putInt(58, flagsWord, BIG_ENDIAN);
        reply.putBytes(62, target);
        reply.putByte(78, (byte)optionType);
        reply.putByte(79, (byte)1);
        putMac(reply, 80, mac);
        icmpv6Checksum(reply, 32);
        send(reply, 86);
    }

    private boolean ipv4(final DirectBuffer buffer, final int offset, final int length)
    {
        final int versionIhl = buffer.getByte(offset + 14) & 0xFF;
        final int ihl = (versionIhl & 0xF) * 4;
        final int totalLength = buffer.getShort(offset + 16, BIG_ENDIAN) & 0xFFFF;
        if (versionIhl >>> 4 != 4 || ihl < 20 || totalLength < ihl || 14 + totalLength > length || ipv4 == 0 ||
            buffer.getInt(offset + 30, BIG_ENDIAN) != ipv4)
        {
            return false;
        }
        final int fragmentField = buffer.getShort(offset + 20, BIG_ENDIAN) & 0xFFFF;
        if ((fragmentField & 0x3FFF) != 0)
        {
            return reassembleIpv4(buffer, offset, ihl, totalLength, fragmentField);
        }
        reply.putBytes(0, buffer, offset, 14 + totalLength);
        return answerIpv4(14 + totalLength);
    }

    /** Answers the IPv4 packet in {@link #reply}[0, length). @return false if it is for the other handler. */
    private boolean answerIpv4(final int length)
    {
        final int ihl = (reply.getByte(14) & 0xF) * 4;
        final int totalLength = length - 14;
        final int protocol = reply.getByte(23) & 0xFF;
        final int l4 = 14 + ihl;
        final int l4Length = totalLength - ihl;
        if (protocol == 1 && l4Length >= 8 && reply.getByte(l4) == 8)
        {
            swapMacs();
            swap(26, 30, 4);
            reply.putByte(l4, (byte)0);
            reply.putShort(l4 + 2, (short)0);
            reply.putShort(l4 + 2, (short)~fold(sum(reply, l4, l4Length, 0)), BIG_ENDIAN);
            icmpEchoes++;
            sendIpv4(totalLength);
            return true;
        }
        if (protocol == 17 && l4Length >= 8 && (reply.getShort(l4 + 2, BIG_ENDIAN) & 0xFFFF) == ECHO_PORT)
        {
            swapMacs();
            swap(26, 30, 4);
            swap(l4, l4 + 2, 2);
            reply.putShort(l4 + 6, (short)0);
            reply.putShort(l4 + 6, l4Checksum(pseudo4(17, l4Length), l4, l4Length), BIG_ENDIAN);
            udpEchoes++;
            sendIpv4(totalLength);
            return true;
        }
        if (protocol == 6 && l4Length >= 20 && (reply.getShort(l4 + 2, BIG_ENDIAN) & 0xFFFF) == DISCARD_PORT)
        {
            swapMacs();
            swap(26, 30, 4);
            final int headerLength = tcpReply(l4, l4Length);
            if (headerLength > 0)
            {
                reply.putShort(l4 + 16, l4Checksum(pseudo4(6, headerLength), l4, headerLength), BIG_ENDIAN);
                sendIpv4(ihl + headerLength);
            }
            return true;
        }
        return false;
    }

    private boolean reassembleIpv4(
        final DirectBuffer buffer, final int offset, final int ihl, final int totalLength, final int fragmentField)
    {
        final long key = (1L << 62) | ((buffer.getInt(offset + 26, BIG_ENDIAN) & 0xFFFF_FFFFL) << 16) |
            (buffer.getShort(offset + 18, BIG_ENDIAN) & 0xFFFF);
        final int fragmentOffset = (fragmentField & 0x1FFF) * 8;
        final boolean more = (fragmentField & 0x2000) != 0;
        if (!acceptFragment(key, fragmentOffset, totalLength - ihl, more, buffer, offset + 14 + ihl))
        {
            return true;
        }
        if (fragmentOffset == 0)
        {
            reassemblyHeaderLength = 14 + ihl;
            reassemblyHeader.putBytes(0, buffer, offset, 14 + ihl);
        }
        if (!reassemblyComplete())
        {
            return true;
        }
        final int headerLength = reassemblyHeaderLength;
        reply.putBytes(0, reassemblyHeader, 0, headerLength);
        reply.putBytes(headerLength, reassembly, REASSEMBLY_BASE, reassemblyTotal);
        reply.putShort(16, (short)(headerLength - 14 + reassemblyTotal), BIG_ENDIAN);
        reply.putShort(20, (short)0);
        reassembled++;
        reassemblyKey = -1;
        answerIpv4(headerLength + reassemblyTotal);
        return true;
    }

    /** @return false when the fragment cannot belong to a datagram of at most 65535 bytes (dropped). */
    private boolean acceptFragment(
        final long key, final int fragmentOffset, final int payload, final boolean more, final DirectBuffer buffer,
        final int payloadOffset)
    {
        if (fragmentOffset + payload > 65535 - 40 || payload < 0 || (more && (payload & 7) != 0))
        {
            return false;
        }
        if (key != reassemblyKey)
        {
            // a new datagram replaces an unfinished one: the sender retries, the guest keeps no queue
            reassemblyKey = key;
            reassemblyBytes = 0;
            reassemblyTotal = -1;
            reassemblyHeaderLength = 0;
        }
        reassembly.putBytes(REASSEMBLY_BASE + fragmentOffset, buffer, payloadOffset, payload);
        reassemblyBytes += payload;
        if (!more)
        {
            reassemblyTotal = fragmentOffset + payload;
        }
        return true;
    }

    private boolean reassemblyComplete()
    {
        return reassemblyTotal >= 0 && reassemblyHeaderLength > 0 && reassemblyBytes == reassemblyTotal;
    }

    /** Sends the IPv4 packet in {@link #reply}: header fields finished, fragmented when over the MTU. */
    private void sendIpv4(final int totalLength)
    {
        final int ihl = (reply.getByte(14) & 0xF) * 4;
        reply.putByte(22, (byte)64);
        if (totalLength <= mtu)
        {
            reply.putShort(16, (short)totalLength, BIG_ENDIAN);
            reply.putShort(20, (short)0);
            ipv4HeaderChecksum(reply, ihl);
            send(reply, 14 + totalLength);
            return;
        }
        final int step = (mtu - ihl) & ~7;
        final int payload = totalLength - ihl;
        for (int done = 0; done < payload; done += step)
        {
            final int piece = Math.min(step, payload - done);
            fragment.putBytes(0, reply, 0, 14 + ihl);
            fragment.putBytes(14 + ihl, reply, 14 + ihl + done, piece);
            fragment.putShort(16, (short)(ihl + piece), BIG_ENDIAN);
            fragment.putShort(20, (short)((done / 8) | (done + piece < payload ? 0x2000 : 0)), BIG_ENDIAN);
            ipv4HeaderChecksum(fragment, ihl);
            send(fragment, 14 + ihl + piece);
        }
    }

    private boolean ipv6(final DirectBuffer buffer, final int offset, final int length)
    {
        final int payloadLength = buffer.getShort(offset + 18, BIG_ENDIAN) & 0xFFFF;
        if ((buffer.getByte(offset + 14) & 0xF0) != 0x60 || 54 + payloadLength > length || ipv6 == null)
        {
            return false;
        }
        final int next = buffer.getByte(offset + 20) & 0xFF;
        if (next == 58 && payloadLength >= 24 && (buffer.getByte(offset + 54) & 0xFF) == 135 &&
            equals(buffer, offset + 62, ipv6))
        {
            neighbourSolicitation(buffer, offset, payloadLength);
            return true;
        }
        if (next == 58 && payloadLength >= 24 && (buffer.getByte(offset + 54) & 0xFF) == 136)
        {
            // a neighbour advertisement: learn it (target link-layer address option, else the source MAC)
            buffer.getBytes(offset + 62, neighbourIpv6);
            neighbourIpv6Mac = payloadLength >= 32 && buffer.getByte(offset + 78) == 2 ?
                getMac(buffer, offset + 80) : getMac(buffer, offset + 6);
            return true;
        }
        if (!equals(buffer, offset + 38, ipv6))
        {
            return false;
        }
        if (next == 44 && payloadLength >= 8)
        {
            return reassembleIpv6(buffer, offset, payloadLength);
        }
        reply.putBytes(0, buffer, offset, 54 + payloadLength);
        return answerIpv6(54 + payloadLength);
    }

    private void neighbourSolicitation(final DirectBuffer buffer, final int offset, final int payloadLength)
    {
        final long senderMac = payloadLength >= 32 && buffer.getByte(offset + 78) == 1 ?
            getMac(buffer, offset + 80) : getMac(buffer, offset + 6);
        buffer.getBytes(offset + 22, neighbourIpv6);
        neighbourIpv6Mac = senderMac;
        putNdpHeaders(senderMac);
        reply.putBytes(38, buffer, offset + 22, 16);
        // solicited + override
        sendNdp(136, 0x60000000, ipv6, 2);
    }

    /** Answers the IPv6 packet (no extension headers) in {@link #reply}[0, length). */
    private boolean answerIpv6(final int length)
    {
        final int payloadLength = length - 54;
        final int next = reply.getByte(20) & 0xFF;
        if (next == 58 && payloadLength >= 8 && (reply.getByte(54) & 0xFF) == 128)
        {
            swapMacs();
            swap(22, 38, 16);
            reply.putByte(54, (byte)129);
            icmpv6Checksum(reply, payloadLength);
            icmpEchoes++;
            sendIpv6(payloadLength);
            return true;
        }
        if (next == 17 && payloadLength >= 8 && (reply.getShort(56, BIG_ENDIAN) & 0xFFFF) == ECHO_PORT)
        {
            swapMacs();
            swap(22, 38, 16);
            swap(54, 56, 2);
            reply.putShort(60, (short)0);
            reply.putShort(60, l4Checksum(pseudo6(17, payloadLength), 54, payloadLength), BIG_ENDIAN);
            udpEchoes++;
            sendIpv6(payloadLength);
            return true;
        }
        if (next == 6 && payloadLength >= 20 && (reply.getShort(56, BIG_ENDIAN) & 0xFFFF) == DISCARD_PORT)
        {
            swapMacs();
            swap(22, 38, 16);
            final int headerLength = tcpReply(54, payloadLength);
            if (headerLength > 0)
            {
                reply.putShort(70, l4Checksum(pseudo6(6, headerLength), 54, headerLength), BIG_ENDIAN);
                sendIpv6(headerLength);
            }
            return true;
        }
        return false;
    }

    private boolean reassembleIpv6(final DirectBuffer buffer, final int offset, final int payloadLength)
    {
        final int nextHeader = buffer.getByte(offset + 54) & 0xFF;
        final int fragmentField = buffer.getShort(offset + 56, BIG_ENDIAN) & 0xFFFF;
        final long identification = buffer.getInt(offset + 58, BIG_ENDIAN) & 0xFFFF_FFFFL;
        final long key = (2L << 62) | (identification << 8) | (buffer.getByte(offset + 37) & 0xFF);
        final int fragmentOffset = fragmentField & 0xFFF8;
        if (!acceptFragment(key, fragmentOffset, payloadLength - 8, (fragmentField & 1) != 0, buffer, offset + 62))
        {
            return true;
        }
        if (fragmentOffset == 0)
        {
            reassemblyHeaderLength = 54;
            reassemblyHeader.putBytes(0, buffer, offset, 54);
            reassemblyHeader.putByte(20, (byte)nextHeader);
        }
        if (!reassemblyComplete())
        {
            return true;
        }
        reply.putBytes(0, reassemblyHeader, 0, 54);
        reply.putBytes(54, reassembly, REASSEMBLY_BASE, reassemblyTotal);
        reply.putShort(18, (short)reassemblyTotal, BIG_ENDIAN);
        reassembled++;
        reassemblyKey = -1;
        answerIpv6(54 + reassemblyTotal);
        return true;
    }

    /** Sends the IPv6 packet in {@link #reply}, with fragment headers when it is over the MTU. */
    private void sendIpv6(final int payloadLength)
    {
        reply.putByte(21, (byte)64);
        if (40 + payloadLength <= mtu)
        {
            reply.putShort(18, (short)payloadLength, BIG_ENDIAN);
            send(reply, 54 + payloadLength);
            return;
        }
        final int nextHeader = reply.getByte(20) & 0xFF;
        final int step = (mtu - 48) & ~7;
        final int identification = (int)(++reassemblyNext | 0x5000_0000);
        for (int done = 0; done < payloadLength; done += step)
        {
            final int piece = Math.min(step, payloadLength - done);
            fragment.putBytes(0, reply, 0, 54);
            fragment.putByte(20, (byte)44);
            fragment.putShort(18, (short)(8 + piece), BIG_ENDIAN);
            fragment.putByte(54, (byte)nextHeader);
            fragment.putByte(55, (byte)0);
            fragment.putShort(56, (short)(done | (done + piece < payloadLength ? 1 : 0)), BIG_ENDIAN);
            fragment.putInt(58, identification, BIG_ENDIAN);
            fragment.putBytes(62, reply, 54 + done, piece);
            send(fragment, 62 + piece);
        }
    }

    /**
     * Builds the discard server's answer over the TCP segment at {@code reply[l4]} (addresses already swapped).
     *
     * @return the reply's TCP header length (checksum field zeroed), or 0 for no reply.
     */
    private int tcpReply(final int l4, final int l4Length)
    {
        final int tcpFlags = reply.getByte(l4 + 13) & 0xFF;
        final int dataOffset = ((reply.getByte(l4 + 12) & 0xFF) >>> 4) * 4;
        if (dataOffset < 20 || dataOffset > l4Length)
        {
            return 0;
        }
        final long seq = reply.getInt(l4 + 4, BIG_ENDIAN) & 0xFFFF_FFFFL;
        final int peerPort = reply.getShort(l4, BIG_ENDIAN) & 0xFFFF;
        final int payload = l4Length - dataOffset;
        final boolean syn = (tcpFlags & 0x02) != 0;
        int replyFlags = 0x10;
        if ((tcpFlags & 0x04) != 0)
        {
            tcpPeerPort = -1;
            return 0;
        }
        if (syn)
        {
            tcpPeerPort = peerPort;
            tcpNextExpected = (seq + 1) & 0xFFFF_FFFFL;
            replyFlags = 0x12;
        }
        else
        {
            if (peerPort != tcpPeerPort)
            {
                return rst(l4, seq, payload, tcpFlags);
            }
            if (seq == tcpNextExpected && payload > 0)
            {
                tcpPayloadBytes += payload;
                tcpNextExpected = (seq + payload) & 0xFFFF_FFFFL;
            }
            if ((tcpFlags & 0x01) != 0 && ((seq + payload) & 0xFFFF_FFFFL) == tcpNextExpected)
            {
                tcpNextExpected = (tcpNextExpected + 1) & 0xFFFF_FFFFL;
                replyFlags = 0x11;
            }
            else if (payload == 0)
            {
                return 0;
            }
        }
        final long ourSeq = syn ? 0x1000_0000L : reply.getInt(l4 + 8, BIG_ENDIAN) & 0xFFFF_FFFFL;
        final int headerLength = syn ? 24 : 20;
        swap(l4, l4 + 2, 2);
        reply.putInt(l4 + 4, (int)ourSeq, BIG_ENDIAN);
        reply.putInt(l4 + 8, (int)tcpNextExpected, BIG_ENDIAN);
        reply.putByte(l4 + 12, (byte)((headerLength / 4) << 4));
        reply.putByte(l4 + 13, (byte)replyFlags);
        reply.putShort(l4 + 14, (short)65535, BIG_ENDIAN);
        reply.putShort(l4 + 16, (short)0);
        reply.putShort(l4 + 18, (short)0);
        if (syn)
        {
            reply.putInt(l4 + 20, 0x0204_0000 | Math.min(65535, mtu - 60), BIG_ENDIAN);
        }
        return headerLength;
    }

    /** A segment for a connection we do not have: reset it (RFC 793 3.4). */
    private int rst(final int l4, final long seq, final int payload, final int tcpFlags)
    {
        final boolean hasAck = (tcpFlags & 0x10) != 0;
        final long ack = reply.getInt(l4 + 8, BIG_ENDIAN) & 0xFFFF_FFFFL;
        swap(l4, l4 + 2, 2);
        reply.putInt(l4 + 4, hasAck ? (int)ack : 0, BIG_ENDIAN);
        reply.putInt(l4 + 8, (int)(seq + payload + ((tcpFlags & 0x01) != 0 ? 1 : 0)), BIG_ENDIAN);
        reply.putByte(l4 + 12, (byte)(5 << 4));
        reply.putByte(l4 + 13, (byte)(hasAck ? 0x04 : 0x14));
        reply.putInt(l4 + 14, 0);
        reply.putShort(l4 + 18, (short)0);
        return 20;
    }

    private void send(final UnsafeBuffer frame, final int length)
    {
        if (out.onFrame(frame, 0, length, 0, 0, 0) == 0)
        {
            repliesOut++;
        }
        else
        {
            replyFailures++;
        }
    }

    private void icmpv6Checksum(final UnsafeBuffer frame, final int payloadLength)
    {
        frame.putShort(56, (short)0);
        final long pseudo = sum(frame, 22, 32, 0) + payloadLength + 58;
        frame.putShort(56, (short)~fold(sum(frame, 54, payloadLength, pseudo)), BIG_ENDIAN);
    }

    private long pseudo4(final int protocol, final int l4Length)
    {
        return sum(reply, 26, 8, 0) + protocol + l4Length;
    }

    private long pseudo6(final int protocol, final int l4Length)
    {
        return sum(reply, 22, 32, 0) + protocol + l4Length;
    }

    private short l4Checksum(final long pseudo, final int l4, final int l4Length)
    {
        final int folded = ~fold(sum(reply, l4, l4Length, pseudo)) & 0xFFFF;
        return (short)(folded == 0 ? 0xFFFF : folded);
    }

    private static void ipv4HeaderChecksum(final UnsafeBuffer frame, final int ihl)
    {
        frame.putShort(24, (short)0);
        frame.putShort(24, (short)~fold(sum(frame, 14, ihl, 0)), BIG_ENDIAN);
    }

    private void swapMacs()
    {
        reply.putBytes(0, reply, 6, 6);
        putMac(reply, 6, mac);
    }

    private void swap(final int a, final int b, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            final byte t = reply.getByte(a + i);
            reply.putByte(a + i, reply.getByte(b + i));
            reply.putByte(b + i, t);
        }
    }

    /** One's-complement sum of 16-bit words (not folded), starting from {@code initial}. */
    public static long sum(final DirectBuffer buffer, final int offset, final int length, final long initial)
    {
        long sum = initial;
        int i = 0;
        for (; i + 3 < length; i += 4)
        {
            sum += buffer.getInt(offset + i, BIG_ENDIAN) & 0xFFFF_FFFFL;
        }
        for (; i + 1 < length; i += 2)
        {
            sum += buffer.getShort(offset + i, BIG_ENDIAN) & 0xFFFF;
        }
        if (i < length)
        {
            sum += (buffer.getByte(offset + i) & 0xFF) << 8;
        }
        return sum;
    }

    /** Folds a sum to 16 bits. */
    public static int fold(final long sum)
    {
        long s = sum;
        while ((s >>> 16) != 0)
        {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int)s;
    }

    static long getMac(final DirectBuffer buffer, final int offset)
    {
        return ((buffer.getShort(offset, BIG_ENDIAN) & 0xFFFFL) << 32) | (buffer.getInt(offset + 2, BIG_ENDIAN) & 0xFFFF_FFFFL);
    }

    static void putMac(final UnsafeBuffer buffer, final int offset, final long mac)
    {
        buffer.putShort(offset, (short)(mac >>> 32), BIG_ENDIAN);
        buffer.putInt(offset + 2, (int)mac, BIG_ENDIAN);
    }

    private static boolean equals(final DirectBuffer buffer, final int offset, final byte[] bytes)
    {
        for (int i = 0; i < bytes.length; i++)
        {
            if (buffer.getByte(offset + i) != bytes[i])
            {
                return false;
            }
        }
        return true;
    }

    /** @return the MAC learned for {@code address} by ARP, or -1. */
    public long neighbourMac4(final int address)
    {
        return address == neighbourIpv4 ? neighbourIpv4Mac : -1;
    }

    /** @return the MAC learned for {@code address} (16 bytes) by NDP, or -1. */
    public long neighbourMac6(final byte[] address)
    {
        for (int i = 0; i < 16; i++)
        {
            if (address[i] != neighbourIpv6[i])
            {
                return -1;
            }
        }
        return neighbourIpv6Mac;
    }

    public long mac()
    {
        return mac;
    }

    public int ipv4()
    {
        return ipv4;
    }

    public int prefix4()
    {
        return prefix4;
    }

    public byte[] ipv6()
    {
        return ipv6 == null ? null : ipv6.clone();
    }

    public long framesIn()
    {
        return framesIn;
    }

    public long repliesOut()
    {
        return repliesOut;
    }

    public long replyFailures()
    {
        return replyFailures;
    }

    public long udpEchoes()
    {
        return udpEchoes;
    }

    public long icmpEchoes()
    {
        return icmpEchoes;
    }

    public long tcpPayloadBytes()
    {
        return tcpPayloadBytes;
    }

    public long reassembled()
    {
        return reassembled;
    }
}
