package io.pvnet.engine.port;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Where the headers of an Ethernet frame lie, found in place without allocation: Ethernet II with at most one 802.1Q
 * tag, IPv4 (with options) or IPv6 (walking hop-by-hop, routing and destination-options headers), and the TCP/UDP
 * header behind. Just enough for a port to fill a virtio-net header ({@code csum_start}, {@code hdr_len}) and for
 * the bridge to measure a frame against an MTU; the full parser with every malformed reason is the checksum module's.
 * <p>
 * Every read is checked against {@code length}; a frame that is cut short or unknown yields {@code false}, never an
 * exception. Not thread-safe: one instance per thread, reused for every frame.
 */
public final class FrameHeaders
{
    public static final int ETHERNET_HEADER_LENGTH = 14;
    public static final int VLAN_TAG_LENGTH = 4;
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    public static final int ETHERTYPE_VLAN = 0x8100;
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;
    /** The offset of the checksum in a TCP header. */
    public static final int TCP_CHECKSUM_OFFSET = 16;
    /** The offset of the checksum in a UDP header. */
    public static final int UDP_CHECKSUM_OFFSET = 6;

    private static final int MAX_IPV6_EXTENSIONS = 8;

    /** 0 for IPv4/IPv6 not found, else 4 or 6. */
    public int ipVersion;
    /** Bytes before the IP header (Ethernet + tag), relative to the frame. */
    public int l3Offset;
    /** Bytes of the IP packet on the wire (IPv4 total length / 40 + IPv6 payload length), capped by the frame. */
    public int ipLength;
    /** L4 protocol, or -1 when not reached (fragment, unknown extension). */
    public int l4Protocol;
    /** Offset of the L4 header relative to the frame, valid when {@link #l4Protocol} >= 0. */
    public int l4Offset;
    /** Bytes of the L4 header (TCP data offset * 4, 8 for UDP), 0 when not TCP/UDP or cut short. */
    public int l4HeaderLength;
    /** Whether the IPv4 packet is a fragment (MF or offset). */
    public boolean fragment;

    /**
     * Finds the headers of the frame at {@code buffer[offset, offset + length)}.
     *
     * @return whether an IPv4/IPv6 header was found (L4 fields tell how far the walk went).
     */
    public boolean parse(final DirectBuffer buffer, final int offset, final int length)
    {
        ipVersion = 0;
        l4Protocol = -1;
        l4Offset = 0;
        l4HeaderLength = 0;
        fragment = false;
        ipLength = 0;
        if (length < ETHERNET_HEADER_LENGTH)
        {
            return false;
        }
        int at = 12;
        int etherType = buffer.getShort(offset + at, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        at = ETHERNET_HEADER_LENGTH;
        if (etherType == ETHERTYPE_VLAN)
        {
            if (length < ETHERNET_HEADER_LENGTH + VLAN_TAG_LENGTH)
            {
                return false;
            }
            etherType = buffer.getShort(offset + 16, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            at += VLAN_TAG_LENGTH;
        }
        l3Offset = at;
        if (etherType == ETHERTYPE_IPV4)
        {
            return parseIpv4(buffer, offset, length, at);
        }
        if (etherType == ETHERTYPE_IPV6)
        {
            return parseIpv6(buffer, offset, length, at);
        }
        return false;
    }

    private boolean parseIpv4(final DirectBuffer buffer, final int offset, final int length, final int at)
    {
        if (length < at + 20)
        {
            return false;
        }
        final int versionIhl = buffer.getByte(offset + at) & 0xFF;
        final int ihl = (versionIhl & 0xF) * 4;
        if ((versionIhl >>> 4) != 4 || ihl < 20 || length < at + ihl)
        {
            return false;
        }
        ipVersion = 4;
        ipLength = Math.min(buffer.getShort(offset + at + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF, length - at);
        fragment = (buffer.getShort(offset + at + 6, ByteOrder.BIG_ENDIAN) & 0x3FFF) != 0;
        if (!fragment)
        {
            l4(buffer, offset, length, buffer.getByte(offset + at + 9) & 0xFF, at + ihl);
        }
        return true;
    }

    private boolean parseIpv6(final DirectBuffer buffer, final int offset, final int length, final int at)
    {
        if (length < at + 40 || ((buffer.getByte(offset + at) & 0xFF) >>> 4) != 6)
        {
            return false;
        }
        ipVersion = 6;
        ipLength = Math.min(40 + (buffer.getShort(offset + at + 4, ByteOrder.BIG_ENDIAN) & 0xFFFF), length - at);
        int next = buffer.getByte(offset + at + 6) & 0xFF;
        int header = at + 40;
        for (int i = 0; i < MAX_IPV6_EXTENSIONS; i++)
        {
            if (next != 0 && next != 43 && next != 60)
            {
                if (next == 44)
                {
                    fragment = true;
                    return true;
                }
                l4(buffer, offset, length, next, header);
                return true;
            }
            if (length < header + 8)
            {
                return true;
            }
            next = buffer.getByte(offset + header) & 0xFF;
            header += ((buffer.getByte(offset + header + 1) & 0xFF) + 1) * 8;
        }
        return true;
    }

    private void l4(final DirectBuffer buffer, final int offset, final int length, final int protocol, final int at)
    {
        l4Protocol = protocol;
        l4Offset = at;
        if (protocol == PROTOCOL_TCP && length >= at + 20)
        {
            final int dataOffset = ((buffer.getByte(offset + at + 12) & 0xFF) >>> 4) * 4;
            l4HeaderLength = dataOffset >= 20 && length >= at + dataOffset ? dataOffset : 0;
        }
        else if (protocol == PROTOCOL_UDP && length >= at + 8)
        {
            l4HeaderLength = 8;
        }
    }

    /** @return the offset of the L4 checksum field relative to its header, or -1 when not TCP/UDP. */
    public int l4ChecksumOffset()
    {
        if (l4HeaderLength == 0)
        {
            return -1;
        }
        return l4Protocol == PROTOCOL_TCP ? TCP_CHECKSUM_OFFSET : l4Protocol == PROTOCOL_UDP ? UDP_CHECKSUM_OFFSET : -1;
    }
}
