package io.pvnet.checksum.packet;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * IPv4 header (RFC 791), big-endian, in place at {@code (buffer, offset)}.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------+-------+---------------+-------------------------------+
 *  |Version|  IHL  |  DSCP / ECN   |         total length          |  0
 *  +-------+-------+---------------+-----+-------------------------+
 *  |        identification         |Flags|     fragment offset     |  4
 *  +---------------+---------------+-----+-------------------------+
 *  |      TTL      |   protocol    |        header checksum        |  8
 *  +---------------+---------------+-------------------------------+
 *  |                        source address                         |  12
 *  +---------------------------------------------------------------+
 *  |                     destination address                       |  16
 *  +---------------------------------------------------------------+
 *  |                options (IHL > 5), padded to 32 bits            |  20
 *  +---------------------------------------------------------------+
 * </pre>
 * Flags: reserved, DF ({@link #DONT_FRAGMENT}), MF ({@link #MORE_FRAGMENTS}); the fragment offset counts 8-byte units.
 * An address travels as an {@code int} holding its four bytes, first byte highest. Static accessors, no state.
 */
public final class Ipv4Header
{
    /** Offset of the version ihl field. */
    public static final int VERSION_IHL_OFFSET = 0;
    /** Offset of the TOS field. */
    public static final int TOS_OFFSET = 1;
    /** Offset of the total length field. */
    public static final int TOTAL_LENGTH_OFFSET = 2;
    /** Offset of the identification field. */
    public static final int IDENTIFICATION_OFFSET = 4;
    /** Offset of the flags fragment field. */
    public static final int FLAGS_FRAGMENT_OFFSET = 6;
    /** Offset of the TTL field. */
    public static final int TTL_OFFSET = 8;
    /** Offset of the protocol field. */
    public static final int PROTOCOL_OFFSET = 9;
    /** Offset of the checksum field. */
    public static final int CHECKSUM_OFFSET = 10;
    /** Offset of the source field. */
    public static final int SOURCE_OFFSET = 12;
    /** Offset of the destination field. */
    public static final int DESTINATION_OFFSET = 16;
    /** Offset of the options field. */
    public static final int OPTIONS_OFFSET = 20;
    /** Length without options. */
    public static final int MIN_LENGTH = 20;
    /** Length in bytes of the max. */
    public static final int MAX_LENGTH = 60;
    /** The version/IHL byte of a header without options. */
    public static final int VERSION_IHL_NO_OPTIONS = 0x45;

    /** Dont fragment. */
    public static final int DONT_FRAGMENT = 0x4000;
    /** More fragments. */
    public static final int MORE_FRAGMENTS = 0x2000;
    /** Fragment offset mask. */
    public static final int FRAGMENT_OFFSET_MASK = 0x1FFF;
    /** Mask of the flags/fragment field that is non-zero for any fragment (MF or an offset). */
    public static final int FRAGMENT_MASK = MORE_FRAGMENTS | FRAGMENT_OFFSET_MASK;

    private Ipv4Header()
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
        return (buffer.getByte(offset + VERSION_IHL_OFFSET) & 0xFF) >>> 4;
    }

    /**
     * The header length in bytes (IHL * 4).
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the header length in bytes (IHL * 4).
     */
    public static int headerLength(final DirectBuffer buffer, final int offset)
    {
        return (buffer.getByte(offset + VERSION_IHL_OFFSET) & 0x0F) * 4;
    }

    /**
     * Writes version 4 and the IHL for {@code headerLength} bytes.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param headerLength the header length.
     */
    public static void versionAndHeaderLength(final MutableDirectBuffer buffer, final int offset, final int headerLength)
    {
        buffer.putByte(offset + VERSION_IHL_OFFSET, (byte)(0x40 | (headerLength >>> 2)));
    }

    /**
     * Reads the tos.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the tos.
     */
    public static int tos(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + TOS_OFFSET) & 0xFF;
    }

    /**
     * Writes the tos.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param tos the tos.
     */
    public static void tos(final MutableDirectBuffer buffer, final int offset, final int tos)
    {
        buffer.putByte(offset + TOS_OFFSET, (byte)tos);
    }

    /**
     * Reads the total length.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the total length.
     */
    public static int totalLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + TOTAL_LENGTH_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Writes the total length.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param totalLength the total length.
     */
    public static void totalLength(final MutableDirectBuffer buffer, final int offset, final int totalLength)
    {
        buffer.putShort(offset + TOTAL_LENGTH_OFFSET, (short)totalLength, BIG_ENDIAN);
    }

    /**
     * Reads the identification.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the identification.
     */
    public static int identification(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + IDENTIFICATION_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Writes the identification.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param identification the identification.
     */
    public static void identification(final MutableDirectBuffer buffer, final int offset, final int identification)
    {
        buffer.putShort(offset + IDENTIFICATION_OFFSET, (short)identification, BIG_ENDIAN);
    }

    /**
     * The 16-bit flags and fragment offset field.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the 16-bit flags and fragment offset field.
     */
    public static int flagsFragment(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + FLAGS_FRAGMENT_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Writes the flags fragment.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param flagsFragment the flags fragment.
     */
    public static void flagsFragment(final MutableDirectBuffer buffer, final int offset, final int flagsFragment)
    {
        buffer.putShort(offset + FLAGS_FRAGMENT_OFFSET, (short)flagsFragment, BIG_ENDIAN);
    }

    /**
     * The fragment offset in bytes.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the fragment offset in bytes.
     */
    public static int fragmentOffsetBytes(final DirectBuffer buffer, final int offset)
    {
        return (flagsFragment(buffer, offset) & FRAGMENT_OFFSET_MASK) * 8;
    }

    /**
     * Reads the TTL.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the TTL.
     */
    public static int ttl(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + TTL_OFFSET) & 0xFF;
    }

    /**
     * Writes the TTL.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param ttl the TTL.
     */
    public static void ttl(final MutableDirectBuffer buffer, final int offset, final int ttl)
    {
        buffer.putByte(offset + TTL_OFFSET, (byte)ttl);
    }

    /**
     * Reads the protocol.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the protocol.
     */
    public static int protocol(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + PROTOCOL_OFFSET) & 0xFF;
    }

    /**
     * Writes the protocol.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param protocol the IP protocol / next header number.
     */
    public static void protocol(final MutableDirectBuffer buffer, final int offset, final int protocol)
    {
        buffer.putByte(offset + PROTOCOL_OFFSET, (byte)protocol);
    }

    /**
     * Reads the checksum.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the checksum.
     */
    public static int checksum(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + CHECKSUM_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Writes the checksum.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param checksum the checksum.
     */
    public static void checksum(final MutableDirectBuffer buffer, final int offset, final int checksum)
    {
        buffer.putShort(offset + CHECKSUM_OFFSET, (short)checksum, BIG_ENDIAN);
    }

    /**
     * Reads the source.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the source.
     */
    public static int source(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + SOURCE_OFFSET, BIG_ENDIAN);
    }

    /**
     * Writes the source.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param address an IPv4 address, first byte highest.
     */
    public static void source(final MutableDirectBuffer buffer, final int offset, final int address)
    {
        buffer.putInt(offset + SOURCE_OFFSET, address, BIG_ENDIAN);
    }

    /**
     * Reads the destination.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the destination.
     */
    public static int destination(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + DESTINATION_OFFSET, BIG_ENDIAN);
    }

    /**
     * Writes the destination.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param address an IPv4 address, first byte highest.
     */
    public static void destination(final MutableDirectBuffer buffer, final int offset, final int address)
    {
        buffer.putInt(offset + DESTINATION_OFFSET, address, BIG_ENDIAN);
    }

    /**
     * Swaps source and destination addresses in place.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     */
    public static void swapAddresses(final MutableDirectBuffer buffer, final int offset)
    {
        final int source = source(buffer, offset);
        source(buffer, offset, destination(buffer, offset));
        destination(buffer, offset, source);
    }
}
