package io.pvnet.checksum;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The contract every {@link InternetChecksum} variant meets, subclassed per variant. Expected values come from known
 * vectors (RFC 1071, a real IPv4 header) or from {@link PrefixSums}, an O(1)-per-query oracle built from the RFC 1071
 * definition, which lets the property test check millions of random (offset, length) cases cheaply.
 * <p>
 * System property {@code pvnet.checksum.propertyCases} scales the random property test (default 4,000,000).
 */
abstract class InternetChecksumContractTest
{
    static final int PROPERTY_CASES = Integer.getInteger("pvnet.checksum.propertyCases", 4_000_000);
    private static final int MAX_LENGTH = 65535;
    private static final int SLACK = 128;

    abstract InternetChecksum checksum();

    /** How many random cases this variant runs (the reference is slow, so it runs fewer). */
    int propertyCases()
    {
        return PROPERTY_CASES;
    }

    static UnsafeBuffer directBuffer(final byte[] bytes)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(bytes.length + SLACK));
        buffer.putBytes(0, bytes);
        return buffer;
    }

    static byte[] hex(final String hex)
    {
        final String clean = hex.replace(" ", "");
        final byte[] bytes = new byte[clean.length() / 2];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)Integer.parseInt(clean.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }

    @Test
    void shouldSumRfc1071Section3Example()
    {
        // RFC 1071 section 3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (big-endian words), checksum 220d.
        final UnsafeBuffer buffer = directBuffer(hex("0001f203f4f5f6f7"));
        final int sum = checksum().sum(buffer, 0, 8);
        assertEquals(0xddf2, sum);
        assertEquals(0x220d, Checksums.complement(sum));
    }

    @Test
    void shouldProduceTheChecksumOfARealIpv4Header()
    {
        // An IPv4/UDP header as captured, checksum field b861; zero the field and recompute.
        final byte[] header = hex("4500007300004000401100 00c0a80001c0a800c7".replace(" ", ""));
        final UnsafeBuffer buffer = directBuffer(header);
        assertEquals(0xb861, Checksums.complement(checksum().sum(buffer, 0, 20)));
        buffer.putShort(10, (short)0xb861, java.nio.ByteOrder.BIG_ENDIAN);
        assertEquals(0xffff, checksum().sum(buffer, 0, 20), "a correct header sums to 0xffff");
    }

    @Test
    void shouldReturnTheInitialSumForZeroLength()
    {
        final UnsafeBuffer buffer = directBuffer(new byte[16]);
        assertEquals(0, checksum().sum(buffer, 3, 0));
        assertEquals(0x1234, checksum().sum(buffer, 3, 0, 0x1234));
        assertEquals(0x0001, checksum().sum(buffer, 3, 0, 0x10000), "carry of the initial sum folds in");
    }

    @Test
    void shouldPadAnOddByteWithZero()
    {
        final UnsafeBuffer buffer = directBuffer(hex("ab"));
        assertEquals(0xab00, checksum().sum(buffer, 0, 1));
        final UnsafeBuffer three = directBuffer(hex("0102 03"));
        assertEquals(0x0102 + 0x0300, checksum().sum(three, 0, 3));
    }

    @Test
    void shouldMatchTheKunitMatrixOfEveryAlignmentAndLength()
    {
        // Linux lib/checksum_kunit.c style: every alignment in [0,64) x length in [0,512), random, all-carry and
        // no-carry inputs.
        final SplittableRandom random = new SplittableRandom(0x1071);
        final byte[][] fills = new byte[3][64 + 512 + SLACK];
        random.nextBytes(fills[0]);
        java.util.Arrays.fill(fills[1], (byte)0xFF);
        // fills[2] stays all zero
        for (final byte[] fill : fills)
        {
            final UnsafeBuffer buffer = directBuffer(fill);
            final PrefixSums oracle = new PrefixSums(fill);
            for (int alignment = 0; alignment < 64; alignment++)
            {
                for (int length = 0; length < 512; length++)
                {
                    final int expected = oracle.sum(alignment, length);
                    final int actual = checksum().sum(buffer, alignment, length);
                    if (expected != actual)
                    {
                        assertEquals(expected, actual, "alignment=" + alignment + " length=" + length);
                    }
                }
            }
        }
    }

    @Test
    void shouldAgreeWithTheDefinitionOnRandomOffsetsAndLengths()
    {
        final SplittableRandom random = new SplittableRandom(0xC0FFEE ^ checksum().name().hashCode());
        final byte[] data = new byte[MAX_LENGTH + SLACK];
        random.nextBytes(data);
        final UnsafeBuffer buffer = directBuffer(data);
        final PrefixSums oracle = new PrefixSums(data);
        final int cases = propertyCases();
        for (int i = 0; i < cases; i++)
        {
            // one case in 16 anywhere in 0..65535, the rest frame-sized, so a million cases stay cheap
            final int length = (i & 15) == 0 ? random.nextInt(MAX_LENGTH + 1) : random.nextInt(1600);
            final int offset = random.nextInt(data.length - length + 1);
            final int initial = (i & 3) == 0 ? random.nextInt(0x10000) : 0;
            final int expected = Checksums.add(oracle.sum(offset, length), initial);
            final int actual = checksum().sum(buffer, offset, length, initial);
            if (expected != actual)
            {
                assertEquals(expected, actual, "case=" + i + " offset=" + offset + " length=" + length);
            }
        }
    }

    @Test
    void shouldSumTheFullMaximumLengthAtEveryAlignmentModulo64()
    {
        final SplittableRandom random = new SplittableRandom(65535);
        final byte[] data = new byte[MAX_LENGTH + SLACK];
        random.nextBytes(data);
        final UnsafeBuffer buffer = directBuffer(data);
        final PrefixSums oracle = new PrefixSums(data);
        for (int offset = 0; offset < 64; offset++)
        {
            assertEquals(oracle.sum(offset, MAX_LENGTH), checksum().sum(buffer, offset, MAX_LENGTH), "offset=" + offset);
            assertEquals(oracle.sum(offset, MAX_LENGTH - 1), checksum().sum(buffer, offset, MAX_LENGTH - 1));
        }
    }

    @Test
    void shouldCopyAndSumInOnePass()
    {
        final SplittableRandom random = new SplittableRandom(42);
        final byte[] data = new byte[MAX_LENGTH + SLACK];
        random.nextBytes(data);
        final UnsafeBuffer src = directBuffer(data);
        final UnsafeBuffer dst = new UnsafeBuffer(ByteBuffer.allocateDirect(data.length));
        final PrefixSums oracle = new PrefixSums(data);
        for (int i = 0; i < 3000; i++)
        {
            final int length = (i & 31) == 0 ? random.nextInt(MAX_LENGTH + 1) : random.nextInt(2000);
            final int srcOffset = random.nextInt(data.length - length + 1);
            final int dstOffset = random.nextInt(data.length - length + 1);
            dst.setMemory(0, dst.capacity(), (byte)0x5A);
            final int sum = checksum().copyAndSum(src, srcOffset, dst, dstOffset, length, 7);
            assertEquals(Checksums.add(oracle.sum(srcOffset, length), 7), sum, "length=" + length);
            final byte[] expected = new byte[length];
            final byte[] copied = new byte[length];
            src.getBytes(srcOffset, expected);
            dst.getBytes(dstOffset, copied);
            assertArrayEquals(expected, copied);
            if (dstOffset > 0)
            {
                assertEquals((byte)0x5A, dst.getByte(dstOffset - 1), "no write before the destination");
            }
            if (dstOffset + length < dst.capacity())
            {
                assertEquals((byte)0x5A, dst.getByte(dstOffset + length), "no write after the destination");
            }
        }
    }

    @Test
    void shouldSumHeapBuffersSegmentsAndAddressesAlike()
    {
        final SplittableRandom random = new SplittableRandom(7);
        final byte[] data = new byte[9001];
        random.nextBytes(data);
        final PrefixSums oracle = new PrefixSums(data);
        final UnsafeBuffer heap = new UnsafeBuffer(data);
        final UnsafeBuffer heapSlice = new UnsafeBuffer(data, 1, 9000);
        final UnsafeBuffer direct = directBuffer(data);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment segment = arena.allocate(data.length);
            MemorySegment.copy(data, 0, segment, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, data.length);
            for (final int length : new int[] {0, 1, 63, 64, 65, 1500, 8999})
            {
                final int expected = oracle.sum(1, length);
                assertEquals(expected, checksum().sum(heap, 1, length), "heap " + length);
                assertEquals(expected, checksum().sum(heapSlice, 0, length), "heap slice " + length);
                assertEquals(expected, checksum().sum(direct.addressOffset() + 1, length, 0), "address " + length);
                assertEquals(expected, checksum().sum(segment, 1, length, 0), "segment " + length);
                assertEquals(expected, checksum().sum(MemorySegment.ofArray(data), 1, length, 0), "heap segment");
            }
        }
    }

    @Test
    void shouldRefuseASegmentWhoseArenaIsClosed()
    {
        final Arena arena = Arena.ofConfined();
        final MemorySegment segment = arena.allocate(1500);
        arena.close();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
            () -> checksum().sum(segment, 0, 1500, 0), "a freed segment is not read");
    }

    @Test
    void shouldReadNothingPastTheEndOfExactlySizedMemory()
    {
        final SplittableRandom random = new SplittableRandom(3);
        for (int size = 1; size <= 200; size++)
        {
            final byte[] data = new byte[size];
            random.nextBytes(data);
            final PrefixSums oracle = new PrefixSums(data);
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment exact = arena.allocate(size);
                MemorySegment.copy(data, 0, exact, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, size);
                final MemorySegment copy = arena.allocate(size);
                for (int offset = Math.max(0, size - 70); offset < size; offset++)
                {
                    final int length = size - offset;
                    assertEquals(oracle.sum(offset, length), checksum().sum(exact, offset, length, 0));
                    assertEquals(oracle.sum(offset, length), checksum().sum(new UnsafeBuffer(data), offset, length));
                    assertEquals(oracle.sum(offset, length), checksum().copyAndSum(
                        new UnsafeBuffer(exact.address(), size), offset, new UnsafeBuffer(copy.address(), size), offset,
                        length, 0));
                }
            }
        }
    }

    @Test
    void shouldNotAllocateOnceCompiled()
    {
        // a Vector API value that C2 cannot keep in a register is boxed on every call: this catches it
        final UnsafeBuffer src = directBuffer(new byte[2000]);
        final UnsafeBuffer dst = directBuffer(new byte[2000]);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        long allocated = Long.MAX_VALUE;
        int keep = 0;
        // until a round allocates nothing (a kernel another test sent back to C1 can take seconds to recompile)
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (allocated > 0 && System.nanoTime() < deadline)
        {
            for (int i = 0; i < 20_000; i++)
            {
                keep += sumAndCopyOfSeveralLengths(src, dst, i);
            }
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 20_000; i++)
            {
                keep += sumAndCopyOfSeveralLengths(src, dst, i);
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }
        assertEquals(0, allocated, "bytes allocated by 20,000 rounds of sums and copies (keep " + keep + ")");
    }

    private int sumAndCopyOfSeveralLengths(final UnsafeBuffer src, final UnsafeBuffer dst, final int i)
    {
        final int odd = i & 1;
        return checksum().sum(src, odd, 20 + odd) + checksum().sum(src, odd, 1448 + odd) +
            checksum().copyAndSum(src, odd, dst, 0, 40 + odd, 0) + checksum().copyAndSum(src, 0, dst, odd, 1500 + odd, 0);
    }

    @Test
    void shouldCombinePiecesAtOddDistances()
    {
        final SplittableRandom random = new SplittableRandom(99);
        final byte[] data = new byte[4000];
        random.nextBytes(data);
        final UnsafeBuffer buffer = directBuffer(data);
        for (int split = 0; split <= 1501; split++)
        {
            final int first = checksum().sum(buffer, 0, split);
            final int second = checksum().sum(buffer, split, 1501 - split);
            assertEquals(checksum().sum(buffer, 0, 1501), combine(first, second, split), "split=" + split);
        }
    }

    /** A piece at an odd distance had its bytes paired the other way round: its sum is byte-swapped first (RFC 1071). */
    private static int combine(final int sum, final int pieceSum, final int offset)
    {
        final int piece = Checksums.fold(pieceSum & 0xFFFF_FFFFL);
        return Checksums.add(sum, 0 == (offset & 1) ? piece : ((piece << 8) | (piece >>> 8)) & 0xFFFF);
    }

    /**
     * The RFC 1071 sum of any range in O(1): {@code words[k]} is the sum of the big-endian words starting at
     * k-2, k-4, ... (same parity as k), so the words starting at off, off+2, ... before off+2m sum to
     * {@code words[off+2m] - words[off]}.
     */
    static final class PrefixSums
    {
        private final byte[] data;
        private final long[] words;

        PrefixSums(final byte[] data)
        {
            this.data = data;
            words = new long[data.length + 1];
            for (int k = 2; k <= data.length; k++)
            {
                words[k] = words[k - 2] + (((data[k - 2] & 0xFF) << 8) | (data[k - 1] & 0xFF));
            }
        }

        int sum(final int offset, final int length)
        {
            final int pairs = length / 2;
            long sum = words[offset + 2 * pairs] - words[offset];
            if ((length & 1) != 0)
            {
                sum += (data[offset + length - 1] & 0xFF) << 8;
            }
            return Checksums.fold(sum);
        }
    }
}
