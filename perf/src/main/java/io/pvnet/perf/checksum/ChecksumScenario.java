package io.pvnet.perf.checksum;

import io.pvnet.checksum.Checksums;
import io.pvnet.checksum.LongWordChecksum;
import io.pvnet.checksum.ReferenceChecksum;
import io.pvnet.checksum.VectorChecksum;
import io.pvnet.perf.bench.Scenario;
import io.pvnet.perf.bench.ScenarioContext;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * {@code ./pvnet bench --scenario checksum}: checksum throughput in GB/s of each variant over off-heap memory, the C
 * AVX-512 baseline on the same memory (when gcc and AVX-512 are present), and the goal ratios from the same run.
 */
public final class ChecksumScenario implements Scenario
{
    private static final int[] SIZES = {64, 1500, 9000, 65536};

    @Override
    public String name()
    {
        return "checksum";
    }

    @Override
    public String description()
    {
        return "RFC 1071 checksum GB/s: reference, long, vector (Vector API) and C AVX-512 at 64..65536 bytes";
    }

    @Override
    public int measurementCount()
    {
        return 10;
    }

    @Override
    public void run(final ScenarioContext context)
    {
        final UnsafeBuffer data = new UnsafeBuffer(ByteBuffer.allocateDirect(65536 + 64));
        final byte[] random = new byte[data.capacity()];
        new SplittableRandom(1071).nextBytes(random);
        data.putBytes(0, random);
        final ThroughputMeter meter = new ThroughputMeter();
        // exact types, so each figure's loop calls one implementation (as production, where one variant is loaded)
        final ReferenceChecksum reference = (ReferenceChecksum)Checksums.reference();
        final LongWordChecksum longWord = (LongWordChecksum)Checksums.longWord();

        final double reference64 = meter.measure(context, "reference.64", 64, times -> reference(reference, data, 64, times));
        final double reference65536 =
            meter.measure(context, "reference.65536", 65536, times -> reference(reference, data, 65536, times));
        final double long1500 = meter.measure(context, "long.1500", 1500, times -> longWord(longWord, data, 1500, times));
        if (Checksums.vectorOrNull() == null)
        {
            System.out.println("  checksum: jdk.incubator.vector is absent; vector.* not measured");
            return;
        }
        final VectorChecksum vector = (VectorChecksum)Checksums.vectorOrNull();
        final double[] vectorRates = new double[SIZES.length];
        for (int i = 0; i < SIZES.length; i++)
        {
            final int size = SIZES[i];
            vectorRates[i] = meter.measure(context, "vector." + size, size, times -> vector(vector, data, size, times));
        }
        context.report("vector/reference.64", vectorRates[0] / reference64, "x");
        context.report("vector/reference.65536", vectorRates[3] / reference65536, "x");
        context.report("vector/long.1500", vectorRates[1] / long1500, "x");

        final NativeChecksum c = NativeChecksum.loadOrNull();
        if (c == null)
        {
            System.out.println("  checksum: C AVX-512 baseline skipped: " + NativeChecksum.unavailableReason());
            return;
        }
        final long address = data.addressOffset();
        if (c.sum(address, 65535) != vector.sum(data, 0, 65535))
        {
            throw new IllegalStateException("C AVX-512 baseline disagrees with the Java checksum");
        }
        final double c64 = meter.measure(context, "c-avx512.64", 64, times -> cBaseline(c, address, 64, times));
        final double c1500 = meter.measure(context, "c-avx512.1500", 1500, times -> cBaseline(c, address, 1500, times));
        final double c65536 = meter.measure(context, "c-avx512.65536", 65536, times -> cBaseline(c, address, 65536, times));
        context.report("vector/c-avx512.64", vectorRates[0] / c64, "x");
        context.report("vector/c-avx512.1500", vectorRates[1] / c1500, "x");
        context.report("vector/c-avx512.65536", vectorRates[3] / c65536, "x");
    }

    private static int reference(final ReferenceChecksum checksum, final UnsafeBuffer data, final int size, final long times)
    {
        int keep = 0;
        for (long i = 0; i < times; i++)
        {
            keep += checksum.sum(data, 0, size);
        }
        return keep;
    }

    private static int longWord(final LongWordChecksum checksum, final UnsafeBuffer data, final int size, final long times)
    {
        int keep = 0;
        for (long i = 0; i < times; i++)
        {
            keep += checksum.sum(data, 0, size);
        }
        return keep;
    }

    private static int vector(final VectorChecksum checksum, final UnsafeBuffer data, final int size, final long times)
    {
        int keep = 0;
        for (long i = 0; i < times; i++)
        {
            keep += checksum.sum(data, 0, size);
        }
        return keep;
    }

    private static int cBaseline(final NativeChecksum checksum, final long address, final int size, final long times)
    {
        int keep = 0;
        for (long i = 0; i < times; i++)
        {
            keep += checksum.sum(address, size);
        }
        return keep;
    }
}
