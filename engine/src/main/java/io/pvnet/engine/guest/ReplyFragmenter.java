package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.IpProtocol;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.Ipv6ExtensionHeader;
import io.pvnet.checksum.packet.Ipv6Header;
import io.pvnet.checksum.packet.PacketChecksums;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * Sends a guest's reply that is larger than its MTU as IP fragments (RFC 791 section 2.3; RFC 8200 section 4.5, a
 * fragment header right after the fixed header). The reply is an untagged frame at offset 0 whose IP header fields
 * other than lengths and fragment fields are final. Single-threaded; one preallocated fragment buffer.
 */
final class ReplyFragmenter
{
    private static final int IP = EthernetHeader.LENGTH;
    private static final int IPV6_FRAGMENTABLE = IP + Ipv6Header.LENGTH;

    private final UnsafeBuffer fragment;
    private final int mtu;
    private final ReplySender sender;
    private int identification;

    ReplyFragmenter(final int mtu, final int bufferBytes, final ReplySender sender)
    {
        this.mtu = mtu;
        this.sender = sender;
        fragment = new UnsafeBuffer(ByteBuffer.allocateDirect(bufferBytes));
    }

    /** Sends the IPv4 packet of {@code totalLength} bytes in {@code reply} as fragments of at most the MTU. */
    void ipv4(final DirectBuffer reply, final int totalLength)
    {
        final int ihl = Ipv4Header.headerLength(reply, IP);
        final int step = (mtu - ihl) & ~7;
        final int payload = totalLength - ihl;
        for (int done = 0; done < payload; done += step)
        {
            final int piece = Math.min(step, payload - done);
            fragment.putBytes(0, reply, 0, IP + ihl);
            fragment.putBytes(IP + ihl, reply, IP + ihl + done, piece);
            Ipv4Header.totalLength(fragment, IP, ihl + piece);
            Ipv4Header.flagsFragment(fragment, IP, (done / 8) | (done + piece < payload ? Ipv4Header.MORE_FRAGMENTS : 0));
            PacketChecksums.ipv4Header(fragment, IP);
            sender.send(fragment, IP + ihl + piece);
        }
    }

    /** Sends the IPv6 packet (no extension headers) with {@code payloadLength} bytes in {@code reply} as fragments. */
    void ipv6(final DirectBuffer reply, final int payloadLength)
    {
        final int nextHeader = Ipv6Header.nextHeader(reply, IP);
        final int step = (mtu - Ipv6Header.LENGTH - Ipv6ExtensionHeader.FRAGMENT_LENGTH) & ~7;
        final int id = ++identification | 0x5000_0000;
        final int data = IPV6_FRAGMENTABLE + Ipv6ExtensionHeader.FRAGMENT_LENGTH;
        for (int done = 0; done < payloadLength; done += step)
        {
            final int piece = Math.min(step, payloadLength - done);
            fragment.putBytes(0, reply, 0, IPV6_FRAGMENTABLE);
            Ipv6Header.nextHeader(fragment, IP, IpProtocol.FRAGMENT);
            Ipv6Header.payloadLength(fragment, IP, Ipv6ExtensionHeader.FRAGMENT_LENGTH + piece);
            Ipv6ExtensionHeader.writeFragment(fragment, IPV6_FRAGMENTABLE, nextHeader, done, done + piece < payloadLength,
                id);
            fragment.putBytes(data, reply, IPV6_FRAGMENTABLE + done, piece);
            sender.send(fragment, data + piece);
        }
    }
}
