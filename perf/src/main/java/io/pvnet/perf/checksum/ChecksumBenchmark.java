package io.pvnet.perf.checksum;

import io.pvnet.checksum.Checksums;
import io.pvnet.checksum.InternetChecksum;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Each checksum variant over {@code size} bytes of off-heap memory, plus the one-pass copy-and-sum and the C AVX-512
 * baseline on the same memory: {@code ./pvnet jmh ChecksumBenchmark -prof gc}. Scores are ns/op; GB/s = size / score.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ChecksumBenchmark
{
    @Param({"64", "1500", "9000", "65536"})
    int size;

    @Param({"reference", "long", "vector"})
    String variant;

    private InternetChecksum checksum;
    private UnsafeBuffer src;
    private UnsafeBuffer dst;
    private NativeChecksum c;

    @Setup(Level.Trial)
    public void setUp()
    {
        checksum = Checksums.byName(variant);
        src = new UnsafeBuffer(ByteBuffer.allocateDirect(size + 64));
        dst = new UnsafeBuffer(ByteBuffer.allocateDirect(size + 64));
        final byte[] random = new byte[size];
        new SplittableRandom(size).nextBytes(random);
        src.putBytes(0, random);
        c = NativeChecksum.loadOrNull();
    }

    @Benchmark
    public int sum()
    {
        return checksum.sum(src, 0, size);
    }

    @Benchmark
    public int copyAndSum()
    {
        return checksum.copyAndSum(src, 0, dst, 0, size, 0);
    }

    /** The C baseline (runs once per variant parameter; the variant does not matter to it). */
    @Benchmark
    public int cAvx512()
    {
        return c == null ? -1 : c.sum(src.addressOffset(), size);
    }
}
