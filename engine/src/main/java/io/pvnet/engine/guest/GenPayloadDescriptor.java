package io.pvnet.engine.guest;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The probe at the start of every UDP or ICMP payload {@code pvnet gen} sends, and of every datagram a
 * {@link StreamSource} streams back: a per-flow sequence number (losses and reordering at the receiver) and the
 * sender's send time (round-trip time of an echo). Echo servers (the guest's port 7, the kernel's ICMP echo, a UDP
 * echo socket) return the payload unchanged, so the answer carries the probe back. Big-endian, as packet payloads are.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                   sequence (per flow, from 0)                 |  0
 *  +---------------------------------------------------------------+
 *  |                send time (ns, CLOCK_MONOTONIC)                |  4
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |  pattern: byte i of the payload is (i * 7 + 3) &amp; 0xFF       |  12
 *  +---------------------------------------------------------------+
 * </pre>
 * A payload shorter than {@link #LENGTH} carries the pattern only: its answers are counted but not timed.
 */
public final class GenPayloadDescriptor
{
    /** Offset of the sequence number. */
    public static final int SEQUENCE_OFFSET = 0;
    /** Offset of the send time. */
    public static final int SEND_TIME_OFFSET = SEQUENCE_OFFSET + Integer.BYTES;
    /** Bytes of the probe; payloads at least this long are timed. */
    public static final int LENGTH = SEND_TIME_OFFSET + Long.BYTES;

    private GenPayloadDescriptor()
    {
    }

    /**
     * {@return the pattern byte at payload position {@code index}}
     *
     * @param index the position in the payload.
     */
    public static byte patternByte(final int index)
    {
        return (byte)(index * 7 + 3);
    }

    /**
     * Fills {@code buffer[offset, offset + length)} with the pattern: byte {@code i} of it is
     * {@link #patternByte}{@code (i)}.
     *
     * @param buffer the frame being built.
     * @param offset where the payload starts in {@code buffer}.
     * @param length payload bytes to fill.
     */
    public static void fillPattern(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            buffer.putByte(offset + i, patternByte(i));
        }
    }

    /**
     * Writes the probe when the payload of {@code length} bytes has room for it; a shorter payload is left alone.
     *
     * @param buffer     the frame being built.
     * @param offset     where the payload starts in {@code buffer}.
     * @param length     the payload's length in bytes.
     * @param sequence   the flow's sequence number of this datagram, from 0.
     * @param sendTimeNs the send time, {@code System.nanoTime()} (CLOCK_MONOTONIC) of the sender.
     */
    public static void writeProbe(
        final MutableDirectBuffer buffer, final int offset, final int length, final int sequence, final long sendTimeNs)
    {
        if (length >= LENGTH)
        {
            buffer.putInt(offset + SEQUENCE_OFFSET, sequence, ByteOrder.BIG_ENDIAN);
            buffer.putLong(offset + SEND_TIME_OFFSET, sendTimeNs, ByteOrder.BIG_ENDIAN);
        }
    }

    /**
     * {@return the probe's sequence number (payload at least {@link #LENGTH} bytes)}
     *
     * @param buffer the buffer.
     * @param offset offset of the payload.
     */
    public static int sequence(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + SEQUENCE_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /**
     * {@return the probe's send time (payload at least {@link #LENGTH} bytes)}
     *
     * @param buffer the buffer.
     * @param offset offset of the payload.
     */
    public static long sendTimeNs(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + SEND_TIME_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /**
     * {@return whether the last byte of the payload is the pattern's (a cheap check that the answer is whole)}
     *
     * @param buffer the buffer.
     * @param offset offset of the payload.
     * @param length payload bytes.
     */
    public static boolean lastByteMatches(final DirectBuffer buffer, final int offset, final int length)
    {
        return length <= LENGTH || buffer.getByte(offset + length - 1) == patternByte(length - 1);
    }
}
