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
    /** Offset of the type field. */
    public static final int TYPE_OFFSET = 0;
    /** Offset of the code field. */
    public static final int CODE_OFFSET = 1;
    /** Offset of the checksum field. */
    public static final int CHECKSUM_OFFSET = 2;
    /** Offset of the rest field. */
    public static final int REST_OFFSET = 4;
    /** Offset of the identifier field. */
    public static final int IDENTIFIER_OFFSET = 4;
    /** Offset of the sequence field. */
    public static final int SEQUENCE_OFFSET = 6;
    /** Length in bytes. */
    public static final int LENGTH = 8;

    /** V4 echo reply. */
    public static final int V4_ECHO_REPLY = 0;
    /** V4 echo request. */
    public static final int V4_ECHO_REQUEST = 8;
    /** V4 time exceeded. */
    public static final int V4_TIME_EXCEEDED = 11;
    /** V6 time exceeded. */
    public static final int V6_TIME_EXCEEDED = 3;
    /** V6 echo request. */
    public static final int V6_ECHO_REQUEST = 128;
    /** V6 echo reply. */
    public static final int V6_ECHO_REPLY = 129;
    /** V6 router solicitation. */
    public static final int V6_ROUTER_SOLICITATION = 133;
    /** V6 neighbour solicitation. */
    public static final int V6_NEIGHBOUR_SOLICITATION = 135;
    /** V6 neighbour advertisement. */
    public static final int V6_NEIGHBOUR_ADVERTISEMENT = 136;
    /** V6 redirect. */
    public static final int V6_REDIRECT = 137;
    /** ICMPv6 types below this are errors (RFC 4443 2.1). */
    public static final int V6_INFORMATIONAL = 128;

    private IcmpHeader()
    {
    }

    /**
     * Reads the type.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the type.
     */
    public static int type(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + TYPE_OFFSET) & 0xFF;
    }

    /**
     * Writes the type.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param type the type.
     */
    public static void type(final MutableDirectBuffer buffer, final int offset, final int type)
    {
        buffer.putByte(offset + TYPE_OFFSET, (byte)type);
    }

    /**
     * Reads the code.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the code.
     */
    public static int code(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + CODE_OFFSET) & 0xFF;
    }

    /**
     * Writes the code.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param code the code.
     */
    public static void code(final MutableDirectBuffer buffer, final int offset, final int code)
    {
        buffer.putByte(offset + CODE_OFFSET, (byte)code);
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
     * The 32-bit rest-of-header word.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the 32-bit rest-of-header word.
     */
    public static int rest(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + REST_OFFSET, BIG_ENDIAN);
    }

    /**
     * Writes the rest.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param rest the rest.
     */
    public static void rest(final MutableDirectBuffer buffer, final int offset, final int rest)
    {
        buffer.putInt(offset + REST_OFFSET, rest, BIG_ENDIAN);
    }

    /**
     * Reads the identifier.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the identifier.
     */
    public static int identifier(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + IDENTIFIER_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Writes the identifier.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param identifier the identifier.
     */
    public static void identifier(final MutableDirectBuffer buffer, final int offset, final int identifier)
    {
        buffer.putShort(offset + IDENTIFIER_OFFSET, (short)identifier, BIG_ENDIAN);
    }

    /**
     * Reads the sequence.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the sequence.
     */
    public static int sequence(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + SEQUENCE_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Writes the sequence.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param sequence the sequence.
     */
    public static void sequence(final MutableDirectBuffer buffer, final int offset, final int sequence)
    {
        buffer.putShort(offset + SEQUENCE_OFFSET, (short)sequence, BIG_ENDIAN);
    }

    /**
     * Writes type, code, a zero checksum and the rest-of-header word.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param type the type.
     * @param code the code.
     * @param rest the rest.
     */
    public static void write(final MutableDirectBuffer buffer, final int offset, final int type, final int code, final int rest)
    {
        buffer.putByte(offset + TYPE_OFFSET, (byte)type);
        buffer.putByte(offset + CODE_OFFSET, (byte)code);
        buffer.putShort(offset + CHECKSUM_OFFSET, (short)0);
        buffer.putInt(offset + REST_OFFSET, rest, BIG_ENDIAN);
    }
}
