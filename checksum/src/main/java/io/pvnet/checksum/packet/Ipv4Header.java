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
    public static final int VERSION_IHL_OFFSET = 0;
    public static final int TOS_OFFSET = 1;
    public static final int TOTAL_LENGTH_OFFSET = 2;
    public static final int IDENTIFICATION_OFFSET = 4;
    public static final int FLAGS_FRAGMENT_OFFSET = 6;
    public static final int TTL_OFFSET = 8;
    public static final int PROTOCOL_OFFSET = 9;
    public static final int CHECKSUM_OFFSET = 10;
    public static final int SOURCE_OFFSET = 12;
    public static final int DESTINATION_OFFSET = 16;
    public static final int OPTIONS_OFFSET = 20;
    /** Length without options. */
    public static final int MIN_LENGTH = 20;
    public static final int MAX_LENGTH = 60;
    /** The version/IHL byte of a header without options. */
    public static final int VERSION_IHL_NO_OPTIONS = 0x45;

    public static final int DONT_FRAGMENT = 0x4000;
    public static final int MORE_FRAGMENTS = 0x2000;
    public static final int FRAGMENT_OFFSET_MASK = 0x1FFF;
    /** Mask of the flags/fragment field that is non-zero for any fragment (MF or an offset). */
    public static final int FRAGMENT_MASK = MORE_FRAGMENTS | FRAGMENT_OFFSET_MASK;

    private Ipv4Header()
    {
    }

    public static int version(final DirectBuffer buffer, final int offset)
    {
        return (buffer.getByte(offset + VERSION_IHL_OFFSET) & 0xFF) >>> 4;
    }

    /** @return the header length in bytes (IHL * 4). */
    public static int headerLength(final DirectBuffer buffer, final int offset)
    {
        return (buffer.getByte(offset + VERSION_IHL_OFFSET) & 0x0F) * 4;
    }

    /** Writes version 4 and the IHL for {@code headerLength} bytes. */
    public static void versionAndHeaderLength(final MutableDirectBuffer buffer, final int offset, final int headerLength)
    {
        buffer.putByte(offset + VERSION_IHL_OFFSET, (byte)(0x40 | (headerLength >>> 2)));
    }

    public static int tos(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + TOS_OFFSET) & 0xFF;
    }

    public static void tos(final MutableDirectBuffer buffer, final int offset, final int tos)
    {
        buffer.putByte(offset + TOS_OFFSET, (byte)tos);
    }

    public static int totalLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + TOTAL_LENGTH_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static void totalLength(final MutableDirectBuffer buffer, final int offset, final int totalLength)
    {
        buffer.putShort(offset + TOTAL_LENGTH_OFFSET, (short)totalLength, BIG_ENDIAN);
    }

    public static int identification(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + IDENTIFICATION_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static void identification(final MutableDirectBuffer buffer, final int offset, final int identification)
    {
        buffer.putShort(offset + IDENTIFICATION_OFFSET, (short)identification, BIG_ENDIAN);
    }

    /** @return the 16-bit flags and fragment offset field. */
    public static int flagsFragment(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + FLAGS_FRAGMENT_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static void flagsFragment(final MutableDirectBuffer buffer, final int offset, final int flagsFragment)
    {
        buffer.putShort(offset + FLAGS_FRAGMENT_OFFSET, (short)flagsFragment, BIG_ENDIAN);
    }

    /** @return the fragment offset in bytes. */
    public static int fragmentOffsetBytes(final DirectBuffer buffer, final int offset)
    {
        return (flagsFragment(buffer, offset) & FRAGMENT_OFFSET_MASK) * 8;
    }

    public static int ttl(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + TTL_OFFSET) & 0xFF;
    }

    public static void ttl(final MutableDirectBuffer buffer, final int offset, final int ttl)
    {
        buffer.putByte(offset + TTL_OFFSET, (byte)ttl);
    }

    public static int protocol(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + PROTOCOL_OFFSET) & 0xFF;
    }

    public static void protocol(final MutableDirectBuffer buffer, final int offset, final int protocol)
    {
        buffer.putByte(offset + PROTOCOL_OFFSET, (byte)protocol);
    }

    public static int checksum(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + CHECKSUM_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static void checksum(final MutableDirectBuffer buffer, final int offset, final int checksum)
    {
        buffer.putShort(offset + CHECKSUM_OFFSET, (short)checksum, BIG_ENDIAN);
    }

    public static int source(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + SOURCE_OFFSET, BIG_ENDIAN);
    }

    public static void source(final MutableDirectBuffer buffer, final int offset, final int address)
    {
        buffer.putInt(offset + SOURCE_OFFSET, address, BIG_ENDIAN);
    }

    public static int destination(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + DESTINATION_OFFSET, BIG_ENDIAN);
    }

    public static void destination(final MutableDirectBuffer buffer, final int offset, final int address)
    {
        buffer.putInt(offset + DESTINATION_OFFSET, address, BIG_ENDIAN);
    }

    /** Swaps source and destination addresses in place. */
    public static void swapAddresses(final MutableDirectBuffer buffer, final int offset)
    {
        final int source = source(buffer, offset);
        source(buffer, offset, destination(buffer, offset));
        destination(buffer, offset, source);
    }
}
