package io.pvnet.perf.latency;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws latency-by-percentile curves as an SVG, the way HdrHistogram's plotter does: the x axis is
 * {@code log10(1 / (1 - percentile))}, so 0%, 90%, 99%, 99.9%, ... are evenly spaced and the tail gets room; the y axis
 * is latency on a logarithmic scale by default (one grid line per decade, so p50 and a tail 10,000 times longer are
 * both readable), linear when asked. Several runs go on one chart, each in its own colour with p50, p99.9 and max in
 * the legend below the plot, where it covers no curve.
 */
public final class PercentilePlot
{
    /**
     * One curve.
     *
     * @param label     the legend's name for it, for example the log file's name.
     * @param histogram latencies in ns.
     */
    public record Series(String label, Histogram histogram)
    {
    }

    /** A point of a curve: x in decades ({@code log10(1/(1-p))}), y in ns. */
    record Point(double x, double yNs)
    {
    }

    static final int WIDTH = 960;
    static final int HEIGHT = 560;
    static final int LEFT = 90;
    static final int RIGHT = 30;
    static final int TOP = 60;
    static final int BOTTOM = 70;
    /** Height of one legend row below the plot. */
    static final int LEGEND_ROW = 20;
    private static final String[] COLOURS = {
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"};
    /** At least 99.9% on the x axis, at most 99.99999%. */
    static final int MIN_DECADES = 3;
    static final int MAX_DECADES = 7;

    private PercentilePlot()
    {
    }

    /** @return the points HdrHistogram's percentile iteration gives (5 ticks per half distance), below 100%. */
    static List<Point> points(final Histogram histogram)
    {
        final List<Point> points = new ArrayList<>();
        if (histogram.getTotalCount() == 0)
        {
            return points;
        }
        for (final HistogramIterationValue v : histogram.percentiles(5))
        {
            final double percentile = v.getPercentileLevelIteratedTo();
            if (percentile >= 100.0)
            {
                break;
            }
            points.add(new Point(Math.log10(1.0 / (1.0 - percentile / 100.0)), v.getValueIteratedTo()));
        }
        return points;
    }

    /** @return the x-axis label of a decade: 0 -> {@code 0%}, 1 -> {@code 90%}, 3 -> {@code 99.9%}. */
    static String decadeLabel(final int decade)
    {
        if (decade == 0)
        {
            return "0%";
        }
        return decade == 1 ? "90%" : decade == 2 ? "99%" : "99." + "9".repeat(decade - 2) + "%";
    }

    /** @return a tick step of 1, 2 or 5 times a power of ten giving at most about {@code maxTicks} ticks up to {@code max}. */
    static double niceStep(final double max, final int maxTicks)
    {
        final double raw = max / maxTicks;
        final double power = Math.pow(10, Math.floor(Math.log10(raw)));
        for (final double m : new double[] {1, 2, 5, 10})
        {
            if (m * power >= raw)
            {
                return m * power;
            }
        }
        return 10 * power;
    }

    /**
     * @param title  the chart's title.
     * @param series the curves; empty histograms are listed in the legend as having no data.
     * @return a complete SVG document.
     */
    public static String svg(final String title, final List<Series> series)
    {
        // a logarithmic axis by default: a linear one hides p50 = 4 us under a 192 ms tail
        return svg(title, series, true);
    }

    /**
     * @param title  the chart's title.
     * @param series the curves; empty histograms are listed in the legend as having no data.
     * @param logY   a logarithmic latency axis (one grid line per decade), for runs that differ by orders of magnitude.
     * @return a complete SVG document.
     */
    public static String svg(final String title, final List<Series> series, final boolean logY)
    {
        final List<List<Point>> curves = new ArrayList<>();
        double maxX = MIN_DECADES;
        double maxYNs = 1;
        double minYNs = Double.MAX_VALUE;
        for (final Series s : series)
        {
            final List<Point> points = points(s.histogram());
            curves.add(points);
            for (final Point p : points)
            {
                maxX = Math.max(maxX, p.x());
                maxYNs = Math.max(maxYNs, p.yNs());
                minYNs = Math.min(minYNs, p.yNs());
            }
        }
        final int decades = Math.min(MAX_DECADES, (int)Math.ceil(maxX - 1e-9));
        final YAxis axis = logY ? YAxis.log(minYNs == Double.MAX_VALUE ? 1 : minYNs, maxYNs) : YAxis.linear(maxYNs);

        final double plotWidth = WIDTH - LEFT - RIGHT;
        final double plotHeight = HEIGHT - TOP - BOTTOM;
        // the legend goes below the plot, one row per curve, so it never covers a curve
        final int height = HEIGHT + LEGEND_ROW * series.size() + (series.isEmpty() ? 0 : 10);
        final StringBuilder svg = new StringBuilder(16_384);
        svg.append(String.format(Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" " +
            "font-family=\"sans-serif\" font-size=\"13\">%n", WIDTH, height, WIDTH, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"30\" font-size=\"17\" font-weight=\"bold\">%s</text>%n",
            LEFT, escape(title)));

        // grid and x ticks: one per decade
        for (int d = 0; d <= decades; d++)
        {
            final double x = LEFT + plotWidth * d / decades;
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", x, TOP, x, TOP + plotHeight));
            svg.append(String.format(Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n", x, TOP + plotHeight + 20, decadeLabel(d)));
        }
        // y ticks
        for (int i = 0; i < axis.tickNs.length; i++)
        {
            final double py = TOP + plotHeight - plotHeight * axis.fraction(axis.tickNs[i]);
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", LEFT, py, LEFT + plotWidth, py));
            svg.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT - 8, py + 4, axis.tickLabels[i]));
        }
        svg.append(String.format(Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#444\"/>%n",
            LEFT, TOP, plotWidth, plotHeight));
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">Percentile</text>%n",
            LEFT + plotWidth / 2, HEIGHT - 20));
        svg.append(String.format(Locale.ROOT,
            "<text transform=\"translate(24 %.1f) rotate(-90)\" text-anchor=\"middle\">Latency (%s)</text>%n",
            TOP + plotHeight / 2, axis.unit));

