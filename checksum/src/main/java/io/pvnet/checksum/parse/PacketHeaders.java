package io.pvnet.checksum.parse;

import io.pvnet.checksum.packet.IpProtocol;
import io.pvnet.checksum.packet.TcpHeader;

/**
 * Where the headers of one frame are, as filled in by {@link HeaderParser#parse}: offsets are absolute indices in the
 * buffer that was parsed, lengths are in bytes. A reusable, mutable holder: one per thread, reset by every parse.
 * Fields past the point where a parse failed keep their reset values.
 */
public final class PacketHeaders
{
    /** IP protocol numbers the parser knows. */
    public static final int PROTOCOL_ICMP = IpProtocol.ICMP;
    /** TCP's protocol number (6). */
    public static final int PROTOCOL_TCP = IpProtocol.TCP;
    /** UDP's protocol number (17). */
    public static final int PROTOCOL_UDP = IpProtocol.UDP;
    /** ICMPv6's protocol number (58). */
    public static final int PROTOCOL_ICMPV6 = IpProtocol.ICMPV6;
    /** No L4 protocol (non-IP, or a non-first fragment, or IPv6 "no next header"). */
    public static final int PROTOCOL_NONE = -1;

    /** TCP flag bits in {@link #tcpFlags()}. */
    public static final int TCP_FIN = TcpHeader.FIN;
    /** TCP SYN flag. */
    public static final int TCP_SYN = TcpHeader.SYN;
    /** TCP RST flag. */
    public static final int TCP_RST = TcpHeader.RST;
    /** TCP PSH flag. */
    public static final int TCP_PSH = TcpHeader.PSH;
    /** TCP ACK flag. */
    public static final int TCP_ACK = TcpHeader.ACK;
    /** TCP URG flag. */
    public static final int TCP_URG = TcpHeader.URG;
    /** TCP ECE flag (ECN echo). */
    public static final int TCP_ECE = 0x40;
    /** TCP CWR flag (congestion window reduced). */
    public static final int TCP_CWR = 0x80;

    int frameOffset;
    int frameLength;
    int vlanCount;
    int etherType;
    int etherTypeOffset;
    L3Protocol l3 = L3Protocol.OTHER;
    int l3Offset;
    int l3Length;
    int ipHeaderLength;
    int ipv4FragmentOffsetBytes;
    boolean moreFragments;
    boolean dontFragment;
    int ipv6ExtensionCount;
    int ipv6FragmentHeaderOffset;
    int ipv6DestinationOffset;
    int l4ProtocolFieldOffset;
    int l4Protocol;
    int l4Offset;
    int l4Length;
    int l4HeaderLength;
    int tcpFlags;

    /** An empty holder; {@link HeaderParser#parse} fills it in. One per thread, reused for every frame. */
    public PacketHeaders()
    {
    }

    void reset(final int offset, final int length)
    {
        frameOffset = offset;
        frameLength = length;
        vlanCount = 0;
        etherType = 0;
        etherTypeOffset = -1;
        l3 = L3Protocol.OTHER;
        l3Offset = -1;
        l3Length = 0;
        ipHeaderLength = 0;
        ipv4FragmentOffsetBytes = 0;
        moreFragments = false;
        dontFragment = false;
        ipv6ExtensionCount = 0;
        ipv6FragmentHeaderOffset = -1;
        ipv6DestinationOffset = -1;
        l4ProtocolFieldOffset = -1;
        l4Protocol = PROTOCOL_NONE;
        l4Offset = -1;
        l4Length = 0;
        l4HeaderLength = 0;
        tcpFlags = 0;
    }

    /** {@return index of the first byte of the frame} */
    public int frameOffset()
    {
        return frameOffset;
    }

    /** {@return length of the frame as given to the parser (may include Ethernet padding after the IP packet)} */
    public int frameLength()
    {
        return frameLength;
    }

    /** {@return number of 802.1Q/802.1ad tags skipped (0 to {@link HeaderParser#MAX_VLAN_TAGS})} */
    public int vlanCount()
    {
        return vlanCount;
    }

    /** {@return the innermost ethertype} */
    public int etherType()
    {
        return etherType;
    }

    /** {@return the network layer found} */
    public L3Protocol l3()
    {
        return l3;
    }

    /** {@return index of the IP (or ARP) header, {@code -1} if none} */
    public int l3Offset()
    {
        return l3Offset;
    }

    /** {@return the IP packet length from its header (IPv4 total length; IPv6 40 + payload length)} */
    public int l3Length()
    {
        return l3Length;
    }

    /** {@return bytes from the IP header to the L4 header: IPv4 IHL*4, IPv6 40 + extension headers} */
    public int ipHeaderLength()
    {
        return ipHeaderLength;
    }

    /** {@return IPv4 fragment offset in bytes (or the IPv6 fragment header's)} */
    public int fragmentOffsetBytes()
    {
        return ipv4FragmentOffsetBytes;
    }

    /** {@return the MF flag of IPv4 or of the IPv6 fragment header} */
    public boolean moreFragments()
    {
        return moreFragments;
    }

    /** {@return the IPv4 DF flag} */
    public boolean dontFragment()
    {
        return dontFragment;
    }

    /** {@return true for any fragment, first or not (IPv4 MF or offset, or an IPv6 fragment header)} */
    public boolean isFragment()
    {
        return moreFragments || ipv4FragmentOffsetBytes != 0 || ipv6FragmentHeaderOffset >= 0;
    }

    /** {@return number of IPv6 extension headers walked} */
    public int ipv6ExtensionCount()
    {
        return ipv6ExtensionCount;
    }

    /** {@return index of the IPv6 fragment header, {@code -1} if none} */
    public int ipv6FragmentHeaderOffset()
    {
        return ipv6FragmentHeaderOffset;
    }

    /** {@return index of the 16-byte final destination for the IPv6 pseudo-header (routing header aware)} */
    public int ipv6DestinationOffset()
    {
        return ipv6DestinationOffset;
    }

    /** {@return index of the byte holding the L4 protocol number (IPv4 protocol or the last next-header field)} */
    public int l4ProtocolFieldOffset()
    {
        return l4ProtocolFieldOffset;
    }

    /** {@return the L4 protocol number, or {@link #PROTOCOL_NONE}} */
    public int l4Protocol()
    {
        return l4Protocol;
    }

    /** {@return index of the L4 header, {@code -1} if none (non-IP, non-first fragment)} */
    public int l4Offset()
    {
        return l4Offset;
    }

    /** {@return bytes from the L4 header to the end of the IP packet (header + payload of this packet)} */
    public int l4Length()
    {
        return l4Length;
    }

    /** {@return the L4 header length: TCP data offset * 4, UDP 8, ICMP 8, ICMPv6 4, else 0} */
    public int l4HeaderLength()
    {
        return l4HeaderLength;
    }

    /** {@return the TCP flags byte (CWR..FIN), 0 when not TCP} */
    public int tcpFlags()
    {
        return tcpFlags;
    }

    /** {@return true when the L4 header was parsed (TCP, UDP, ICMP or ICMPv6 at {@link #l4Offset()})} */
    public boolean hasL4Header()
    {
        return l4HeaderLength > 0;
    }
}
