package io.pvnet.perf.bench;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;

/**
 * Measures two figures of one run in alternating slices, A B B A A B B A (two ABBA blocks, {@link #SLICES} slices
 * each), so that a host whose speed changes during the run (this VM swings between about 3.2 and 4.7 Mpps for
 * {@code vif.64} from one figure to the next) weighs on both alike and their ratio shows what differs between them:
 * measured one after the other, the second figure ran on whatever mode the host had switched to, and the first one
 * also ran on a JIT still compiling. Each slice is a fresh measurement (its own threads). Before the first counted
 * slice each figure runs once for the whole warm-up, uncounted, so that the code of both is compiled before either is
 * counted: with the whole warm-up as the first slice's own, that slice, the first of the run's first figure, still ran
 * on a JIT compiling (in six runs of {@code vif --idle adaptive} at 1.5 s warm-up it was the slowest of the eight, by
 * 5-35 %). Each counted slice is warmed up for a {@link #SLICES}th of the warm-up. A figure is its slices' counts over
 * their summed time, and its latency histogram their sum.
 * <p>
 * Threading: the harness thread.
 */
final class AlternatingSlices
{
    /** Slices per figure. */
    static final int SLICES = 4;

    /** One slice: what a measurement counted and how long it ran. */
    record Slice(long count, long nanos, Histogram latency)
    {
    }

    /** Measures one slice of figure 0 (A) or 1 (B). */
    interface Measure
    {
        /**
         * @param figure   0 for A, 1 for B.
         * @param warmupMs warm-up before counting.
         * @param runMs    how long to count; 0: a warm-up only (the result is not used).
         * @return what was counted.
         * @throws Exception as the measurement throws (a failed figure).
         */
        Slice measure(int figure, long warmupMs, long runMs) throws Exception;
    }

    /** A figure measured over its slices. */
    static final class Totals
    {
        private long count;
        private long nanos;
        private Histogram latency;
        private final List<Double> sliceRates = new ArrayList<>();

        private void add(final Slice slice)
        {
            count += slice.count();
            nanos += slice.nanos();
            sliceRates.add(slice.nanos() > 0 ? slice.count() * 1e9 / slice.nanos() : 0.0);
            if (latency == null)
            {
                latency = slice.latency().copy();
            }
            else
            {
                latency.add(slice.latency());
            }
        }

        /** {@return counts per second over every slice} */
        double perSecond()
        {
            return nanos > 0 ? count * 1e9 / nanos : 0.0;
        }

        /** {@return the latency of every slice's frames} */
        Histogram latency()
        {
            return latency;
        }

        /** {@return each slice's counts per second, in the order they ran} */
        List<Double> sliceRates()
        {
            return sliceRates;
        }
    }

    private AlternatingSlices()
    {
    }

    /** {@return which figure each slice measures: 0 1 1 0 0 1 1 0 for 4 slices each} */
    static int[] order(final int slicesPerFigure)
    {
        final int[] order = new int[2 * slicesPerFigure];
        for (int i = 0; i < order.length; i++)
        {
            order[i] = (i % 4 == 0 || i % 4 == 3) ? 0 : 1;
        }
        return order;
    }

    /**
     * Runs the slices of both figures.
     *
     * @param measure    measures one slice.
     * @param warmupMs   the run's warm-up per figure.
     * @param durationMs the run's measuring time per figure (split over its slices).
     * @return the totals of A and B.
     * @throws Exception as a slice throws.
     */
    static Totals[] run(final Measure measure, final long warmupMs, final long durationMs) throws Exception
    {
        final Totals[] totals = {new Totals(), new Totals()};
        final long sliceMs = Math.max(1, durationMs / SLICES);
        for (int figure = 0; figure < 2; figure++)
        {
            measure.measure(figure, warmupMs, 0);
        }
        for (final int figure : order(SLICES))
        {
            totals[figure].add(measure.measure(figure, warmupMs / SLICES, sliceMs));
        }
        return totals;
    }
}