        // curves, clipped to the plot area
        svg.append(String.format(Locale.ROOT, "<clipPath id=\"plot\"><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\"/></clipPath>%n",
            LEFT, TOP, plotWidth, plotHeight));
        for (int i = 0; i < curves.size(); i++)
        {
            final List<Point> points = curves.get(i);
            if (points.isEmpty())
            {
                continue;
            }
            svg.append("<polyline clip-path=\"url(#plot)\" fill=\"none\" stroke-width=\"2\" stroke=\"")
                .append(COLOURS[i % COLOURS.length]).append("\" points=\"");
            for (final Point p : points)
            {
                svg.append(String.format(Locale.ROOT, "%.1f,%.1f ",
                    LEFT + plotWidth * Math.min(p.x(), decades) / decades,
                    TOP + plotHeight - plotHeight * axis.fraction(p.yNs())));
            }
            svg.setLength(svg.length() - 1);
            svg.append("\"/>\n");
        }

        // legend, below the axis title, outside the curves
        final List<String> legend = new ArrayList<>();
        for (final Series s : series)
        {
            final Histogram h = s.histogram();
            final String stats = h.getTotalCount() == 0 ? "no data" : String.format(Locale.ROOT, "p50 %s, p99.9 %s, max %s, %,d frames",
                LatencyReport.formatNs(h.getValueAtPercentile(50)), LatencyReport.formatNs(h.getValueAtPercentile(99.9)),
                LatencyReport.formatNs(h.getMaxValue()), h.getTotalCount());
            final String text = s.label() + " (" + stats + ")";
            legend.add(text);
        }
        for (int i = 0; i < series.size(); i++)
        {
            final double y = HEIGHT + 4 + LEGEND_ROW * i;
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\"/>%n",
                LEFT + 12, y - 4, LEFT + 36, y - 4, COLOURS[i % COLOURS.length]));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\">%s</text>%n", LEFT + 44, y, escape(legend.get(i))));
        }
        return svg.append("</svg>\n").toString();
    }

    private static String tickLabel(final double value, final double step)
    {
        return step >= 1 ? String.format(Locale.ROOT, "%,.0f", value) :
            String.format(Locale.ROOT, "%." + (int)Math.ceil(-Math.log10(step)) + "f", value);
    }

    /** @return a power of ten of nanoseconds as {@code 100 ns}, {@code 1 us}, {@code 10 ms}, {@code 1 s}. */
    static String decadeNsLabel(final int decade)
    {
        final String[] units = {"ns", "us", "ms", "s"};
        final int unit = Math.min(3, decade / 3);
        return (long)Math.pow(10, decade - 3 * unit) + " " + units[unit];
    }

    /** The latency axis: where a value sits (0 at the bottom, 1 at the top), its ticks and their labels. */
    static final class YAxis
    {
        final boolean log;
        final double lowNs;
        final double highNs;
        final double[] tickNs;
        final String[] tickLabels;
        final String unit;

        private YAxis(final boolean log, final double lowNs, final double highNs, final double[] tickNs,
            final String[] tickLabels, final String unit)
        {
            this.log = log;
            this.lowNs = lowNs;
            this.highNs = highNs;
            this.tickNs = tickNs;
            this.tickLabels = tickLabels;
            this.unit = unit;
        }

        /** Linear from 0, in the unit that keeps labels short, ticks at 1-2-5 steps (HdrHistogram's plotter). */
        static YAxis linear(final double maxNs)
        {
            final double unitNs = maxNs >= 10_000_000 ? 1e6 : maxNs >= 10_000 ? 1e3 : 1;
            final double step = niceStep(maxNs / unitNs, 8);
            final double top = Math.ceil(maxNs / unitNs / step) * step;
            final int count = (int)Math.round(top / step) + 1;
            final double[] ticks = new double[count];
            final String[] labels = new String[count];
            for (int i = 0; i < count; i++)
            {
                ticks[i] = i * step * unitNs;
                labels[i] = tickLabel(i * step, step);
            }
            return new YAxis(false, 0, top * unitNs, ticks, labels, unitNs == 1e6 ? "ms" : unitNs == 1e3 ? "us" : "ns");
        }

        /** Logarithmic over whole decades of ns covering {@code [minNs, maxNs]}. */
        static YAxis log(final double minNs, final double maxNs)
        {
            final int low = (int)Math.floor(Math.log10(Math.max(1, minNs)));
            final int high = Math.max(low + 1, (int)Math.ceil(Math.log10(Math.max(1, maxNs)) - 1e-9));
            final double[] ticks = new double[high - low + 1];
            final String[] labels = new String[ticks.length];
            for (int d = low; d <= high; d++)
            {
                ticks[d - low] = Math.pow(10, d);
                labels[d - low] = decadeNsLabel(d);
            }
            return new YAxis(true, ticks[0], ticks[ticks.length - 1], ticks, labels, "log scale");
        }

        double fraction(final double valueNs)
        {
            if (log)
            {
                return (Math.log10(Math.max(lowNs, valueNs)) - Math.log10(lowNs)) / (Math.log10(highNs) - Math.log10(lowNs));
            }
            return (valueNs - lowNs) / (highNs - lowNs);
        }
    }

    static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
