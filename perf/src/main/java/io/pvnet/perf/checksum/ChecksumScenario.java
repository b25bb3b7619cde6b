package io.pvnet.perf.checksum;

import io.pvnet.checksum.Checksums;
import io.pvnet.checksum.LongWordChecksum;
import io.pvnet.checksum.ReferenceChecksum;
import io.pvnet.checksum.VectorChecksum;
import io.pvnet.perf.harness.Scenario;
import io.pvnet.perf.harness.ScenarioContext;
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
        final double vector9000 = meter.measure(context, "vector.9000", 9000, times -> vector(vector, data, 9000, times));
        final NativeChecksum c = NativeChecksum.loadOrNull();
        if (c == null)
        {
            System.out.println("  checksum: C AVX-512 baseline skipped: " + NativeChecksum.unavailableReason());
        }
        else if (c.sum(data.addressOffset(), 65535) != vector.sum(data, 0, 65535))
        {
            throw new IllegalStateException("C AVX-512 baseline disagrees with the Java checksum");
        }
        final long address = data.addressOffset();
        final double[] vectorRates = new double[SIZES.length];
        for (final int size : SIZES)
        {
            if (size == 9000)
            {
                continue;
            }
            final ThroughputMeter.Operation java = times -> vector(vector, data, size, times);
            final int slot = size == 64 ? 0 : size == 1500 ? 1 : 3;
            if (c == null)
            {
                // without the C baseline the ratios to the Java references below still need this rate
                vectorRates[slot] = meter.measure(context, "vector." + size, size, java);
                continue;
            }
            // side by side, so both see the same machine
            final double[] rates = meter.measureInterleaved(context,
                new String[] {"vector." + size, "c-avx512." + size}, new long[] {size, size},
                new ThroughputMeter.Operation[] {java, times -> cBaseline(c, address, size, times)});
            context.report("vector/c-avx512." + size, rates[0] / rates[1], "x");
            vectorRates[slot] = rates[0];
        }
        vectorRates[2] = vector9000;
        context.report("vector/reference.64", vectorRates[0] / reference64, "x");
        context.report("vector/reference.65536", vectorRates[3] / reference65536, "x");
        context.report("vector/long.1500", vectorRates[1] / long1500, "x");
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
