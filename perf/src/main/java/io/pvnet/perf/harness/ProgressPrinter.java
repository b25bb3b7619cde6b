package io.pvnet.perf.harness;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Prints one progress line per second for the figure being measured: its rate over the last second and, when the
 * scenario provides them, Gbit/s and drops (as iperf prints an interval report).
 * One line is active at a time; the printing thread is a daemon that samples the counters it was given.
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
        // the line samples once a second even when it prints nothing: the samples go into the JSON file
        final Thread thread = Thread.ofPlatform().daemon().name("pvnet-progress").unstarted(line);
        line.thread = thread;
        thread.start();
        return line;
    }

    /**
     * One progress line, for example
     * {@code ring pvnet.batch32   3s   31.234 Mframes/s   15.99 Gbit/s   drops 0/s (0 total)}.
     *
     * @param label       scenario and figure.
     * @param seconds     seconds since the line started.
     * @param rate        the figure's rate in its unit.
     * @param unit        the unit.
     * @param gbitPerSecond Gbit/s, or NaN to leave it out.
     * @param dropsPerSecond drops in the last second, or a negative value to leave drops out.
     * @param dropsTotal  drops since the line started.
     * @return the line without a line separator.
     */
    static String format(
        final String label,
        final long seconds,
        final double rate,
        final String unit,
        final double gbitPerSecond,
        final long dropsPerSecond,
        final long dropsTotal)
    {
        final StringBuilder line = new StringBuilder(120);
        line.append(String.format(Locale.ROOT, "  %-44s %3ds %12.3f %s", label, seconds, rate, unit));
        if (!Double.isNaN(gbitPerSecond))
        {
            line.append(String.format(Locale.ROOT, "  %8.2f Gbit/s", gbitPerSecond));
        }
        if (dropsPerSecond >= 0)
        {
            line.append(String.format(Locale.ROOT, "  drops %,d/s (%,d total)", dropsPerSecond, dropsTotal));
        }
        return line.toString();
    }

    /**
     * A live progress line; {@link #close()} stops it. The optional counters may be added right after
     * {@link ScenarioContext#progress} returns: the line starts counting each from the value it first sees.
     */
    public final class Line implements AutoCloseable, Runnable
    {
        private final String label;
        private final LongSupplier count;
        private final double scale;
        private final String unit;
        private volatile Counter bytes;
        private volatile int frameBytes;
        private volatile Counter drops;
        private volatile boolean running = true;
        private Thread thread;
        private final java.util.List<Double> samples = new java.util.concurrent.CopyOnWriteArrayList<>();

        private Line(final String label, final LongSupplier count, final double scale, final String unit)
        {
            this.label = label;
            this.count = count;
            this.scale = scale;
            this.unit = unit;
        }

        /**
         * Shows Gbit/s computed from the frame count, for scenarios whose frames all have one size.
         *
         * @param frameBytes bytes per counted frame.
         * @return this line.
         */
        public Line frameBytes(final int frameBytes)
        {
            if (frameBytes <= 0)
            {
                throw new IllegalArgumentException("frameBytes=" + frameBytes + " must be > 0");
            }
            this.frameBytes = frameBytes;
            return this;
        }

        /**
         * Shows Gbit/s from a byte counter, for scenarios whose frames vary in size (TSO, mixed sizes).
         *
         * @param bytes bytes carried so far; read from the progress thread.
         * @return this line.
         */
        public Line bytes(final LongSupplier bytes)
        {
            this.bytes = new Counter(bytes);
            return this;
        }

        /**
         * Shows drops per second and in total.
         *
         * @param drops frames dropped so far (ring full, no buffer, bad request); read from the progress thread.
         * @return this line.
         */
        public Line drops(final LongSupplier drops)
        {
            this.drops = new Counter(drops);
            return this;
        }

        @Override
        public void run()
        {
            final long startNs = System.nanoTime();
            long lastCount = count.getAsLong();
            long lastNs = startNs;
            Counter bytesSeen = null;
            long lastBytes = 0;
            Counter dropsSeen = null;
            long lastDrops = 0;
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
                final double seconds = (nowNs - lastNs) / 1e9;
                final double perSecond = (nowCount - lastCount) / seconds;

                // optional counters are usually given just after the line started: count from their value then
                if (bytesSeen == null && bytes != null)
                {
                    bytesSeen = bytes;
                    lastBytes = bytesSeen.start;
                }
                if (dropsSeen == null && drops != null)
                {
                    dropsSeen = drops;
                    lastDrops = dropsSeen.start;
                }
                double gbit = Double.NaN;
                if (bytesSeen != null)
                {
                    final long nowBytes = bytesSeen.supplier.getAsLong();
                    gbit = (nowBytes - lastBytes) * 8e-9 / seconds;
                    lastBytes = nowBytes;
                }
                else if (frameBytes > 0)
                {
                    gbit = perSecond * frameBytes * 8e-9;
                }
                long dropsPerSecond = -1;
                long dropsTotal = 0;
                if (dropsSeen != null)
                {
                    final long nowDrops = dropsSeen.supplier.getAsLong();
                    dropsPerSecond = Math.round((nowDrops - lastDrops) / seconds);
                    dropsTotal = nowDrops - dropsSeen.start;
                    lastDrops = nowDrops;
                }
                samples.add(perSecond * scale);
                if (enabled)
                {
                    out.println(format(label, Math.round((nowNs - startNs) / 1e9), perSecond * scale, unit, gbit,
                        dropsPerSecond, dropsTotal));
                }
                lastCount = nowCount;
                lastNs = nowNs;
            }
        }

        /** @return the figure's rate in each whole second so far, in the line's unit. */
        public java.util.List<Double> samples()
        {
            return java.util.List.copyOf(samples);
        }

        /** @return the unit of the samples. */
        String unit()
        {
            return unit;
        }

        /** A counter and its value when it was given to the line. */
        private static final class Counter
        {
            private final LongSupplier supplier;
            private final long start;

            private Counter(final LongSupplier supplier)
            {
                this.supplier = supplier;
                this.start = supplier.getAsLong();
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
