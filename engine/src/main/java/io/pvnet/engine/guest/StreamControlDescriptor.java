package io.pvnet.engine.guest;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The control datagrams of a one-way UDP stream counted by its receiver (iperf3's default UDP test): on port
 * {@link StreamSource#PORT} beside the data and {@link StreamRequestDescriptor}'s requests, between the stream's own
 * ports. The sender asks the receiver to count the stream ({@link #RECEIVE}), tells it the stream lives while it sends
 * no data ({@link #KEEPALIVE}) and ends it ({@link #END}); the receiver
 * reports what it counted ({@link #REPORT}) every few frames, every millisecond while frames come, and at once on a
 * {@code RECEIVE} or {@code END}; the sender keeps at most a window of unreported frames in flight
 * ({@link StreamCredit}). The same {@code REPORT}, from {@code gen} to a {@code pvnet guest}, paces a reverse stream.
 * Big-endian, 56 bytes whatever the type, a REPORT 64 (its jitter after them: a receiver that sends 56 reports none,
 * and a reader that knows 56 bytes reads the rest as padding).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                        magic 'PVGS'                           |  0
 *  +---------------+---------------+-------------------------------+
 *  |version 0x82   |  type         |  flags (REPORT: 1 final;      |  4   type: 1 receive, 2 end, 3 report,
 *  |               |               |  RECEIVE: 2 replaces)         |      4 keepalive
 *  +---------------+---------------+-------------------------------+
 *  |   nonce: the sender's name of this count (a report carries it)|  8
 *  +---------------------------------------------------------------+
 *  |   RECEIVE: report every N frames; others 0                    | 12
 *  +---------------------------------------------------------------+
 *  |   A  RECEIVE: base sequence   END, KEEPALIVE: datagrams sent  | 16
 *  |      REPORT: datagrams received since RECEIVE (duplicates too)|
 *  +---------------------------------------------------------------+
 *  |   B  RECEIVE: report interval (ns)  REPORT: payload bytes     | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |   C  REPORT: expected = highest sequence seen + 1 (from 0)    | 32
 *  |      RECEIVE with flag 2: the nonce of the count it replaces  |
 *  +---------------------------------------------------------------+
 *  |   D  REPORT: out of order (arrived after a later one)         | 40
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |   E  REPORT: duplicates                                       | 48
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |   F  REPORT: interarrival jitter (ns, RFC 3550; -1: none yet) | 56  REPORT only
 *  |                                                               |
 *  +---------------------------------------------------------------+
 * </pre>
 * <b>Data and control on one port.</b> A stream's data datagram starts with a {@link GenPayloadDescriptor} probe whose
 * byte 4 is the top byte of a positive send time ({@code System.nanoTime()}), below 0x80; this layout's byte 4 has its
 * top bit set, so no data datagram is ever taken for control, and an older {@code pvnet guest} (which understands
 * version 1 only) counts these as refused requests and ignores them.
 */
public final class StreamControlDescriptor
{
    /** 'PVGS', as {@link StreamRequestDescriptor#MAGIC}. */
    public static final int MAGIC = StreamRequestDescriptor.MAGIC;
    /** Layout version 2, with the top bit that no data probe has at this byte. */
    public static final int VERSION = 0x82;
    /**
     * Type: count the stream from this port. Again with a new nonce while the port's count lives: a restart, taken
     * only with {@link #FLAG_REPLACES} and the live count's nonce in field C ({@link StreamSink}).
     */
    public static final int RECEIVE = 1;
    /** Type: the stream ended; answer with a final report and forget it. */
    public static final int END = 2;
    /** Type: what the receiver counted. */
    public static final int REPORT = 3;
    /**
     * Type: the stream is alive though it sent no data lately (a stream slower than the receiver's idle time keeps its
     * slot, {@link StreamSink}); no answer. A receiver older than it counts it as malformed and ignores it.
     */
    public static final int KEEPALIVE = 4;
    /** Report flag: the answer to an {@link #END}, the stream's last. */
    public static final int FLAG_FINAL = 1;
    /**
     * RECEIVE flag: it restarts the port's count, whose nonce field C carries ({@link #replacedNonce}): proof that the
     * sender of the live count asks, not a spoofer who knows only the address and port.
     */
    public static final int FLAG_REPLACES = 2;
    /** Bytes of every control datagram at least (RECEIVE, END, and a REPORT without jitter). */
    public static final int LENGTH = 56;
    /** Bytes of a REPORT with its jitter. */
    public static final int REPORT_LENGTH = 64;

    /** Offset of the magic. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the version byte. */
    public static final int VERSION_OFFSET = 4;
    /** Offset of the type byte. */
    public static final int TYPE_OFFSET = 5;
    /** Offset of the flags. */
    public static final int FLAGS_OFFSET = 6;
    /** Offset of the nonce. */
    public static final int NONCE_OFFSET = 8;
    /** Offset of the report threshold (RECEIVE). */
    public static final int REPORT_EVERY_OFFSET = 12;
    /** Offset of field A. */
    public static final int A_OFFSET = 16;
    /** Offset of field B. */
    public static final int B_OFFSET = 24;
    /** Offset of field C. */
    public static final int C_OFFSET = 32;
    /** Offset of field D. */
    public static final int D_OFFSET = 40;
    /** Offset of field E. */
    public static final int E_OFFSET = 48;
    /** Offset of field F (a REPORT's jitter). */
    public static final int F_OFFSET = 56;

    private StreamControlDescriptor()
    {
    }

    /**
     * {@return whether {@code length} bytes at {@code offset} are a control datagram of this layout} A datagram with
     * the magic and version but a bad type, a short length or a negative count is not (the caller counts it).
     *
     * @param buffer the buffer.
     * @param offset offset of the UDP payload.
     * @param length payload bytes.
     */
    public static boolean isValid(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < LENGTH || !hasHeader(buffer, offset, length))
        {
            return false;
        }
        final int type = type(buffer, offset);
        return type >= RECEIVE && type <= KEEPALIVE && a(buffer, offset) >= 0 && b(buffer, offset) >= 0 &&
            c(buffer, offset) >= 0 && d(buffer, offset) >= 0 && e(buffer, offset) >= 0;
    }

    /**
     * {@return whether the payload starts as a control datagram (magic and version), whatever follows} Such a datagram
     * is never data; one that is not {@link #isValid} is malformed.
     *
     * @param buffer the buffer.
     * @param offset offset of the UDP payload.
     * @param length payload bytes.
     */
    public static boolean hasHeader(final DirectBuffer buffer, final int offset, final int length)
    {
        return length > VERSION_OFFSET && buffer.getInt(offset + MAGIC_OFFSET, ByteOrder.BIG_ENDIAN) == MAGIC &&
            (buffer.getByte(offset + VERSION_OFFSET) & 0xFF) == VERSION;
    }

    /**
     * Writes a control datagram at {@code offset}.
     *
     * @param buffer the frame being built.
     * @param offset offset of the UDP payload.
     * @param type   {@link #RECEIVE}, {@link #END}, {@link #REPORT} or {@link #KEEPALIVE}.
     * @param flags  {@link #FLAG_FINAL} or 0.
     * @param nonce  the count's nonce.
     * @param every  RECEIVE: report every this many frames; else 0.
     * @param a      field A (see the diagram).
     * @param b      field B.
     * @param c      field C.
     * @param d      field D.
     * @param e      field E.
     * @return {@link #LENGTH}.
     */
    public static int write(
        final MutableDirectBuffer buffer, final int offset, final int type, final int flags, final int nonce,
        final int every, final long a, final long b, final long c, final long d, final long e)
    {
        buffer.putInt(offset + MAGIC_OFFSET, MAGIC, ByteOrder.BIG_ENDIAN);
        buffer.putByte(offset + VERSION_OFFSET, (byte)VERSION);
        buffer.putByte(offset + TYPE_OFFSET, (byte)type);
        buffer.putShort(offset + FLAGS_OFFSET, (short)flags, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + NONCE_OFFSET, nonce, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + REPORT_EVERY_OFFSET, every, ByteOrder.BIG_ENDIAN);
        buffer.putLong(offset + A_OFFSET, a, ByteOrder.BIG_ENDIAN);
        buffer.putLong(offset + B_OFFSET, b, ByteOrder.BIG_ENDIAN);
        buffer.putLong(offset + C_OFFSET, c, ByteOrder.BIG_ENDIAN);
        buffer.putLong(offset + D_OFFSET, d, ByteOrder.BIG_ENDIAN);
        buffer.putLong(offset + E_OFFSET, e, ByteOrder.BIG_ENDIAN);
        return LENGTH;
    }

    /**
     * Writes a report of {@code counter}'s figures.
     *
     * @param buffer  the frame being built.
     * @param offset  offset of the UDP payload.
     * @param nonce   the nonce of the count.
     * @param counter what was counted.
     * @param last    whether it answers an {@link #END}.
     * @return {@link #REPORT_LENGTH}.
     */
    public static int writeReport(
        final MutableDirectBuffer buffer, final int offset, final int nonce, final StreamCounter counter,
        final boolean last)
    {
        write(buffer, offset, REPORT, last ? FLAG_FINAL : 0, nonce, 0, counter.received(),
            counter.payloadBytes(), counter.expected(), counter.outOfOrder(), counter.duplicates());
        buffer.putLong(offset + F_OFFSET, counter.jitterNs(), ByteOrder.BIG_ENDIAN);
        return REPORT_LENGTH;
    }

    /**
     * {@return the type}
     *
     * @param buffer the buffer.
     * @param offset offset of the payload.
     */
    public static int type(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + TYPE_OFFSET) & 0xFF;
    }

    /**
     * {@return the flags}
     *
     * @param buffer the buffer.
     * @param offset offset of the payload.
     */
    public static int flags(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + FLAGS_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * {@return the nonce}
     *
     * @param buffer the buffer.
     * @param offset offset of the payload.
     */
    public static int nonce(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + NONCE_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /**
     * {@return RECEIVE's report threshold in frames}
     *
     * @param buffer the buffer.
     * @param offset offset of the payload.
     */
    public static int reportEvery(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + REPORT_EVERY_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /**
     * {@return field A}
     *
     * @param buffer the buffer.
     * @param offset offset of the payload.
     */
    public static long a(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + A_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /**
     * {@return field B}
     *
     * @param buffer the buffer.
     * @param offset offset of the payload.
     */
    public static long b(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + B_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /**
     * {@return field C}
     *
     * @param buffer the buffer.
     * @param offset offset of the payload.
     */
    public static long c(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + C_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /**
     * {@return field D}
     *
     * @param buffer the buffer.
     * @param offset offset of the payload.
     */
    public static long d(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + D_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /**
     * {@return a REPORT's jitter in nanoseconds, -1 when it has none (56 bytes: an older receiver; or none yet)}
     *
     * @param buffer the buffer.
     * @param offset offset of the payload.
     * @param length payload bytes.
     */
    public static long jitterNs(final DirectBuffer buffer, final int offset, final int length)
    {
        return length < REPORT_LENGTH ? -1 : Math.max(-1, buffer.getLong(offset + F_OFFSET, ByteOrder.BIG_ENDIAN));
    }

    /**
     * {@return whether a RECEIVE restarts the count named {@code nonce}: it has {@link #FLAG_REPLACES} and that
     * nonce in field C}
     *
     * @param buffer the buffer.
     * @param offset offset of the payload.
     * @param nonce  the nonce of the port's live count.
     */
    public static boolean replaces(final DirectBuffer buffer, final int offset, final int nonce)
    {
        return (flags(buffer, offset) & FLAG_REPLACES) != 0 && c(buffer, offset) == replacedNonce(nonce);
    }

    /**
     * {@return field C of a RECEIVE that replaces the count of {@code nonce}: the nonce unsigned, so C stays valid}
     *
     * @param nonce the replaced count's nonce.
     */
    public static long replacedNonce(final int nonce)
    {
        return nonce & 0xFFFF_FFFFL;
    }

    /**
     * {@return field E}
     *
     * @param buffer the buffer.
     * @param offset offset of the payload.
     */
    public static long e(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + E_OFFSET, ByteOrder.BIG_ENDIAN);
    }
}
