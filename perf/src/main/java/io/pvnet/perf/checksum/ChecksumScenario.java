package io.pvnet.perf.checksum;

import io.pvnet.checksum.Checksums;
import io.pvnet.checksum.InternetChecksum;
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
        final InternetChecksum reference = Checksums.reference();
        final InternetChecksum longWord = Checksums.longWord();
        final InternetChecksum vector = Checksums.vectorOrNull();

        final double reference64 = measureJava(context, meter, reference, data, 64);
        final double reference65536 = measureJava(context, meter, reference, data, 65536);
        final double long1500 = measureJava(context, meter, longWord, data, 1500);
        if (vector == null)
        {
            System.out.println("  checksum: jdk.incubator.vector is absent; vector.* not measured");
            return;
        }
        final double[] vectorRates = new double[SIZES.length];
        for (int i = 0; i < SIZES.length; i++)
        {
            vectorRates[i] = measureJava(context, meter, vector, data, SIZES[i]);
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
        final double c64 = meter.measure(context, "c-avx512.64", 64, () -> c.sum(address, 64));
        final double c1500 = meter.measure(context, "c-avx512.1500", 1500, () -> c.sum(address, 1500));
        final double c65536 = meter.measure(context, "c-avx512.65536", 65536, () -> c.sum(address, 65536));
        context.report("vector/c-avx512.64", vectorRates[0] / c64, "x");
        context.report("vector/c-avx512.1500", vectorRates[1] / c1500, "x");
        context.report("vector/c-avx512.65536", vectorRates[3] / c65536, "x");
    }

    private static double measureJava(
        final ScenarioContext context, final ThroughputMeter meter, final InternetChecksum checksum,
        final UnsafeBuffer data, final int size)
    {
        return meter.measure(context, checksum.name() + "." + size, size, () -> checksum.sum(data, 0, size));
    }
}
