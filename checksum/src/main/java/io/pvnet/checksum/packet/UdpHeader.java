package io.pvnet.checksum.packet;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * UDP header (RFC 768), big-endian, in place at {@code (buffer, offset)}.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |          source port          |       destination port        |  0
 *  +-------------------------------+-------------------------------+
 *  |     length (header + data)    |           checksum            |  4
 *  +-------------------------------+-------------------------------+
 * </pre>
 * Over IPv4 a checksum of 0 means "none" and a computed 0 is sent as 0xFFFF. Static accessors, no state.
 */
public final class UdpHeader
{
    /** Offset of the source port field. */
    public static final int SOURCE_PORT_OFFSET = 0;
    /** Offset of the destination port field. */
    public static final int DESTINATION_PORT_OFFSET = 2;
    /** Offset of the length field. */
    public static final int LENGTH_OFFSET = 4;
    /** Offset of the checksum field. */
    public static final int CHECKSUM_OFFSET = 6;
    /** Length in bytes. */
    public static final int LENGTH = 8;

    private UdpHeader()
    {
    }

    /**
     * Reads the source port.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the source port.
     */
    public static int sourcePort(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + SOURCE_PORT_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Writes the source port.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param port the port.
     */
    public static void sourcePort(final MutableDirectBuffer buffer, final int offset, final int port)
    {
        buffer.putShort(offset + SOURCE_PORT_OFFSET, (short)port, BIG_ENDIAN);
    }

    /**
     * Reads the destination port.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the destination port.
     */
    public static int destinationPort(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + DESTINATION_PORT_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Writes the destination port.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param port the port.
     */
    public static void destinationPort(final MutableDirectBuffer buffer, final int offset, final int port)
    {
        buffer.putShort(offset + DESTINATION_PORT_OFFSET, (short)port, BIG_ENDIAN);
    }

    /**
     * Reads the length.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the length.
     */
    public static int length(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + LENGTH_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Writes the length.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param length the length in bytes.
     */
    public static void length(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        buffer.putShort(offset + LENGTH_OFFSET, (short)length, BIG_ENDIAN);
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
     * Swaps source and destination ports in place.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     */
    public static void swapPorts(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putInt(offset, Integer.rotateLeft(buffer.getInt(offset, BIG_ENDIAN), 16), BIG_ENDIAN);
    }
}
