package io.pvnet.perf.checksum;

import io.pvnet.checksum.Checksums;
import io.pvnet.perf.harness.BenchOptions;
import io.pvnet.perf.harness.Scenario;
import io.pvnet.perf.harness.ScenarioContext;

/**
 * {@code ./pvnet bench --scenario tso}: TSO of one 64 KiB TCP/IPv4 segment into 1448-byte segments, in input GB/s
 * with every IPv4 and TCP checksum included, next to copying and checksumming the same bytes once, fused in one pass
 * ({@code copy+csum}, the strict reading of the goal's baseline) and as a checksum pass then a copy ({@code csum+copy}),
 * and the time ratios.
 */
public final class TsoScenario implements Scenario
{
    @Override
    public String name()
    {
        return "tso";
    }

    @Override
    public String description()
    {
        return "TSO of a 64 KiB TCP/IPv4 segment into 1448-byte segments vs one copy+checksum of 64 KiB (GB/s)";
    }

    /** The figures measured side by side: TSO, and its two baselines. */
    private static final String[] FIGURES = {"tcp4.65536", "copy+csum.65536", "csum+copy.65536"};

    @Override
    public int measurementCount()
    {
        return FIGURES.length;
    }

    /** Its three figures side by side: one warm-up shared by them ({@link ThroughputMeter#interleavedSeconds}). */
    @Override
    public double estimatedSeconds(final BenchOptions options, final double durationSeconds, final double warmupSeconds)
    {
        return ThroughputMeter.interleavedSeconds(FIGURES.length, durationSeconds, warmupSeconds);
    }

    @Override
    public void run(final ScenarioContext context)
    {
        final TsoBenchmark.TsoFixture fixture = new TsoBenchmark.TsoFixture(Checksums.best());
        fixture.check();
        final ThroughputMeter meter = new ThroughputMeter();
        final int bytes = fixture.inputBytes();
        // side by side, so the three see the same machine
        final double[] rates = meter.measureInterleaved(context,
            FIGURES, new long[] {bytes, bytes, bytes},
            new ThroughputMeter.Operation[] {
                times ->
                {
                    int keep = 0;
                    for (long i = 0; i < times; i++)
                    {
                        keep += fixture.segment();
                    }
                    return keep;
                },
                times ->
                {
                    int keep = 0;
                    for (long i = 0; i < times; i++)
                    {
                        keep += fixture.copyAndChecksumOnce();
                    }
                    return keep;
                },
                times ->
                {
                    int keep = 0;
                    for (long i = 0; i < times; i++)
                    {
                        keep += fixture.checksumThenCopy();
                    }
                    return keep;
                }});
        final double tso = rates[0];
        final double baseline = rates[1];
        final double twoPasses = rates[2];
        context.report("tso/copy+csum.time", baseline / tso, "x");
        context.report("tso/csum+copy.time", twoPasses / tso, "x");
    }
}
