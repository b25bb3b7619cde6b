package io.pvnet.engine.guest;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The character generator's stream (RFC 864's "popular pattern", as BSD inetd's chargen sends it): lines of 72
 * printable ASCII characters and CR LF, line {@code n} starting at the {@code n mod 95}-th printable character
 * (space first) and going on around the ring of 95, so the stream repeats every {@link #PERIOD} bytes. Kept once, a
 * period plus {@code maxCopy} bytes long, so any stretch of up to {@code maxCopy} bytes is one copy from it.
 * <p>
 * Immutable after construction; any thread may copy from it.
 */
final class ChargenPattern
{
    /** Characters of a line before its CR LF. */
    static final int LINE = 72;
    /** The printable ASCII characters, {@code ' '} to {@code '~'}. */
    static final int PRINTABLE = 95;
    /** Bytes after which the stream repeats: 95 lines of 72 characters and CR LF. */
    static final int PERIOD = PRINTABLE * (LINE + 2);

    private final UnsafeBuffer pattern;
    private final int maxCopy;

    /** @param maxCopy the most bytes one {@link #copy} takes. */
    ChargenPattern(final int maxCopy)
    {
        this.maxCopy = maxCopy;
        pattern = new UnsafeBuffer(ByteBuffer.allocateDirect(PERIOD + maxCopy));
        for (int i = 0; i < pattern.capacity(); i++)
        {
            final int offset = i % PERIOD;
            final int line = offset / (LINE + 2);
            final int column = offset % (LINE + 2);
            pattern.putByte(i, column == LINE ? (byte)'\r' : column == LINE + 1 ? (byte)'\n' :
                (byte)(' ' + (line + column) % PRINTABLE));
        }
    }

    /**
     * Copies {@code length} bytes of the stream from its byte {@code streamOffset} on.
     *
     * @param streamOffset where in the stream (any non-negative offset; the stream repeats).
     * @param length       bytes to copy, at most the {@code maxCopy} this pattern was made for.
     */
    void copy(final long streamOffset, final MutableDirectBuffer to, final int toOffset, final int length)
    {
        if (length > maxCopy)
        {
            throw new IllegalArgumentException("length=" + length + " maxCopy=" + maxCopy);
        }
        to.putBytes(toOffset, pattern, (int)(streamOffset % PERIOD), length);
    }
}
