package io.pvnet.engine.guest;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The UDP payload with which {@code pvnet gen --reverse} (or {@code --bidir}) asks a peer to stream datagrams to it:
 * sent to {@link StreamSource#PORT} from the flow's own port, one request per flow; the peer streams to that address
 * and port from {@link StreamSource#PORT}. A {@code pvnet guest} answers it ({@link StreamSource}); for the kernel as
 * peer a small program speaking this layout does (the tests' {@code kernel_client.py source}). Each streamed datagram
 * starts with a {@link GenPayloadDescriptor} probe. Big-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                        magic 'PVGS'                           |  0
 *  +---------------+---------------+-------------------------------+
 *  |  version (1)  | command       |  size count (1..16)           |  4   command: 1 start, 2 stop
 *  +---------------+---------------+-------------------------------+
 *  |            count: datagrams to send (0: until duration)       |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                   duration (ns, at most)                      | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |            rate: datagrams per second (0: flat out)           | 24
 *  |                                                               |
 *  +-------------------------------+-------------------------------+
 *  |  payload size 0 (bytes)       |  payload size 1 ...           | 32   sizes in turn, as a SizeMix
 *  +-------------------------------+-------------------------------+
 *  |  window: most datagrams beyond gen's reports (0: unpaced)     | E = 32 + 2 x size count (optional)
 *  +---------------------------------------------------------------+
 *  |  nonce: carried by gen's reports ({@link StreamControlDescriptor#REPORT})  | E + 4
 *  +---------------------------------------------------------------+
 * </pre>
 * The pacing extension (window, nonce) is optional: a request without it (an older {@code gen}) gets the stream as
 * fast as the ring takes it, and an older {@code pvnet guest} reads a request with it as one without (it checks only
 * that the sizes fit). With it, the peer keeps at most {@code window} datagrams in flight beyond what gen reported
 * ({@link StreamCredit}), so the stream runs at the rate gen takes it with no loss at the switch.
 */
public final class StreamRequestDescriptor
{
    /** 'PVGS'. */
    public static final int MAGIC = 0x5056_4753;
    /** Layout version. */
    public static final int VERSION = 1;
    /** Command: start streaming (a repeated start for a running stream is ignored). */
    public static final int START = 1;
    /** Command: stop streaming. */
    public static final int STOP = 2;
    /** Most sizes in a request. */
    public static final int MAX_SIZES = 16;

    /** Offset of the magic. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the version byte. */
    public static final int VERSION_OFFSET = 4;
    /** Offset of the command byte. */
    public static final int COMMAND_OFFSET = 5;
    /** Offset of the number of sizes. */
    public static final int SIZE_COUNT_OFFSET = 6;
    /** Offset of the datagram count. */
    public static final int COUNT_OFFSET = 8;
    /** Offset of the duration. */
    public static final int DURATION_OFFSET = 16;
    /** Offset of the rate. */
    public static final int RATE_OFFSET = 24;
    /** Offset of the first size. */
    public static final int SIZES_OFFSET = 32;
    /** Bytes of the pacing extension after the sizes (window, nonce). */
    public static final int PACING_LENGTH = 8;

    private StreamRequestDescriptor()
    {
    }

    /**
     * {@return bytes of a request with {@code sizeCount} sizes}
     *
     * @param sizeCount how many sizes it carries (1..{@link #MAX_SIZES}).
     */
    public static int length(final int sizeCount)
    {
        return SIZES_OFFSET + 2 * sizeCount;
    }

    /**
     * Writes a request at {@code offset}.
     *
     * @param buffer     where to write it.
     * @param offset     offset of the request (a UDP payload).
     * @param command    {@link #START} or {@link #STOP}.
     * @param count      datagrams to send, 0 for until the duration ends.
     * @param durationNs the longest the stream runs, in nanoseconds.
     * @param rate       datagrams per second, 0 for flat out.
     * @param sizes      payload sizes, in turn (1..{@link #MAX_SIZES}).
     * @return its length.
     */
    public static int write(
        final MutableDirectBuffer buffer, final int offset, final int command, final long count, final long durationNs,
        final long rate, final int[] sizes)
    {
        return write(buffer, offset, command, count, durationNs, rate, sizes, 0, 0);
    }

    /**
     * Writes a request with the pacing extension at {@code offset}.
     *
     * @param buffer     where to write it.
     * @param offset     offset of the request (a UDP payload).
     * @param command    {@link #START} or {@link #STOP}.
     * @param count      datagrams to send, 0 for until the duration ends.
     * @param durationNs the longest the stream runs, in nanoseconds.
     * @param rate       datagrams per second, 0 for flat out (or paced by the window).
     * @param sizes      payload sizes, in turn (1..{@link #MAX_SIZES}).
     * @param window     most datagrams in flight beyond the requester's reports; 0 for none (no extension written).
     * @param nonce      the nonce the requester's reports carry.
     * @return its length.
     */
    public static int write(
        final MutableDirectBuffer buffer, final int offset, final int command, final long count, final long durationNs,
        final long rate, final int[] sizes, final int window, final int nonce)
    {
        if (sizes.length < 1 || sizes.length > MAX_SIZES)
        {
            throw new IllegalArgumentException("sizes=" + sizes.length + " must be 1.." + MAX_SIZES);
        }
        buffer.putInt(offset + MAGIC_OFFSET, MAGIC, ByteOrder.BIG_ENDIAN);
        buffer.putByte(offset + VERSION_OFFSET, (byte)VERSION);
        buffer.putByte(offset + COMMAND_OFFSET, (byte)command);
        buffer.putShort(offset + SIZE_COUNT_OFFSET, (short)sizes.length, ByteOrder.BIG_ENDIAN);
        buffer.putLong(offset + COUNT_OFFSET, count, ByteOrder.BIG_ENDIAN);
        buffer.putLong(offset + DURATION_OFFSET, durationNs, ByteOrder.BIG_ENDIAN);
        buffer.putLong(offset + RATE_OFFSET, rate, ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < sizes.length; i++)
        {
            buffer.putShort(offset + SIZES_OFFSET + 2 * i, (short)sizes[i], ByteOrder.BIG_ENDIAN);
        }
        if (window <= 0)
        {
            return length(sizes.length);
        }
        buffer.putInt(offset + length(sizes.length), window, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + length(sizes.length) + 4, nonce, ByteOrder.BIG_ENDIAN);
        return length(sizes.length) + PACING_LENGTH;
    }

    /**
     * {@return the window of the pacing extension, 0 when the request (of {@code length} bytes) has none}
     *
     * @param buffer the request's buffer.
     * @param offset offset of the request.
     * @param length payload bytes.
     */
    public static int window(final DirectBuffer buffer, final int offset, final int length)
    {
        final int extension = length(sizeCount(buffer, offset));
        return length < extension + PACING_LENGTH ? 0 :
            Math.max(0, buffer.getInt(offset + extension, ByteOrder.BIG_ENDIAN));
    }

    /**
     * {@return the nonce of the pacing extension (read it when {@link #window} is not 0)}
     *
     * @param buffer the request's buffer.
     * @param offset offset of the request.
     */
    public static int nonce(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + length(sizeCount(buffer, offset)) + 4, ByteOrder.BIG_ENDIAN);
    }

    /**
     * {@return whether the payload starts as a request (magic and version 1), whatever follows} Such a datagram is a
     * request, valid or not ({@link #isValid}); anything else on the port is data or control
     * ({@link StreamControlDescriptor}). A one-way stream's datagram could look like one only with sequence
     * 0x50564753 and a sender's clock past 2^56 ns (2.3 years of uptime): then it is counted as a refused request.
     *
     * @param buffer the buffer.
     * @param offset offset of the payload.
     * @param length payload bytes.
     */
    public static boolean hasHeader(final DirectBuffer buffer, final int offset, final int length)
    {
        return length > VERSION_OFFSET && buffer.getInt(offset + MAGIC_OFFSET, ByteOrder.BIG_ENDIAN) == MAGIC &&
            buffer.getByte(offset + VERSION_OFFSET) == VERSION;
    }

    /**
     * {@return whether {@code length} bytes at {@code offset} are a request this version understands}
     *
     * @param buffer the buffer.
     * @param offset offset of the payload.
     * @param length payload bytes.
     */
    public static boolean isValid(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < SIZES_OFFSET + 2 || !hasHeader(buffer, offset, length))
        {
            return false;
        }
        final int sizes = sizeCount(buffer, offset);
        return sizes >= 1 && sizes <= MAX_SIZES && length >= length(sizes) && count(buffer, offset) >= 0 &&
            durationNs(buffer, offset) >= 0 && rate(buffer, offset) >= 0;
    }

    /**
     * {@return the command ({@link #START} or {@link #STOP})}
     *
     * @param buffer the request's buffer.
     * @param offset offset of the request.
     */
    public static int command(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + COMMAND_OFFSET) & 0xFF;
    }

    /**
     * {@return the number of sizes}
     *
     * @param buffer the request's buffer.
     * @param offset offset of the request.
     */
    public static int sizeCount(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + SIZE_COUNT_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * {@return the datagrams to send (0: until the duration ends)}
     *
     * @param buffer the request's buffer.
     * @param offset offset of the request.
     */
    public static long count(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + COUNT_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /**
     * {@return the longest the stream runs, in nanoseconds}
     *
     * @param buffer the request's buffer.
     * @param offset offset of the request.
     */
    public static long durationNs(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + DURATION_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /**
     * {@return the datagrams per second (0: flat out)}
     *
     * @param buffer the request's buffer.
     * @param offset offset of the request.
     */
    public static long rate(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + RATE_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /**
     * {@return payload size number {@code index} (0 .. size count - 1)}
     *
     * @param buffer the buffer.
     * @param offset offset of the payload.
     * @param index  which size (0 .. size count - 1).
     */
    public static int size(final DirectBuffer buffer, final int offset, final int index)
    {
        return buffer.getShort(offset + SIZES_OFFSET + 2 * index, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }
}
