package io.pvnet.perf.latency;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PercentilePlotTest
{
    @Test
    void shouldLabelDecadesAsHdrHistogramsPlotterDoes()
    {
        assertEquals("0%", PercentilePlot.decadeLabel(0));
        assertEquals("90%", PercentilePlot.decadeLabel(1));
        assertEquals("99%", PercentilePlot.decadeLabel(2));
        assertEquals("99.9%", PercentilePlot.decadeLabel(3));
        assertEquals("99.999%", PercentilePlot.decadeLabel(5));
    }

    @Test
    void shouldPlaceEachPercentileAtLog10OfOneOverOneMinusIt()
    {
        final Histogram h = new Histogram(1_000_000, 3);
        for (int v = 1; v <= 10_000; v++)
        {
            h.recordValue(v);
        }
        final List<PercentilePlot.Point> points = PercentilePlot.points(h);
        assertTrue(points.size() > 20);
        for (final PercentilePlot.Point p : points)
        {
            // uniform 1..10,000: the value at percentile q is about q% of 10,000, and x = -log10(1 - q)
            final double q = 1 - Math.pow(10, -p.x());
            assertEquals(q * 10_000, p.yNs(), 10_000 * 0.002 + 2, "x=" + p.x());
        }
        assertTrue(points.get(points.size() - 1).x() >= 4 - 1e-9, "reaches 99.99% for 10,000 values");
        assertEquals(List.of(), PercentilePlot.points(new Histogram(3)));
    }

    @Test
    void shouldPickNiceTickSteps()
    {
        assertEquals(200, PercentilePlot.niceStep(1_300, 8), 1e-9);
        assertEquals(0.5, PercentilePlot.niceStep(3.1, 8), 1e-9);
        assertEquals(1_000, PercentilePlot.niceStep(8_000, 8), 1e-9);
    }

    @Test
    void shouldMapLatencyOnLinearAndLogAxes()
    {
        final PercentilePlot.YAxis linear = PercentilePlot.YAxis.linear(1_300);
        assertEquals("ns", linear.unit);
        assertEquals(0.0, linear.fraction(0), 1e-12);
        assertEquals(1.0, linear.fraction(1_400), 1e-12, "top is the next 200 ns tick above 1,300");
        assertEquals("1,400", linear.tickLabels[linear.tickLabels.length - 1]);
        assertEquals("us", PercentilePlot.YAxis.linear(25_000).unit);

        final PercentilePlot.YAxis log = PercentilePlot.YAxis.log(150, 2_500_000);
        assertEquals(List.of("100 ns", "1 us", "10 us", "100 us", "1 ms", "10 ms"), List.of(log.tickLabels));
        assertEquals(0.0, log.fraction(100), 1e-12);
        assertEquals(0.2, log.fraction(1_000), 1e-12);
        assertEquals(1.0, log.fraction(10_000_000), 1e-12);
        assertEquals(0.0, log.fraction(0), 1e-12, "below the axis clamps to its bottom");
        assertEquals("1 s", PercentilePlot.decadeNsLabel(9));
        assertEquals("10 s", PercentilePlot.decadeNsLabel(10));
    }

    @Test
    void shouldEscapeLabelsAndListEmptyRuns()
    {
        final Histogram h = new Histogram(3);
        h.recordValue(500);
        final String svg = PercentilePlot.svg("a <b> & \"c\"", List.of(
            new PercentilePlot.Series("run<1>", h), new PercentilePlot.Series("empty", new Histogram(3))));
        assertTrue(svg.contains("a &lt;b&gt; &amp; &quot;c&quot;"), svg);
        assertTrue(svg.contains("run&lt;1&gt; (p50 500 ns"), svg);
        assertTrue(svg.contains("empty (no data)"), svg);
        assertTrue(svg.contains(">99.9%<"), "x axis reaches at least 99.9%");
    }
}
