package io.pvnet.checksum.packet;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * IPv6 extension headers (RFC 8200 section 4), big-endian, in place at {@code (buffer, offset)}. All start with the
 * next-header byte; hop-by-hop, routing and destination options then give their length in 8-byte units not counting
 * the first 8, AH (RFC 4302) in 4-byte units minus 2, and the fragment header is always 8 bytes:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+-------------------------------+
 *  |  next header  |  hdr ext len  |  options / routing type, left |  0   hop-by-hop, routing, dest. options, AH
 *  +---------------+---------------+-------------------------------+
 *
 *  +---------------+---------------+-------------------------+-+-+-+
 *  |  next header  |   reserved    |     fragment offset     |Res|M|  0   fragment
 *  +---------------+---------------+-------------------------+---+-+
 *  |                        identification                         |  4
 *  +---------------------------------------------------------------+
 * </pre>
 * Routing: type at 2, segments left at 3. Static accessors and a walk to the upper-layer header; no state.
 */
public final class Ipv6ExtensionHeader
{
    /** Offset of the next header field. */
    public static final int NEXT_HEADER_OFFSET = 0;
    /** Offset of the length field. */
    public static final int LENGTH_OFFSET = 1;
    /** Offset of the routing type field. */
    public static final int ROUTING_TYPE_OFFSET = 2;
    /** Offset of the segments left field. */
    public static final int SEGMENTS_LEFT_OFFSET = 3;
    /** Fragment header: offset (8-byte units, shifted left 3) and the M flag in bit 0. */
    public static final int FRAGMENT_OFFSET_FLAGS_OFFSET = 2;
    /** Offset of the fragment identification field. */
    public static final int FRAGMENT_IDENTIFICATION_OFFSET = 4;
    /** Length in bytes of the fragment. */
    public static final int FRAGMENT_LENGTH = 8;
    /** Fragment more. */
    public static final int FRAGMENT_MORE = 1;
    /** Fragment offset mask. */
    public static final int FRAGMENT_OFFSET_MASK = 0xFFF8;
    /** Segment routing header (RFC 8754): segment list[0], the final destination, starts here. */
    public static final int SEGMENT_LIST_OFFSET = 8;
    /** Returned by {@link #walk} when an extension header runs past the packet. */
    public static final long TRUNCATED = -1;

    private Ipv6ExtensionHeader()
    {
    }

    /**
     * Whether {@code nextHeader} names an extension header this class can measure.
     *
     * @param nextHeader the next header.
     * @return whether {@code nextHeader} names an extension header this class can measure.
     */
    public static boolean isExtension(final int nextHeader)
    {
        switch (nextHeader)
        {
            case IpProtocol.HOP_BY_HOP:
            case IpProtocol.ROUTING:
            case IpProtocol.FRAGMENT:
            case IpProtocol.AH:
            case IpProtocol.DESTINATION_OPTIONS:
                return true;
            default:
                return false;
        }
    }

    /**
     * Reads the next header.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the next header.
     */
    public static int nextHeader(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + NEXT_HEADER_OFFSET) & 0xFF;
    }

    /**
     * Writes the next header.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param nextHeader the next header.
     */
    public static void nextHeader(final MutableDirectBuffer buffer, final int offset, final int nextHeader)
    {
        buffer.putByte(offset + NEXT_HEADER_OFFSET, (byte)nextHeader);
    }

    /**
     * Its length in bytes; reads the length byte at {@code offset + 1} except for a fragment header.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param type the extension header's type ({
     * @return its length in bytes; reads the length byte at {@code offset + 1} except for a fragment header.
     */
    public static int length(final DirectBuffer buffer, final int offset, final int type)
    {
        if (type == IpProtocol.FRAGMENT)
        {
            return FRAGMENT_LENGTH;
        }
        final int units = buffer.getByte(offset + LENGTH_OFFSET) & 0xFF;
        return type == IpProtocol.AH ? (units + 2) * 4 : (units + 1) * 8;
    }

    /**
     * Reads the routing type.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the routing type.
     */
    public static int routingType(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + ROUTING_TYPE_OFFSET) & 0xFF;
    }

    /**
     * Reads the segments left.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the segments left.
     */
    public static int segmentsLeft(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + SEGMENTS_LEFT_OFFSET) & 0xFF;
    }

    /**
     * The fragment header's offset-and-flags field.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the fragment header's offset-and-flags field.
     */
    public static int fragmentOffsetFlags(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + FRAGMENT_OFFSET_FLAGS_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Reads the fragment identification.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the fragment identification.
     */
    public static long fragmentIdentification(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + FRAGMENT_IDENTIFICATION_OFFSET, BIG_ENDIAN) & 0xFFFF_FFFFL;
    }

    /**
     * Writes a whole fragment header.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param nextHeader the next header.
     * @param offsetBytes the offset bytes.
     * @param more the more.
     * @param identification the identification.
     */
    public static void writeFragment(
        final MutableDirectBuffer buffer, final int offset, final int nextHeader, final int offsetBytes,
        final boolean more, final int identification)
    {
        buffer.putByte(offset + NEXT_HEADER_OFFSET, (byte)nextHeader);
        buffer.putByte(offset + LENGTH_OFFSET, (byte)0);
        buffer.putShort(offset + FRAGMENT_OFFSET_FLAGS_OFFSET, (short)(offsetBytes | (more ? FRAGMENT_MORE : 0)),
            BIG_ENDIAN);
        buffer.putInt(offset + FRAGMENT_IDENTIFICATION_OFFSET, identification, BIG_ENDIAN);
    }

    /**
     * Walks the extension headers of the IPv6 packet whose fixed header is at {@code ipOffset}, stopping at the first
     * header that is not an extension (upper layer, ESP, no next header).
     *
     * @param buffer the frame or packet buffer.
     * @param ipOffset index of the first byte of the IPv6 fixed header.
     * @param end one past the packet's last byte.
     * @return {@code (nextHeaderFieldOffset << 32) | upperLayerOffset}: the index of the byte naming the upper-layer
     *     protocol and the index where that header starts; {@link #TRUNCATED} when an extension header runs past {@code
     *     end}. Read the parts with {@link #fieldOf} and {@link #upperLayerOf}.
     */
    public static long walk(final DirectBuffer buffer, final int ipOffset, final int end)
    {
        int field = ipOffset + Ipv6Header.NEXT_HEADER_OFFSET;
        int position = ipOffset + Ipv6Header.LENGTH;
        int type = buffer.getByte(field) & 0xFF;
        while (isExtension(type))
        {
            if (position + 2 > end)
            {
                return TRUNCATED;
            }
            final int length = length(buffer, position, type);
            if (position + length > end)
            {
                return TRUNCATED;
            }
            field = position;
            type = buffer.getByte(position) & 0xFF;
            position += length;
        }
        return ((long)field << 32) | position;
    }

    /**
     * The next-header field index of a {@link #walk} result.
     *
     * @param walk the walk.
     * @return the next-header field index of a {@link #walk} result.
     */
    public static int fieldOf(final long walk)
    {
        return (int)(walk >>> 32);
    }

    /**
     * The upper-layer header index of a {@link #walk} result.
     *
     * @param walk the walk.
     * @return the upper-layer header index of a {@link #walk} result.
     */
    public static int upperLayerOf(final long walk)
    {
        return (int)walk;
    }
}
