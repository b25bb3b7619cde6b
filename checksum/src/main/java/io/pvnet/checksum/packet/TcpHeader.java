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
    /** Offset of the source port field. */
    public static final int SOURCE_PORT_OFFSET = 0;
    /** Offset of the destination port field. */
    public static final int DESTINATION_PORT_OFFSET = 2;
    /** Offset of the sequence field. */
    public static final int SEQUENCE_OFFSET = 4;
    /** Offset of the acknowledgment field. */
    public static final int ACKNOWLEDGMENT_OFFSET = 8;
    /** Offset of the data offset field. */
    public static final int DATA_OFFSET_OFFSET = 12;
    /** Offset of the flags field. */
    public static final int FLAGS_OFFSET = 13;
    /** Offset of the window field. */
    public static final int WINDOW_OFFSET = 14;
    /** Offset of the checksum field. */
    public static final int CHECKSUM_OFFSET = 16;
    /** Offset of the urgent pointer field. */
    public static final int URGENT_POINTER_OFFSET = 18;
    /** Offset of the options field. */
    public static final int OPTIONS_OFFSET = 20;
    /** Length without options. */
    public static final int MIN_LENGTH = 20;

    /** Fin. */
    public static final int FIN = 0x01;
    /** Syn. */
    public static final int SYN = 0x02;
    /** Rst. */
    public static final int RST = 0x04;
    /** Psh. */
    public static final int PSH = 0x08;
    /** Ack. */
    public static final int ACK = 0x10;
    /** Urg. */
    public static final int URG = 0x20;

    /** Option kinds (end of list, no-op, maximum segment size, window scale) and their lengths. */
    public static final int OPTION_END = 0;
    /** Option nop. */
    public static final int OPTION_NOP = 1;
    /** Option MSS. */
    public static final int OPTION_MSS = 2;
    /** Length in bytes of the option MSS. */
    public static final int OPTION_MSS_LENGTH = 4;
    /** Option window scale. */
    public static final int OPTION_WINDOW_SCALE = 3;
    /** Length in bytes of the option window scale. */
    public static final int OPTION_WINDOW_SCALE_LENGTH = 3;

    private TcpHeader()
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
     * Reads the sequence.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the sequence.
     */
    public static long sequence(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + SEQUENCE_OFFSET, BIG_ENDIAN) & 0xFFFF_FFFFL;
    }

    /**
     * Writes the sequence.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param sequence the sequence.
     */
    public static void sequence(final MutableDirectBuffer buffer, final int offset, final long sequence)
    {
        buffer.putInt(offset + SEQUENCE_OFFSET, (int)sequence, BIG_ENDIAN);
    }

    /**
     * Reads the acknowledgment.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the acknowledgment.
     */
    public static long acknowledgment(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + ACKNOWLEDGMENT_OFFSET, BIG_ENDIAN) & 0xFFFF_FFFFL;
    }

    /**
     * Writes the acknowledgment.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param acknowledgment the acknowledgment.
     */
    public static void acknowledgment(final MutableDirectBuffer buffer, final int offset, final long acknowledgment)
    {
        buffer.putInt(offset + ACKNOWLEDGMENT_OFFSET, (int)acknowledgment, BIG_ENDIAN);
    }

    /**
     * The header length in bytes (data offset * 4).
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the header length in bytes (data offset * 4).
     */
    public static int headerLength(final DirectBuffer buffer, final int offset)
    {
        return ((buffer.getByte(offset + DATA_OFFSET_OFFSET) & 0xFF) >>> 4) * 4;
    }

    /**
     * Writes the data offset for {@code headerLength} bytes (the reserved bits become 0).
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param headerLength the header length.
     */
    public static void headerLength(final MutableDirectBuffer buffer, final int offset, final int headerLength)
    {
        buffer.putByte(offset + DATA_OFFSET_OFFSET, (byte)((headerLength / 4) << 4));
    }

    /**
     * Reads the flags.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the flags.
     */
    public static int flags(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + FLAGS_OFFSET) & 0xFF;
    }

    /**
     * Writes the flags.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param flags the flags.
     */
    public static void flags(final MutableDirectBuffer buffer, final int offset, final int flags)
    {
        buffer.putByte(offset + FLAGS_OFFSET, (byte)flags);
    }

    /**
     * Reads the window.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the window.
     */
    public static int window(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + WINDOW_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Writes the window.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param window the window.
     */
    public static void window(final MutableDirectBuffer buffer, final int offset, final int window)
    {
        buffer.putShort(offset + WINDOW_OFFSET, (short)window, BIG_ENDIAN);
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
     * Reads the urgent pointer.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the urgent pointer.
     */
    public static int urgentPointer(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + URGENT_POINTER_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Writes the urgent pointer.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param pointer the pointer.
     */
    public static void urgentPointer(final MutableDirectBuffer buffer, final int offset, final int pointer)
    {
        buffer.putShort(offset + URGENT_POINTER_OFFSET, (short)pointer, BIG_ENDIAN);
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

    /** Offset of an option's length byte, and of its value, from its kind byte. */
    public static final int OPTION_LENGTH_OFFSET = 1;
    /** Offset of the option value field. */
    public static final int OPTION_VALUE_OFFSET = 2;

    /**
     * The maximum segment size option's value in the header at {@code offset}, or -1 when absent.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the maximum segment size option's value in the header at {@code offset}, or -1 when absent.
     */
    public static int mssOption(final DirectBuffer buffer, final int offset)
    {
        final int at = findOption(buffer, offset, OPTION_MSS);
        return at < 0 || (buffer.getByte(at + OPTION_LENGTH_OFFSET) & 0xFF) != OPTION_MSS_LENGTH ? -1 :
            buffer.getShort(at + OPTION_VALUE_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * The window scale option's shift count in the header at {@code offset}, or -1 when absent.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the window scale option's shift count in the header at {@code offset}, or -1 when absent.
     */
    public static int windowScaleOption(final DirectBuffer buffer, final int offset)
    {
        final int at = findOption(buffer, offset, OPTION_WINDOW_SCALE);
        return at < 0 || (buffer.getByte(at + OPTION_LENGTH_OFFSET) & 0xFF) != OPTION_WINDOW_SCALE_LENGTH ? -1 :
            buffer.getByte(at + OPTION_VALUE_OFFSET) & 0xFF;
    }

    /**
     * Writes a maximum segment size option at {@code index};
     *
     * @param buffer the frame or packet buffer.
     * @param index index of the first byte of the field.
     * @param mss the MSS.
     * @return the index after it.
     */
    public static int putMssOption(final MutableDirectBuffer buffer, final int index, final int mss)
    {
        buffer.putInt(index, (OPTION_MSS << 24) | (OPTION_MSS_LENGTH << 16) | (mss & 0xFFFF), BIG_ENDIAN);
        return index + OPTION_MSS_LENGTH;
    }

    /**
     * Finds option {@code kind} in the options of the header at {@code offset} (which must lie inside the segment).
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param kind the kind.
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
