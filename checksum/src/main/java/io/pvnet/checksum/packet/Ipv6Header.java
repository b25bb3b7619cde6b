package io.pvnet.checksum.packet;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * IPv6 fixed header (RFC 8200 section 3), big-endian, in place at {@code (buffer, offset)}; extension headers follow
 * it and are walked by {@link Ipv6ExtensionHeader}.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------+---------------+---------------------------------------+
 *  |Version| Traffic Class |              Flow Label               |  0
 *  +-------+---------------+-------+---------------+---------------+
 *  |        payload length         |  next header  |   hop limit   |  4
 *  +-------------------------------+---------------+---------------+
 *  |                                                               |  8
 *  +                  source address (128 bits)                    +
 *  |                                                               |  ..
 *  +---------------------------------------------------------------+
 *  |                                                               |  24
 *  +               destination address (128 bits)                  +
 *  |                                                               |  ..
 *  +---------------------------------------------------------------+  40
 * </pre>
 * An address travels as two {@code long}s ({@code hi}: bytes 0-7, {@code lo}: bytes 8-15) or as a 16-byte array.
 * Static accessors, no state, any thread.
 */
public final class Ipv6Header
{
    /** Offset of the version class flow field. */
    public static final int VERSION_CLASS_FLOW_OFFSET = 0;
    /** Offset of the payload length field. */
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    /** Offset of the next header field. */
    public static final int NEXT_HEADER_OFFSET = 6;
    /** Offset of the hop limit field. */
    public static final int HOP_LIMIT_OFFSET = 7;
    /** Offset of the source field. */
    public static final int SOURCE_OFFSET = 8;
    /** Offset of the destination field. */
    public static final int DESTINATION_OFFSET = 24;
    /** Length in bytes of the address. */
    public static final int ADDRESS_LENGTH = 16;
    /** Length in bytes. */
    public static final int LENGTH = 40;
    /** The first word of a header with traffic class 0 and no flow label. */
    public static final int VERSION_6_WORD = 0x6000_0000;
    /** The high 64 bits of every link-local address (fe80::/64). */
    public static final long LINK_LOCAL_HI = 0xFE80_0000_0000_0000L;

    private Ipv6Header()
    {
    }

    /**
     * Reads the version.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the version.
     */
    public static int version(final DirectBuffer buffer, final int offset)
    {
        return (buffer.getByte(offset + VERSION_CLASS_FLOW_OFFSET) & 0xFF) >>> 4;
    }

