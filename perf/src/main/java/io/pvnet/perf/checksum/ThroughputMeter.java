package io.pvnet.perf.checksum;

import io.pvnet.perf.harness.ProgressPrinter;
import io.pvnet.perf.harness.ScenarioContext;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one operation in a tight loop on the harness thread for the warm-up and then the measured duration, and
 * reports bytes per second in GB/s (10^9). Progress is published once per batch of operations.
 * <p>
 * The figure is the best of the 20 ms slices of the measured duration: on a shared 2-core machine other processes only
 * ever slow a slice down, so the best slice estimates what the code can do and keeps ratios between figures measured
 * seconds apart stable. The mean over the whole duration goes to the progress line.
 */
final class ThroughputMeter
{
    /**
     * Runs the measured operation {@code times} times and returns something the meter keeps so the JIT cannot drop
     * the work. Each figure brings its own loop, so the call it measures is monomorphic, as in production where one
     * checksum variant is loaded, rather than a call site shared by every figure.
     */
    interface Operation
    {
        int run(long times);
    }

    private static final long BATCH_BYTES = 1 << 18;
    private static final long SLICE_NANOS = 20_000_000L;

    private volatile int sink;

    /**
     * @return the measured rate in GB/s.
     */
    double measure(final ScenarioContext context, final String figure, final long bytesPerOperation,
        final Operation operation)
    {
        final AtomicLong bytes = new AtomicLong();
        final long batch = Math.max(1, BATCH_BYTES / bytesPerOperation);
        try (ProgressPrinter.Line ignored = context.progress(figure + " (warm-up)", bytes::get, 1e-9, "GB/s"))
        {
            run(operation, batch, bytesPerOperation, context.warmup().toNanos(), bytes);
        }
        bytes.set(0);
        double best = 0;
        try (ProgressPrinter.Line ignored = context.progress(figure, bytes::get, 1e-9, "GB/s"))
        {
            final long end = System.nanoTime() + context.duration().toNanos();
            do
            {
                final long start = System.nanoTime();
                final long operations = run(operation, batch, bytesPerOperation, SLICE_NANOS, bytes);
                final double seconds = (System.nanoTime() - start) / 1e9;
                best = Math.max(best, operations * (double)bytesPerOperation / seconds / 1e9);
            }
            while (System.nanoTime() - end < 0);
        }
        context.report(figure, best, "GB/s");
        return best;
    }

    /** {@return how long {@link #measureInterleaved} takes for this many figures: one warm-up, a duration each} */
    static double interleavedSeconds(final int figures, final double durationSeconds, final double warmupSeconds)
    {
        return warmupSeconds + figures * durationSeconds;
    }

    /**
     * Measures several figures side by side: warms each up, then runs their slices in turn until the duration is
     * spent, so every figure sees the same conditions. Reports each figure's best slice. Takes one warm-up (shared by
     * the figures) and a duration per figure ({@link #interleavedSeconds}).
     *
     * @return the rates in GB/s, in the order given.
     */
    double[] measureInterleaved(
        final ScenarioContext context, final String[] figures, final long[] bytesPerOperation,
        final Operation[] operations)
    {
        final int n = figures.length;
        final AtomicLong bytes = new AtomicLong();
        final long[] batches = new long[n];
        final String label = String.join(" | ", figures);
        try (ProgressPrinter.Line ignored = context.progress(label + " (warm-up)", bytes::get, 1e-9, "GB/s"))
        {
            for (int f = 0; f < n; f++)
            {
                batches[f] = Math.max(1, BATCH_BYTES / bytesPerOperation[f]);
                run(operations[f], batches[f], bytesPerOperation[f], context.warmup().toNanos() / n, bytes);
            }
        }
        bytes.set(0);
        final double[] best = new double[n];
        try (ProgressPrinter.Line ignored = context.progress(label, bytes::get, 1e-9, "GB/s"))
        {
            final long end = System.nanoTime() + context.duration().toNanos() * n;
            do
            {
                for (int f = 0; f < n; f++)
                {
                    final long start = System.nanoTime();
                    final long done = run(operations[f], batches[f], bytesPerOperation[f], SLICE_NANOS, bytes);
                    final double seconds = (System.nanoTime() - start) / 1e9;
                    best[f] = Math.max(best[f], done * (double)bytesPerOperation[f] / seconds / 1e9);
                }
            }
            while (System.nanoTime() - end < 0);
        }
        for (int f = 0; f < n; f++)
        {
            context.report(figures[f], best[f], "GB/s");
        }
        return best;
    }

    private long run(final Operation operation, final long batch, final long bytesPerOperation, final long nanos,
        final AtomicLong bytes)
    {
        final long deadline = System.nanoTime() + nanos;
        final long bytesBefore = bytes.get();
        long operations = 0;
        int keep = 0;
        do
        {
            keep += operation.run(batch);
            operations += batch;
            bytes.lazySet(bytesBefore + operations * bytesPerOperation);
        }
        while (System.nanoTime() - deadline < 0);
        sink = keep;
        return operations;
    }
}
