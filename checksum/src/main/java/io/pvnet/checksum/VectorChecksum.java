package io.pvnet.checksum;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Vector API checksum (needs {@code --add-modules jdk.incubator.vector}). Loads the preferred long species from the
 * memory segment in little-endian order and widens each 64-bit lane into its two 32-bit halves (mask and shift: a
 * zero extension without a cross-lane shuffle), added into long lanes that cannot overflow. The loop is unrolled four
 * times (256 bytes per iteration) into four independent accumulator pairs; the last partial vector is an
 * overlapping load with the bytes already summed masked off; lanes are reduced once, and the little-endian sum is
 * byte-swapped once at the end.
 * <p>
 * The kernels address memory through the constant {@link #EVERYTHING} segment (off-heap buffers, raw addresses),
 * which spares the per-call set-up of a segment parameter; on-heap memory and memory given as a segment (whose own
 * access checks must hold) are summed 64 bits at a time by {@link LongWordChecksum}.
 * <p>
 * Loaded reflectively by {@link Checksums} so that the rest of the module runs without the incubator module.
 */
public final class VectorChecksum extends InternetChecksum
{
    private static final VectorSpecies<Long> SPECIES = LongVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, SPECIES.vectorShape());
    private static final VectorSpecies<Short> SHORTS = VectorSpecies.of(short.class, SPECIES.vectorShape());
    private static final ByteVector IOTA = ByteVector.zero(BYTES).addIndex(1);
    private static final ShortVector SHORT_IOTA = ShortVector.zero(SHORTS).addIndex(1);
    private static final int VECTOR_BYTES = SPECIES.vectorByteSize();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final long LOW_HALF = 0xFFFF_FFFFL;
    private static final LongWordChecksum ON_HEAP = new LongWordChecksum();

    /**
     * A Vector API variant. Prefer {@link Checksums#best()}, which makes one when the incubator module is present;
     * stateless, so one instance serves every thread.
     */
    public VectorChecksum()
    {
    }

    @Override
    public String name()
    {
        return "vector";
    }

    /** {@return the width of the vectors used, in bits} */
    public int vectorBits()
    {
        return SPECIES.vectorBitSize();
    }

    @Override
    protected int partialAt(final long address, final int length)
    {
        if (length < VECTOR_BYTES)
        {
            // less than one vector: 64-bit words (a masked byte load is not intrinsic without AVX-512 and allocates)
            return LongWordChecksum.swapFolded(LongWordChecksum.littleEndianTail(EVERYTHING, address, length));
        }
        LongVector lo0 = LongVector.zero(SPECIES);
        LongVector hi0 = LongVector.zero(SPECIES);
        LongVector lo1 = LongVector.zero(SPECIES);
        LongVector hi1 = LongVector.zero(SPECIES);
        LongVector lo2 = LongVector.zero(SPECIES);
        LongVector hi2 = LongVector.zero(SPECIES);
        LongVector lo3 = LongVector.zero(SPECIES);
        LongVector hi3 = LongVector.zero(SPECIES);
        int i = 0;
        for (; i <= length - 4 * VECTOR_BYTES; i += 4 * VECTOR_BYTES)
        {
            final long at = address + i;
            final LongVector a = LongVector.fromMemorySegment(SPECIES, EVERYTHING, at, LE);
            final LongVector b = LongVector.fromMemorySegment(SPECIES, EVERYTHING, at + VECTOR_BYTES, LE);
            final LongVector c = LongVector.fromMemorySegment(SPECIES, EVERYTHING, at + 2 * VECTOR_BYTES, LE);
            final LongVector d = LongVector.fromMemorySegment(SPECIES, EVERYTHING, at + 3 * VECTOR_BYTES, LE);
            lo0 = lo0.add(a.and(LOW_HALF));
            hi0 = hi0.add(a.lanewise(VectorOperators.LSHR, 32));
            lo1 = lo1.add(b.and(LOW_HALF));
            hi1 = hi1.add(b.lanewise(VectorOperators.LSHR, 32));
            lo2 = lo2.add(c.and(LOW_HALF));
            hi2 = hi2.add(c.lanewise(VectorOperators.LSHR, 32));
            lo3 = lo3.add(d.and(LOW_HALF));
            hi3 = hi3.add(d.lanewise(VectorOperators.LSHR, 32));
        }
        for (; i <= length - VECTOR_BYTES; i += VECTOR_BYTES)
        {
            final LongVector a = LongVector.fromMemorySegment(SPECIES, EVERYTHING, address + i, LE);
            lo0 = lo0.add(a.and(LOW_HALF));
            hi0 = hi0.add(a.lanewise(VectorOperators.LSHR, 32));
        }
        // The last length - i (< 64) bytes: one load of the last 64 bytes (inside the data) with the bytes already
        // summed zeroed. That vector starts length - 64 bytes into the data, so for an odd length its bytes pair the
        // other way round and each 16-bit word is byte-swapped (a sum of swapped words is the swapped sum). Masks,
        // not branches or a helper method: a vector merged across control flow or passed to a call is boxed.
        final ShortVector kept = ByteVector.fromMemorySegment(BYTES, EVERYTHING, address + length - VECTOR_BYTES, LE)
            .blend((byte)0, IOTA.compare(VectorOperators.LT, VECTOR_BYTES - (length - i))).reinterpretAsShorts();
        final LongVector last = kept.blend(kept.lanewise(VectorOperators.ROL, 8),
            SHORT_IOTA.compare(VectorOperators.LT, (length & 1) * VECTOR_BYTES)).reinterpretAsLongs();
        lo2 = lo2.add(last.and(LOW_HALF));
        hi2 = hi2.add(last.lanewise(VectorOperators.LSHR, 32));
        final long lanes = lo0.add(hi0).add(lo1.add(hi1)).add(lo2.add(hi2).add(lo3.add(hi3)))
            .reduceLanes(VectorOperators.ADD);
        return LongWordChecksum.swapFolded(lanes);
    }

    /** On-heap buffers and segments: 64-bit words through the segment (the vector kernels take raw addresses). */
    @Override
    protected int partial(final MemorySegment segment, final long offset, final int length)
    {
        return ON_HEAP.partial(segment, offset, length);
    }

    /** On-heap buffers: 64-bit words. */
    @Override
    protected int copyPartial(
        final MemorySegment src, final long srcOffset, final MemorySegment dst, final long dstOffset, final int length)
    {
        return ON_HEAP.copyPartial(src, srcOffset, dst, dstOffset, length);
    }

    @Override
    protected int copyPartialAt(final long srcAddress, final long dstAddress, final int length)
    {
        if (length < VECTOR_BYTES)
        {
            // less than one vector: 64-bit words (masked byte loads and stores are not intrinsic without AVX-512)
            return LongWordChecksum.swapFolded(
                LongWordChecksum.copyLittleEndianTail(EVERYTHING, srcAddress, EVERYTHING, dstAddress, length));
        }
        LongVector lo0 = LongVector.zero(SPECIES);
        LongVector hi0 = LongVector.zero(SPECIES);
        LongVector lo1 = LongVector.zero(SPECIES);
        LongVector hi1 = LongVector.zero(SPECIES);
        int i = 0;
        for (; i <= length - 2 * VECTOR_BYTES; i += 2 * VECTOR_BYTES)
        {
            final LongVector a = LongVector.fromMemorySegment(SPECIES, EVERYTHING, srcAddress + i, LE);
            final LongVector b = LongVector.fromMemorySegment(SPECIES, EVERYTHING, srcAddress + i + VECTOR_BYTES, LE);
            a.intoMemorySegment(EVERYTHING, dstAddress + i, LE);
            b.intoMemorySegment(EVERYTHING, dstAddress + i + VECTOR_BYTES, LE);
            lo0 = lo0.add(a.and(LOW_HALF));
            hi0 = hi0.add(a.lanewise(VectorOperators.LSHR, 32));
            lo1 = lo1.add(b.and(LOW_HALF));
            hi1 = hi1.add(b.lanewise(VectorOperators.LSHR, 32));
        }
        if (i <= length - VECTOR_BYTES)
        {
            final LongVector a = LongVector.fromMemorySegment(SPECIES, EVERYTHING, srcAddress + i, LE);
            a.intoMemorySegment(EVERYTHING, dstAddress + i, LE);
            lo0 = lo0.add(a.and(LOW_HALF));
            hi0 = hi0.add(a.lanewise(VectorOperators.LSHR, 32));
            i += VECTOR_BYTES;
        }
        // the last length - i (< one vector) bytes in 64-bit words: a masked byte load and store would touch nothing past
        // the end too, but is not intrinsic without AVX-512 and allocates there; i is even, so the bytes pair as above
        final long tail = LongWordChecksum.copyLittleEndianTail(
            EVERYTHING, srcAddress + i, EVERYTHING, dstAddress + i, length - i);
        final long lanes = lo0.add(hi0).add(lo1.add(hi1)).reduceLanes(VectorOperators.ADD);
        return LongWordChecksum.swapFolded(lanes + tail);
    }
}
