package io.pvnet.perf.bench;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Prints one progress line per second for the figure being measured: its rate over the last second.
 * One line is active at a time; the printing thread is a daemon that samples the counter it was given.
 */
public final class ProgressPrinter
{
    private final PrintStream out;
    private final boolean enabled;

    public ProgressPrinter(final PrintStream out, final boolean enabled)
    {
        this.out = out;
        this.enabled = enabled;
    }

    Line start(final String label, final LongSupplier count, final double scale, final String unit)
    {
        final Line line = new Line(label, count, scale, unit);
        if (enabled)
        {
            final Thread thread = Thread.ofPlatform().daemon().name("pvnet-progress").unstarted(line);
            line.thread = thread;
            thread.start();
        }
        return line;
    }

    /** A live progress line; {@link #close()} stops it. */
    public final class Line implements AutoCloseable, Runnable
    {
        private final String label;
        private final LongSupplier count;
        private final double scale;
        private final String unit;
        private volatile boolean running = true;
        private Thread thread;

        private Line(final String label, final LongSupplier count, final double scale, final String unit)
        {
            this.label = label;
            this.count = count;
            this.scale = scale;
            this.unit = unit;
        }

        @Override
        public void run()
        {
            final long startNs = System.nanoTime();
            long lastCount = count.getAsLong();
            long lastNs = startNs;
            while (running)
            {
                try
                {
                    TimeUnit.SECONDS.sleep(1);
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
                if (!running)
                {
                    return;
                }
                final long nowNs = System.nanoTime();
                final long nowCount = count.getAsLong();
                final double perSecond = (nowCount - lastCount) * 1e9 / (nowNs - lastNs);
                out.printf("  %-44s %3ds %12.3f %s%n", label, (nowNs - startNs) / 1_000_000_000L, perSecond * scale, unit);
                lastCount = nowCount;
                lastNs = nowNs;
            }
        }

        @Override
        public void close()
        {
            running = false;
            if (thread != null)
            {
                thread.interrupt();
                try
                {
                    thread.join();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
