package io.pvnet.checksum.packet;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * ICMP (RFC 792) and ICMPv6 (RFC 4443) header, big-endian, in place at {@code (buffer, offset)}: both share the
 * first 8 bytes.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+-------------------------------+
 *  |     type      |     code      |           checksum            |  0
 *  +---------------+---------------+-------------------------------+
 *  |   identifier (echo) / rest of header (unused, MTU, flags)     |  4
 *  +-------------------------------+-------------------------------+
 *  |  sequence number (echo)       |                                  6
 *  +-------------------------------+
 * </pre>
 * The ICMPv4 checksum covers the message; the ICMPv6 checksum adds the IPv6 pseudo-header (RFC 8200 section 8.1).
 * Neighbour discovery bodies: {@link NeighbourDiscovery}. Static accessors, no state.
 */
public final class IcmpHeader
{
    public static final int TYPE_OFFSET = 0;
    public static final int CODE_OFFSET = 1;
    public static final int CHECKSUM_OFFSET = 2;
    public static final int REST_OFFSET = 4;
    public static final int IDENTIFIER_OFFSET = 4;
    public static final int SEQUENCE_OFFSET = 6;
    public static final int LENGTH = 8;

    public static final int V4_ECHO_REPLY = 0;
    public static final int V4_ECHO_REQUEST = 8;
    public static final int V4_TIME_EXCEEDED = 11;
    public static final int V6_TIME_EXCEEDED = 3;
    public static final int V6_ECHO_REQUEST = 128;
    public static final int V6_ECHO_REPLY = 129;
    public static final int V6_ROUTER_SOLICITATION = 133;
    public static final int V6_NEIGHBOUR_SOLICITATION = 135;
    public static final int V6_NEIGHBOUR_ADVERTISEMENT = 136;
    public static final int V6_REDIRECT = 137;
    /** ICMPv6 types below this are errors (RFC 4443 2.1). */
    public static final int V6_INFORMATIONAL = 128;

    private IcmpHeader()
    {
    }

    public static int type(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + TYPE_OFFSET) & 0xFF;
    }

    public static void type(final MutableDirectBuffer buffer, final int offset, final int type)
    {
        buffer.putByte(offset + TYPE_OFFSET, (byte)type);
    }

    public static int code(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + CODE_OFFSET) & 0xFF;
    }

    public static void code(final MutableDirectBuffer buffer, final int offset, final int code)
    {
        buffer.putByte(offset + CODE_OFFSET, (byte)code);
    }

    public static int checksum(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + CHECKSUM_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static void checksum(final MutableDirectBuffer buffer, final int offset, final int checksum)
    {
        buffer.putShort(offset + CHECKSUM_OFFSET, (short)checksum, BIG_ENDIAN);
    }

    /** @return the 32-bit rest-of-header word. */
    public static int rest(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + REST_OFFSET, BIG_ENDIAN);
    }

    public static void rest(final MutableDirectBuffer buffer, final int offset, final int rest)
    {
        buffer.putInt(offset + REST_OFFSET, rest, BIG_ENDIAN);
    }

    public static int identifier(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + IDENTIFIER_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static void identifier(final MutableDirectBuffer buffer, final int offset, final int identifier)
    {
        buffer.putShort(offset + IDENTIFIER_OFFSET, (short)identifier, BIG_ENDIAN);
    }

    public static int sequence(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + SEQUENCE_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static void sequence(final MutableDirectBuffer buffer, final int offset, final int sequence)
    {
        buffer.putShort(offset + SEQUENCE_OFFSET, (short)sequence, BIG_ENDIAN);
    }

    /** Writes type, code, a zero checksum and the rest-of-header word. */
    public static void write(final MutableDirectBuffer buffer, final int offset, final int type, final int code, final int rest)
    {
        buffer.putByte(offset + TYPE_OFFSET, (byte)type);
        buffer.putByte(offset + CODE_OFFSET, (byte)code);
        buffer.putShort(offset + CHECKSUM_OFFSET, (short)0);
        buffer.putInt(offset + REST_OFFSET, rest, BIG_ENDIAN);
    }
}
