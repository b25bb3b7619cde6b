package io.pvnet.perf.ring;

import io.pvnet.perf.harness.BenchOptions;
import io.pvnet.perf.harness.ProgressPrinter;
import io.pvnet.perf.harness.Scenario;
import io.pvnet.perf.harness.ScenarioContext;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./pvnet bench --scenario ring}: 64-byte frame throughput between two threads, in Mframes/s, for pvnet's ring
 * (frames consumed and answered) and, in the same run, Agrona's OneToOneRingBuffer and JCTools' SpscArrayQueue
 * ({@link FrameTransport}). Figures: {@code pvnet.batch1}, {@code pvnet.batch32}, {@code pvnet-padded.batch32},
 * {@code agrona.batch32}, {@code jctools.batch32}. Each figure is the median of {@value #ROUNDS} slices measured in
 * interleaved rounds (pvnet, agrona, jctools, pvnet, ...), so that load from elsewhere on the machine hits all alike.
 */
public final class RingScenario implements Scenario
{
    private static final String[] TRANSPORTS = {"pvnet", "pvnet", "pvnet-padded", "agrona", "jctools"};
    private static final int[] BATCHES = {1, 32, 32, 32, 32};
    /** Each figure is measured in this many slices, interleaved with the others; the median slice is reported. */
    private static final int ROUNDS = 5;
    /**
     * Both threads busy-spin, and yield only after this many empty (or full) attempts in a row: on a quiet machine they
     * never get there, on a busy one it lets a descheduled peer run instead of spinning out a whole time slice.
     * The same for every transport.
     */
    private static final int SPINS_BEFORE_YIELD = 10_000;

    @Override
    public String name()
    {
        return "ring";
    }

    @Override
    public String description()
    {
        return "64 B frames between two threads: pvnet ring (both layouts) vs Agrona OneToOneRingBuffer and JCTools SpscArrayQueue";
    }

    @Override
    public int measurementCount()
    {
        return TRANSPORTS.length;
    }

    @Override
    public int busyThreads()
    {
        return 2;
    }

    /** One warm-up shared by the transports, then their interleaved rounds: a duration each. */
    @Override
    public double estimatedSeconds(final BenchOptions options, final double durationSeconds, final double warmupSeconds)
    {
        return warmupSeconds + TRANSPORTS.length * durationSeconds;
    }

    @Override
    public void run(final ScenarioContext context) throws Exception
    {
        final String[] figures = new String[TRANSPORTS.length];
        final double[][] rates = new double[TRANSPORTS.length][ROUNDS];
        for (int i = 0; i < TRANSPORTS.length; i++)
        {
            figures[i] = TRANSPORTS[i] + ".batch" + BATCHES[i];
        }
        // the summary shows pvnet.X as ratios to jctools.X and agrona.X, and the gain of batching
        context.baseline("jctools");
        context.baseline("agrona");
        context.compare("pvnet.batch32", "pvnet.batch1");
        final AtomicLong consumed = new AtomicLong();
        final long warmupSliceNs = context.warmup().toNanos() / TRANSPORTS.length;
        try (ProgressPrinter.Line ignored = context.progress("all (warm-up)", consumed::get, 1e-6, "Mframes/s"))
        {
            for (int i = 0; i < TRANSPORTS.length; i++)
            {
                measure(FrameTransport.create(TRANSPORTS[i]), BATCHES[i], warmupSliceNs, consumed);
            }
        }
        // interleaved rounds: noise from the rest of the machine hits every figure alike
        final long sliceNs = context.duration().toNanos() / ROUNDS;
        try (ProgressPrinter.Line ignored = context.progress("all, interleaved", consumed::get, 1e-6, "Mframes/s"))
        {
            for (int round = 0; round < ROUNDS; round++)
            {
                for (int i = 0; i < TRANSPORTS.length; i++)
                {
                    rates[i][round] = measure(FrameTransport.create(TRANSPORTS[i]), BATCHES[i], sliceNs, consumed);
                }
            }
        }
        for (int i = 0; i < TRANSPORTS.length; i++)
        {
            Arrays.sort(rates[i]);
            context.report(figures[i], rates[i][ROUNDS / 2] / 1e6, "Mframes/s");
        }
    }

    /**
     * Runs a producer and a consumer thread over {@code transport} for a tenth of a slice, then one slice.
     *
     * @param consumed running total of frames consumed, added to by the consumer thread (read by the progress line).
     * @return frames per second over the slice.
     */
    static double measure(final FrameTransport transport, final int batch, final long sliceNs, final AtomicLong consumed)
        throws InterruptedException
    {
        final AtomicLong stop = new AtomicLong();
        final Thread consumer = Thread.ofPlatform().name("ring-consumer").start(() ->
        {
            long total = consumed.get();
            int idle = 0;
            while (stop.get() == 0)
            {
                final int n = transport.consume(batch);
                if (n > 0)
                {
                    total += n;
                    consumed.lazySet(total);
                    idle = 0;
                }
                else if (++idle > SPINS_BEFORE_YIELD)
                {
                    Thread.yield();
                    idle = 0;
                }
            }
        });
        final Thread producer = Thread.ofPlatform().name("ring-producer").start(() ->
        {
            int idle = 0;
            while (stop.get() == 0)
            {
                if (transport.produce(batch) > 0)
                {
                    idle = 0;
                }
                else if (++idle > SPINS_BEFORE_YIELD)
                {
                    Thread.yield();
                    idle = 0;
                }
            }
        });
        try
        {
            // the first tenth of a slice lets both threads get going before counting starts
            TimeUnit.NANOSECONDS.sleep(sliceNs / 10);
            final long startCount = consumed.get();
            final long startNs = System.nanoTime();
            TimeUnit.NANOSECONDS.sleep(sliceNs);
            final long endCount = consumed.get();
            final long endNs = System.nanoTime();
            return (endCount - startCount) * 1e9 / (endNs - startNs);
        }
        finally
        {
            stop.set(1);
            producer.join();
            consumer.join();
            if (transport.checksum() == 42)
            {
                System.out.print(""); // keeps the consumer's reads observable
            }
        }
    }
}
