package io.pvnet.checksum;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.lang.foreign.MemorySegment;

/**
 * The RFC 1071 Internet checksum over memory: the one's complement sum of 16-bit big-endian words, a trailing odd
 * byte padded with a zero byte.
 * <p>
 * Every {@code sum} method returns the <em>folded, not complemented</em> 16-bit sum ({@code 0..0xFFFF}) with
 * {@code initial} (any non-negative partial sum, for example a pseudo-header sum) added in. The checksum field value
 * is {@link Checksums#complement(int)} of it. Sums of adjacent pieces combine with {@link Checksums#add(int, int)}
 * when the second piece starts at an even distance from the first (at an odd distance, swap the second sum's bytes
 * first).
 * <p>
 * Variants differ only in speed: {@link ReferenceChecksum} (byte pairs), {@link LongWordChecksum} (64-bit words)
 * and {@code VectorChecksum} (Java Vector API), chosen by {@link Checksums#best()}.
 * <p>
 * Threading: instances are stateless and may be shared by any number of threads. Bounds are checked against the
 * buffer or segment given (a misuse throws {@link IndexOutOfBoundsException}); raw-address calls trust the caller.
 */
public abstract class InternetChecksum
{
    /** A segment spanning the whole address space, so raw addresses can be read without allocating a segment. */
    protected static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    /** For the variants: a subclass implements {@link #partial} and {@link #copyPartial}, and keeps no state. */
    protected InternetChecksum()
    {
    }

    /** {@return a short name: {@code reference}, {@code long} or {@code vector}} */
    public abstract String name();

    /**
     * The sum of {@code length} bytes of {@code segment} at {@code offset}, big-endian words, folded to 16 bits.
     * Implementations need not check bounds; the public entry points do.
     * @param segment the memory.
     * @param offset the first byte's offset in {@code segment}.
     * @param length bytes to sum.
     * @return the folded sum.
     */
    protected abstract int partial(MemorySegment segment, long offset, int length);

    /**
     * Copies {@code length} bytes from {@code src} to {@code dst} and returns their sum, folded to 16 bits.
     * The two ranges must not overlap. Implementations need not check bounds.
     * @param src the source memory.
     * @param srcOffset the first byte's offset in {@code src}.
     * @param dst the destination memory.
     * @param dstOffset where in {@code dst} the copy starts.
     * @param length bytes to copy and sum.
     * @return the folded sum of the bytes copied.
     */
    protected abstract int copyPartial(MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset, int length);

    /**
     * {@link #partial} over raw memory (off-heap buffers, addresses). A variant overrides it when a
     * kernel that addresses memory through the constant {@link #EVERYTHING} segment is faster: the JIT then drops the
     * per-call set-up a segment parameter costs (about 5 ns a call, a sixth of a 1448-byte TSO segment).
     * @param address native address of the first byte.
     * @param length bytes to sum.
     * @return the folded sum.
     */
    protected int partialAt(final long address, final int length)
    {
        return partial(EVERYTHING, address, length);
    }

    /**
     * {@link #copyPartial} over raw memory; see {@link #partialAt}.
     * @param srcAddress native address of the first source byte.
     * @param dstAddress native address of the first destination byte.
     * @param length bytes to copy and sum.
     * @return the folded sum of the bytes copied.
     */
    protected int copyPartialAt(final long srcAddress, final long dstAddress, final int length)
    {
        return copyPartial(EVERYTHING, srcAddress, EVERYTHING, dstAddress, length);
    }

    /**
     * {@return the folded sum, {@code 0..0xFFFF}}
     * @param buffer  the bytes (off-heap or on-heap Agrona buffer).
     * @param index   first byte.
     * @param length  number of bytes, may be odd or zero.
     * @param initial a partial sum to add in, {@code >= 0}.
     */
    public final int sum(final DirectBuffer buffer, final int index, final int length, final int initial)
    {
        buffer.boundsCheck(index, length);
        final byte[] array = buffer.byteArray();
        final int partial = null == array ?
            partialAt(buffer.addressOffset() + index, length) :
            partial(MemorySegment.ofArray(array), buffer.addressOffset() - BufferUtil.ARRAY_BASE_OFFSET + index, length);
        return Checksums.add(partial, initial);
    }

