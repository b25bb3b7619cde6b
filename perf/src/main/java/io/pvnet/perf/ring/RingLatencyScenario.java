package io.pvnet.perf.ring;

import io.pvnet.perf.harness.ProgressPrinter;
import io.pvnet.perf.harness.Scenario;
import io.pvnet.perf.harness.ScenarioContext;
import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./pvnet bench --scenario ring-latency}: ping-pong round-trip time between two busy-spinning threads, pvnet's
 * ring (request out, response back, both pushed with the notify check) against a plain two-volatile ping-pong
 * ({@link PingPong}). The two alternate in ten slices each so that machine noise hits both alike; every round trip is
 * timed with {@code System.nanoTime()} (the timer's own cost is in both figures) into an HdrHistogram.
 * Figures, in ns: {@code pvnet.rtt.p50}, {@code .p99}, {@code .p999} and the same for {@code baseline}.
 */
public final class RingLatencyScenario implements Scenario
{
    private static final int SLICES = 10;
    private static final String[] NAMES = {"pvnet", "baseline"};

    @Override
    public String name()
    {
        return "ring-latency";
    }

    @Override
    public String description()
    {
        return "ping-pong round trip between two threads: pvnet ring vs two volatile longs (p50/p99/p999 ns)";
    }

    @Override
    public int measurementCount()
    {
        return NAMES.length;
    }

    @Override
    public int busyThreads()
    {
        return 2;
    }

    @Override
    public void run(final ScenarioContext context)
    {
        final Histogram[] histograms = new Histogram[NAMES.length];
        for (int i = 0; i < NAMES.length; i++)
        {
            histograms[i] = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        }
        final AtomicLong roundTrips = new AtomicLong();
        final long warmupSliceNs = context.warmup().toNanos() / SLICES;
        final long sliceNs = context.duration().toNanos() / SLICES;
        try (ProgressPrinter.Line ignored = context.progress("pvnet+baseline (warm-up)", roundTrips::get, 1e-6, "M round trips/s"))
        {
            for (int slice = 0; slice < SLICES; slice++)
            {
                for (int i = 0; i < NAMES.length; i++)
                {
                    runSlice(NAMES[i], warmupSliceNs, null, roundTrips);
                }
            }
        }
        try (ProgressPrinter.Line ignored = context.progress("pvnet+baseline", roundTrips::get, 1e-6, "M round trips/s"))
        {
            for (int slice = 0; slice < SLICES; slice++)
            {
                for (int i = 0; i < NAMES.length; i++)
                {
                    runSlice(NAMES[i], sliceNs, histograms[i], roundTrips);
                }
            }
        }
        for (int i = 0; i < NAMES.length; i++)
        {
            context.report(NAMES[i] + ".rtt.p50", histograms[i].getValueAtPercentile(50), "ns");
            context.report(NAMES[i] + ".rtt.p99", histograms[i].getValueAtPercentile(99), "ns");
            context.report(NAMES[i] + ".rtt.p999", histograms[i].getValueAtPercentile(99.9), "ns");
        }
    }

    private static void runSlice(final String name, final long sliceNs, final Histogram histogram, final AtomicLong roundTrips)
    {
        try (PingPong pingPong = PingPong.create(name))
        {
            pingPong.start();
            long sequence = 0;
            final long deadline = System.nanoTime() + sliceNs;
            long before = System.nanoTime();
            while (before - deadline < 0)
            {
                if (pingPong.roundTrip(++sequence) != sequence)
                {
                    throw new IllegalStateException(name + ": round trip " + sequence + " came back wrong");
                }
                final long after = System.nanoTime();
                if (histogram != null)
                {
                    histogram.recordValue(Math.min(after - before, histogram.getHighestTrackableValue()));
                }
                if ((sequence & 1023) == 0)
                {
                    roundTrips.lazySet(roundTrips.get() + 1024);
                }
                before = after;
            }
        }
    }
}
