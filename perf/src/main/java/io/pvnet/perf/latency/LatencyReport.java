package io.pvnet.perf.latency;

import io.pvnet.perf.harness.BenchRatio;
import io.pvnet.perf.harness.BenchResult;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Turns a {@link LatencyRun.Result} into the percentile table, the bench-form figures and an {@code .hgrm} file. */
public final class LatencyReport
{
    /** The scenario name of latency figures in the bench JSON form. */
    public static final String SCENARIO = "latency";
    /** Percentiles in the table and the JSON, with their figure suffixes. */
    static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99, 99.999};
    static final String[] SUFFIXES = {"p50", "p90", "p99", "p999", "p9999", "p99999"};
    /** The .hgrm file's values are in microseconds (HdrHistogram's output scaling ratio from ns). */
    public static final double HGRM_UNIT_RATIO = 1000.0;

    private LatencyReport()
    {
    }

    /**
     * @param result         the run.
     * @param baselineP50Ns  the two-volatile ping-pong's p50 from the same run, or NaN when not measured.
     * @return {@code latency.p50} ... {@code latency.max}, {@code latency.lost} and {@code baseline.rtt.p50}.
     */
    public static List<BenchResult> figures(final LatencyRun.Result result, final double baselineP50Ns)
    {
        final List<BenchResult> figures = new ArrayList<>();
        final Histogram h = result.histogram();
        for (int i = 0; i < PERCENTILES.length; i++)
        {
            figures.add(new BenchResult(SCENARIO, "latency." + SUFFIXES[i], value(h, h.getValueAtPercentile(PERCENTILES[i])), "ns"));
        }
        figures.add(new BenchResult(SCENARIO, "latency.max", value(h, h.getMaxValue()), "ns"));
        figures.add(new BenchResult(SCENARIO, "latency.lost", result.sent() - result.received(), "frames"));
        if (!Double.isNaN(baselineP50Ns))
        {
            figures.add(new BenchResult(SCENARIO, "baseline.rtt.p50", baselineP50Ns, "ns"));
        }
        return figures;
    }

    private static double value(final Histogram h, final long value)
    {
        return h.getTotalCount() == 0 ? Double.NaN : value;
    }

    /**
     * @param path          the path's name.
     * @param rate          frames per second scheduled.
     * @param carried       what travelled, for example {@code 64 B frames}.
     * @param result        the run.
     * @param baselineP50Ns the ping-pong baseline's p50, or NaN.
     * @return the human-readable table: header, percentiles, max, baseline ratio, and the stage breakdown if any.
     */
    public static String table(
        final String path, final double rate, final String carried, final LatencyRun.Result result, final double baselineP50Ns)
    {
        final StringBuilder out = new StringBuilder();
        final Histogram h = result.histogram();
        out.append(String.format(Locale.ROOT,
            "round trip through %s, %s, %,.0f frames/s scheduled for %.1f s, timed from each frame's intended send time%n",
            path, carried, rate, result.seconds()));
        out.append(String.format(Locale.ROOT, "  frames: %,d scheduled, %,d sent (%,.0f/s), %,d back, %,d lost, %,d held back by a full path%n",
            result.scheduled(), result.sent(), result.sentRate(), result.received(), result.sent() - result.received(),
            result.refused()));
        if (result.sent() < result.scheduled() * 0.99)
        {
            out.append(String.format(Locale.ROOT,
                "  warning: only %.1f%% of the schedule was sent: the path cannot sustain %,.0f frames/s here; lower --rate%n",
                100.0 * result.sent() / Math.max(1, result.scheduled()), rate));
        }
        if (h.getTotalCount() == 0)
        {
            return out.append("  no frame came back\n").toString();
        }
        out.append(String.format(Locale.ROOT, "  %-10s %12s%n", "percentile", "round trip"));
        for (final double percentile : PERCENTILES)
        {
            out.append(String.format(Locale.ROOT, "  %-10s %12s%n", formatPercentile(percentile),
                formatNs(h.getValueAtPercentile(percentile))));
        }
        out.append(String.format(Locale.ROOT, "  %-10s %12s%n", "max", formatNs(h.getMaxValue())));
        out.append(String.format(Locale.ROOT, "  tail: p99.9 is %.1fx p50%n",
            (double)h.getValueAtPercentile(99.9) / Math.max(1, h.getValueAtPercentile(50))));
        if (!Double.isNaN(baselineP50Ns))
        {
            out.append(String.format(Locale.ROOT,
                "  baseline: plain two-volatile ping-pong p50 %s (same run); path p50 is %.2fx that%n",
                formatNs((long)baselineP50Ns), h.getValueAtPercentile(50) / baselineP50Ns));
        }
        if (result.stageNames().length > 0)
        {
            out.append(String.format(Locale.ROOT, "  %-14s %10s %10s %10s %10s%n", "stage", "p50", "p99", "p99.9", "max"));
            for (int i = 0; i < result.stageNames().length; i++)
            {
                final Histogram s = result.stages()[i];
                out.append(String.format(Locale.ROOT, "  %-14s %10s %10s %10s %10s%n", result.stageNames()[i],
                    formatNs(s.getValueAtPercentile(50)), formatNs(s.getValueAtPercentile(99)),
                    formatNs(s.getValueAtPercentile(99.9)), formatNs(s.getMaxValue())));
            }
        }
        return out.toString();
    }

    /**
     * @param result        the run.
     * @param baselineP50Ns the ping-pong baseline's p50, or NaN.
     * @return {@code latency.p50 / baseline.rtt.p50} and {@code latency.p999 / latency.p50}, when both sides exist.
     */
    public static List<BenchRatio> ratios(final LatencyRun.Result result, final double baselineP50Ns)
    {
        final Histogram h = result.histogram();
        final List<BenchRatio> ratios = new ArrayList<>();
        if (h.getTotalCount() == 0)
        {
            return ratios;
        }
        final double p50 = Math.max(1, h.getValueAtPercentile(50));
        if (!Double.isNaN(baselineP50Ns))
        {
            ratios.add(new BenchRatio(SCENARIO, "latency.p50", "baseline.rtt.p50", h.getValueAtPercentile(50) / baselineP50Ns));
        }
        ratios.add(new BenchRatio(SCENARIO, "latency.p999", "latency.p50", h.getValueAtPercentile(99.9) / p50, false));
        return ratios;
    }

    /** Writes HdrHistogram's percentile distribution ({@code .hgrm}), values in microseconds. */
    public static void writeHgrm(final Histogram histogram, final PrintStream out)
    {
        histogram.outputPercentileDistribution(out, 5, HGRM_UNIT_RATIO);
    }

    /** @return {@code 99.9%} for 99.9, {@code 50%} for 50. */
    static String formatPercentile(final double percentile)
    {
        final String text = percentile == Math.rint(percentile) ? Long.toString((long)percentile) :
            java.math.BigDecimal.valueOf(percentile).stripTrailingZeros().toPlainString();
        return text + "%";
    }

    /** @return a duration in the unit that reads best: {@code 412 ns}, {@code 12.3 us}, {@code 1.25 ms}, {@code 2.00 s}. */
    public static String formatNs(final long ns)
    {
        if (ns < 1_000)
        {
            return ns + " ns";
        }
        if (ns < 1_000_000)
        {
            return String.format(Locale.ROOT, ns < 10_000 ? "%.2f us" : "%.1f us", ns / 1e3);
        }
        if (ns < 1_000_000_000)
        {
            return String.format(Locale.ROOT, ns < 10_000_000 ? "%.2f ms" : "%.1f ms", ns / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f s", ns / 1e9);
    }
}