    /**
     * As {@link #sum(DirectBuffer, int, int, int)} with no initial sum.
     * @param buffer the bytes (off-heap or on-heap Agrona buffer).
     * @param index first byte.
     * @param length number of bytes, may be odd or zero.
     * @return the folded sum, {@code 0..0xFFFF}.
     */
    public final int sum(final DirectBuffer buffer, final int index, final int length)
    {
        return sum(buffer, index, length, 0);
    }

    /**
     * As {@link #sum(DirectBuffer, int, int, int)} over raw memory; the caller guarantees the range is readable.
     * @param address native address of the first byte.
     * @param length number of bytes, may be odd or zero.
     * @param initial a partial sum to add in, {@code >= 0}.
     * @return the folded sum, {@code 0..0xFFFF}.
     */
    public final int sum(final long address, final int length, final int initial)
    {
        return Checksums.add(partialAt(address, length), initial);
    }

    /**
     * As {@link #sum(DirectBuffer, int, int, int)} over a segment (bounds checked against it). Reads go through the
     * segment, so its own checks (arena alive, thread confinement) hold; the raw-address kernels do not serve it.
     * @param segment the memory.
     * @param offset the first byte's offset in {@code segment}.
     * @param length number of bytes, may be odd or zero.
     * @param initial a partial sum to add in, {@code >= 0}.
     * @return the folded sum, {@code 0..0xFFFF}.
     */
    public final int sum(final MemorySegment segment, final long offset, final int length, final int initial)
    {
        java.util.Objects.checkFromIndexSize(offset, length, segment.byteSize());
        return Checksums.add(partial(segment, offset, length), initial);
    }

    /**
     * Copies {@code length} bytes and sums them in one pass (the TSO and grant-copy paths use it).
     *
     * @param src the bytes to copy.
     * @param srcIndex first byte in {@code src}.
     * @param dst where they go; must not overlap the source range.
     * @param dstIndex where in {@code dst} the copy starts.
     * @param length number of bytes, may be odd or zero.
     * @param initial a partial sum to add in, {@code >= 0}.
     * @return the folded sum of the copied bytes plus {@code initial}.
     */
    public final int copyAndSum(
        final DirectBuffer src, final int srcIndex, final MutableDirectBuffer dst, final int dstIndex, final int length,
        final int initial)
    {
        src.boundsCheck(srcIndex, length);
        dst.boundsCheck(dstIndex, length);
        final byte[] srcArray = src.byteArray();
        final byte[] dstArray = dst.byteArray();
        if (null == srcArray && null == dstArray)
        {
            return Checksums.add(copyPartialAt(src.addressOffset() + srcIndex, dst.addressOffset() + dstIndex, length),
                initial);
        }
        final MemorySegment srcSegment = null == srcArray ? EVERYTHING : MemorySegment.ofArray(srcArray);
        final long srcOffset = null == srcArray ? src.addressOffset() : src.addressOffset() - BufferUtil.ARRAY_BASE_OFFSET;
        final MemorySegment dstSegment = null == dstArray ? EVERYTHING : MemorySegment.ofArray(dstArray);
        final long dstOffset = null == dstArray ? dst.addressOffset() : dst.addressOffset() - BufferUtil.ARRAY_BASE_OFFSET;
        return Checksums.add(
            copyPartial(srcSegment, srcOffset + srcIndex, dstSegment, dstOffset + dstIndex, length), initial);
    }

    /**
     * As {@link #copyAndSum(DirectBuffer, int, MutableDirectBuffer, int, int, int)} over raw addresses.
     * @param srcAddress native address of the first source byte.
     * @param dstAddress native address of the first destination byte; the ranges must not overlap.
     * @param length number of bytes, may be odd or zero.
     * @param initial a partial sum to add in, {@code >= 0}.
     * @return the folded sum of the copied bytes plus {@code initial}.
     */
    public final int copyAndSum(final long srcAddress, final long dstAddress, final int length, final int initial)
    {
        return Checksums.add(copyPartialAt(srcAddress, dstAddress, length), initial);
    }

    @Override
    public String toString()
    {
        return name();
    }
}