    /**
     * The first 32-bit word: version, traffic class, flow label.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the first 32-bit word: version, traffic class, flow label.
     */
    public static int versionClassFlow(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + VERSION_CLASS_FLOW_OFFSET, BIG_ENDIAN);
    }

    /**
     * Writes the version class flow.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param word the word.
     */
    public static void versionClassFlow(final MutableDirectBuffer buffer, final int offset, final int word)
    {
        buffer.putInt(offset + VERSION_CLASS_FLOW_OFFSET, word, BIG_ENDIAN);
    }

    /**
     * Reads the payload length.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the payload length.
     */
    public static int payloadLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + PAYLOAD_LENGTH_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Writes the payload length.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param length the length in bytes.
     */
    public static void payloadLength(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        buffer.putShort(offset + PAYLOAD_LENGTH_OFFSET, (short)length, BIG_ENDIAN);
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
     * Reads the hop limit.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the hop limit.
     */
    public static int hopLimit(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + HOP_LIMIT_OFFSET) & 0xFF;
    }

    /**
     * Writes the hop limit.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param hopLimit the hop limit.
     */
    public static void hopLimit(final MutableDirectBuffer buffer, final int offset, final int hopLimit)
    {
        buffer.putByte(offset + HOP_LIMIT_OFFSET, (byte)hopLimit);
    }

    /**
     * Reads the source hi.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the source hi.
     */
    public static long sourceHi(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + SOURCE_OFFSET, BIG_ENDIAN);
    }

    /**
     * Reads the source lo.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the source lo.
     */
    public static long sourceLo(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + SOURCE_OFFSET + 8, BIG_ENDIAN);
    }

    /**
     * Writes the source.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param hi bytes 0-7 of the address.
     * @param lo bytes 8-15 of the address.
     */
    public static void source(final MutableDirectBuffer buffer, final int offset, final long hi, final long lo)
    {
        buffer.putLong(offset + SOURCE_OFFSET, hi, BIG_ENDIAN);
        buffer.putLong(offset + SOURCE_OFFSET + 8, lo, BIG_ENDIAN);
    }

    /**
     * Reads the destination hi.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the destination hi.
     */
    public static long destinationHi(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + DESTINATION_OFFSET, BIG_ENDIAN);
    }

    /**
     * Reads the destination lo.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the destination lo.
     */
    public static long destinationLo(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + DESTINATION_OFFSET + 8, BIG_ENDIAN);
    }

    /**
     * Writes the destination.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param hi bytes 0-7 of the address.
     * @param lo bytes 8-15 of the address.
     */
    public static void destination(final MutableDirectBuffer buffer, final int offset, final long hi, final long lo)
    {
        buffer.putLong(offset + DESTINATION_OFFSET, hi, BIG_ENDIAN);
        buffer.putLong(offset + DESTINATION_OFFSET + 8, lo, BIG_ENDIAN);
    }

    /**
     * Swaps source and destination addresses in place.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     */
    public static void swapAddresses(final MutableDirectBuffer buffer, final int offset)
    {
        final long hi = sourceHi(buffer, offset);
        final long lo = sourceLo(buffer, offset);
        source(buffer, offset, destinationHi(buffer, offset), destinationLo(buffer, offset));
        destination(buffer, offset, hi, lo);
    }

    /**
     * Whether the 16 bytes at {@code index} equal {@code address}.
     *
     * @param buffer the frame or packet buffer.
     * @param index index of the first byte of the field.
     * @param address an IPv4 address, first byte highest.
     * @return whether the 16 bytes at {@code index} equal {@code address}.
     */
    public static boolean addressEquals(final DirectBuffer buffer, final int index, final byte[] address)
    {
        return buffer.getLong(index, BIG_ENDIAN) == hi(address) && buffer.getLong(index + 8, BIG_ENDIAN) == lo(address);
    }

    /**
     * Bytes 0-7 of a 16-byte address.
     *
     * @param address an IPv4 address, first byte highest.
     * @return bytes 0-7 of a 16-byte address.
     */
    public static long hi(final byte[] address)
    {
        long value = 0;
        for (int i = 0; i < 8; i++)
        {
            value = (value << 8) | (address[i] & 0xFF);
        }
        return value;
    }

    /**
     * Bytes 8-15 of a 16-byte address.
     *
     * @param address an IPv4 address, first byte highest.
     * @return bytes 8-15 of a 16-byte address.
     */
    public static long lo(final byte[] address)
    {
        long value = 0;
        for (int i = 8; i < 16; i++)
        {
            value = (value << 8) | (address[i] & 0xFF);
        }
        return value;
    }

    /**
     * Whether {@code hi} is in fe80::/10.
     *
     * @param hi bytes 0-7 of the address.
     * @return whether {@code hi} is in fe80::/10.
     */
    public static boolean isLinkLocal(final long hi)
    {
        return (hi & 0xFFC0_0000_0000_0000L) == LINK_LOCAL_HI;
    }

    /**
     * Whether {@code hi} is in ff00::/8.
     *
     * @param hi bytes 0-7 of the address.
     * @return whether {@code hi} is in ff00::/8.
     */
    public static boolean isMulticast(final long hi)
    {
        return (hi >>> 56) == 0xFF;
    }

    /**
     * The low 64 bits of the EUI-64 link-local address of {@code mac} (RFC 4291 2.5.1).
     *
     * @param mac a 48-bit MAC in the low bits of a long.
     * @return the low 64 bits of the EUI-64 link-local address of {@code mac} (RFC 4291 2.5.1).
     */
    public static long linkLocalLo(final long mac)
    {
        final long upper = (mac >>> 24) ^ 0x02_0000L;
        return (upper << 40) | (0xFFFEL << 24) | (mac & 0xFF_FFFFL);
    }
}
