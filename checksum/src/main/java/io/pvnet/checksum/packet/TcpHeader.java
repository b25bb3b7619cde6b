package io.pvnet.checksum.packet;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * TCP header (RFC 9293 section 3.1), big-endian, in place at {@code (buffer, offset)}.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |          source port          |       destination port        |  0
 *  +-------------------------------+-------------------------------+
 *  |                        sequence number                        |  4
 *  +---------------------------------------------------------------+
 *  |                     acknowledgment number                     |  8
 *  +-------+-------+---------------+-------------------------------+
 *  | d.off | rsrvd |C|E|U|A|P|R|S|F|            window             |  12
 *  +-------+-------+---------------+-------------------------------+
 *  |           checksum            |        urgent pointer         |  16
 *  +-------------------------------+-------------------------------+
 *  |            options (data offset > 5), padded to 32 bits        |  20
 *  +---------------------------------------------------------------+
 * </pre>
 * Sequence numbers travel as {@code long}s in {@code 0..2^32-1}. Static accessors, no state.
 */
public final class TcpHeader
{
    public static final int SOURCE_PORT_OFFSET = 0;
    public static final int DESTINATION_PORT_OFFSET = 2;
    public static final int SEQUENCE_OFFSET = 4;
    public static final int ACKNOWLEDGMENT_OFFSET = 8;
    public static final int DATA_OFFSET_OFFSET = 12;
    public static final int FLAGS_OFFSET = 13;
    public static final int WINDOW_OFFSET = 14;
    public static final int CHECKSUM_OFFSET = 16;
    public static final int URGENT_POINTER_OFFSET = 18;
    public static final int OPTIONS_OFFSET = 20;
    /** Length without options. */
    public static final int MIN_LENGTH = 20;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;

    /** Option kinds (end of list, no-op, maximum segment size, window scale) and their lengths. */
    public static final int OPTION_END = 0;
    public static final int OPTION_NOP = 1;
    public static final int OPTION_MSS = 2;
    public static final int OPTION_MSS_LENGTH = 4;
    public static final int OPTION_WINDOW_SCALE = 3;
    public static final int OPTION_WINDOW_SCALE_LENGTH = 3;

    private TcpHeader()
    {
    }

    public static int sourcePort(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + SOURCE_PORT_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static void sourcePort(final MutableDirectBuffer buffer, final int offset, final int port)
    {
        buffer.putShort(offset + SOURCE_PORT_OFFSET, (short)port, BIG_ENDIAN);
    }

    public static int destinationPort(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + DESTINATION_PORT_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static void destinationPort(final MutableDirectBuffer buffer, final int offset, final int port)
    {
        buffer.putShort(offset + DESTINATION_PORT_OFFSET, (short)port, BIG_ENDIAN);
    }

    public static long sequence(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + SEQUENCE_OFFSET, BIG_ENDIAN) & 0xFFFF_FFFFL;
    }

    public static void sequence(final MutableDirectBuffer buffer, final int offset, final long sequence)
    {
        buffer.putInt(offset + SEQUENCE_OFFSET, (int)sequence, BIG_ENDIAN);
    }

    public static long acknowledgment(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + ACKNOWLEDGMENT_OFFSET, BIG_ENDIAN) & 0xFFFF_FFFFL;
    }

    public static void acknowledgment(final MutableDirectBuffer buffer, final int offset, final long acknowledgment)
    {
        buffer.putInt(offset + ACKNOWLEDGMENT_OFFSET, (int)acknowledgment, BIG_ENDIAN);
    }

    /** @return the header length in bytes (data offset * 4). */
    public static int headerLength(final DirectBuffer buffer, final int offset)
    {
        return ((buffer.getByte(offset + DATA_OFFSET_OFFSET) & 0xFF) >>> 4) * 4;
    }

    /** Writes the data offset for {@code headerLength} bytes (the reserved bits become 0). */
    public static void headerLength(final MutableDirectBuffer buffer, final int offset, final int headerLength)
    {
        buffer.putByte(offset + DATA_OFFSET_OFFSET, (byte)((headerLength / 4) << 4));
    }

