package io.pvnet.checksum;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Scalar 64-bit word checksum: reads unaligned little-endian longs and adds their 32-bit halves into two long
 * accumulators (no carries are lost: a long absorbs 2^32 such additions). Summing little-endian words gives the
 * byte-swapped big-endian sum (RFC 1071 byte-order independence), so the result is swapped once at the end.
 */
public final class LongWordChecksum extends InternetChecksum
{
    static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long LOW_HALF = 0xFFFF_FFFFL;

    /** The 64-bit word variant (also {@link Checksums#longWord()}); stateless, so one instance serves every thread. */
    public LongWordChecksum()
    {
    }

    @Override
    public String name()
    {
        return "long";
    }

    @Override
    protected int partial(final MemorySegment segment, final long offset, final int length)
    {
        long lo0 = 0;
        long hi0 = 0;
        long lo1 = 0;
        long hi1 = 0;
        int i = 0;
        for (; i <= length - 32; i += 32)
        {
            final long a = segment.get(LONG_LE, offset + i);
            final long b = segment.get(LONG_LE, offset + i + 8);
            final long c = segment.get(LONG_LE, offset + i + 16);
            final long d = segment.get(LONG_LE, offset + i + 24);
            lo0 += (a & LOW_HALF) + (b & LOW_HALF);
            hi0 += (a >>> 32) + (b >>> 32);
            lo1 += (c & LOW_HALF) + (d & LOW_HALF);
            hi1 += (c >>> 32) + (d >>> 32);
        }
        final long sum = lo0 + hi0 + lo1 + hi1 + littleEndianTail(segment, offset + i, length - i);
        return swapFolded(sum);
    }

    @Override
    protected int copyPartial(
        final MemorySegment src, final long srcOffset, final MemorySegment dst, final long dstOffset, final int length)
    {
        long lo = 0;
        long hi = 0;
        int i = 0;
        for (; i <= length - 16; i += 16)
        {
            final long a = src.get(LONG_LE, srcOffset + i);
            final long b = src.get(LONG_LE, srcOffset + i + 8);
            dst.set(LONG_LE, dstOffset + i, a);
            dst.set(LONG_LE, dstOffset + i + 8, b);
            lo += (a & LOW_HALF) + (b & LOW_HALF);
            hi += (a >>> 32) + (b >>> 32);
        }
        return swapFolded(lo + hi + copyLittleEndianTail(src, srcOffset + i, dst, dstOffset + i, length - i));
    }

    /** Copies and sums (as {@link #littleEndianTail}) the few bytes at the end of a copy-and-sum, unfolded. */
    static long copyLittleEndianTail(
        final MemorySegment src, final long srcOffset, final MemorySegment dst, final long dstOffset, final int length)
    {
        long sum = 0;
        int i = 0;
        for (; i <= length - 8; i += 8)
        {
            final long v = src.get(LONG_LE, srcOffset + i);
            dst.set(LONG_LE, dstOffset + i, v);
            sum += (v & LOW_HALF) + (v >>> 32);
        }
        if (i <= length - 4)
        {
            final int v = src.get(INT_LE, srcOffset + i);
            dst.set(INT_LE, dstOffset + i, v);
            sum += v & LOW_HALF;
            i += 4;
        }
        if (i <= length - 2)
        {
            final short v = src.get(SHORT_LE, srcOffset + i);
            dst.set(SHORT_LE, dstOffset + i, v);
            sum += v & 0xFFFF;
            i += 2;
        }
        if (i < length)
        {
            final byte v = src.get(ValueLayout.JAVA_BYTE, srcOffset + i);
            dst.set(ValueLayout.JAVA_BYTE, dstOffset + i, v);
            sum += v & 0xFF;
        }
        return sum;
    }

    /**
     * Sums fewer than a few words at the end of the data as little-endian words (unfolded). A last odd byte is the high
     * byte of a big-endian word, that is the low byte of a little-endian one.
     */
    static long littleEndianTail(final MemorySegment segment, final long offset, final int length)
    {
        long sum = 0;
        int i = 0;
        for (; i <= length - 8; i += 8)
        {
            final long v = segment.get(LONG_LE, offset + i);
            sum += (v & LOW_HALF) + (v >>> 32);
        }
        if (i <= length - 4)
        {
            sum += segment.get(INT_LE, offset + i) & LOW_HALF;
            i += 4;
        }
        if (i <= length - 2)
        {
            sum += segment.get(SHORT_LE, offset + i) & 0xFFFF;
            i += 2;
        }
        if (i < length)
        {
            sum += segment.get(ValueLayout.JAVA_BYTE, offset + i) & 0xFF;
        }
        return sum;
    }

    /** Folds a little-endian word sum and swaps it into the big-endian sum. */
    static int swapFolded(final long littleEndianSum)
    {
        final int folded = Checksums.fold(littleEndianSum);
        return ((folded << 8) | (folded >>> 8)) & 0xFFFF;
    }
}