    public static int flags(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + FLAGS_OFFSET) & 0xFF;
    }

    public static void flags(final MutableDirectBuffer buffer, final int offset, final int flags)
    {
        buffer.putByte(offset + FLAGS_OFFSET, (byte)flags);
    }

    public static int window(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + WINDOW_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static void window(final MutableDirectBuffer buffer, final int offset, final int window)
    {
        buffer.putShort(offset + WINDOW_OFFSET, (short)window, BIG_ENDIAN);
    }

    public static int checksum(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + CHECKSUM_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static void checksum(final MutableDirectBuffer buffer, final int offset, final int checksum)
    {
        buffer.putShort(offset + CHECKSUM_OFFSET, (short)checksum, BIG_ENDIAN);
    }

    public static int urgentPointer(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + URGENT_POINTER_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static void urgentPointer(final MutableDirectBuffer buffer, final int offset, final int pointer)
    {
        buffer.putShort(offset + URGENT_POINTER_OFFSET, (short)pointer, BIG_ENDIAN);
    }

    /** Swaps source and destination ports in place. */
    public static void swapPorts(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putInt(offset, Integer.rotateLeft(buffer.getInt(offset, BIG_ENDIAN), 16), BIG_ENDIAN);
    }

    /** Offset of an option's length byte, and of its value, from its kind byte. */
    public static final int OPTION_LENGTH_OFFSET = 1;
    public static final int OPTION_VALUE_OFFSET = 2;

    /** @return the maximum segment size option's value in the header at {@code offset}, or -1 when absent. */
    public static int mssOption(final DirectBuffer buffer, final int offset)
    {
        final int at = findOption(buffer, offset, OPTION_MSS);
        return at < 0 || (buffer.getByte(at + OPTION_LENGTH_OFFSET) & 0xFF) != OPTION_MSS_LENGTH ? -1 :
            buffer.getShort(at + OPTION_VALUE_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /** @return the window scale option's shift count in the header at {@code offset}, or -1 when absent. */
    public static int windowScaleOption(final DirectBuffer buffer, final int offset)
    {
        final int at = findOption(buffer, offset, OPTION_WINDOW_SCALE);
        return at < 0 || (buffer.getByte(at + OPTION_LENGTH_OFFSET) & 0xFF) != OPTION_WINDOW_SCALE_LENGTH ? -1 :
            buffer.getByte(at + OPTION_VALUE_OFFSET) & 0xFF;
    }

    /** Writes a maximum segment size option at {@code index}; @return the index after it. */
    public static int putMssOption(final MutableDirectBuffer buffer, final int index, final int mss)
    {
        buffer.putInt(index, (OPTION_MSS << 24) | (OPTION_MSS_LENGTH << 16) | (mss & 0xFFFF), BIG_ENDIAN);
        return index + OPTION_MSS_LENGTH;
    }

    /**
     * Finds option {@code kind} in the options of the header at {@code offset} (which must lie inside the segment).
     *
     * @return the index of the option's kind byte, or -1 when absent or the list is malformed.
     */
    public static int findOption(final DirectBuffer buffer, final int offset, final int kind)
    {
        final int end = offset + headerLength(buffer, offset);
        int at = offset + OPTIONS_OFFSET;
        while (at < end)
        {
            final int type = buffer.getByte(at) & 0xFF;
            if (type == OPTION_END)
            {
                return -1;
            }
            if (type == OPTION_NOP)
            {
                at++;
                continue;
            }
            if (at + OPTION_LENGTH_OFFSET >= end)
            {
                return -1;
            }
            final int length = buffer.getByte(at + OPTION_LENGTH_OFFSET) & 0xFF;
            if (length < 2 || at + length > end)
            {
                return -1;
            }
            if (type == kind)
            {
                return at;
            }
            at += length;
        }
        return -1;
    }
}
