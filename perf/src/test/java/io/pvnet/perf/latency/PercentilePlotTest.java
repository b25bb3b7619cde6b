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

    @Test
    void shouldUseALogAxisByDefaultSoTheMedianShowsUnderALongTail() throws Exception
    {
        final Histogram h = new Histogram(3);
        for (int i = 0; i < 10_000; i++)
        {
            h.recordValue(4_400); // p50 4.4 us
        }
        h.recordValue(192_000_000); // one 192 ms frame
        final String svg = PercentilePlot.svg("tail", List.of(new PercentilePlot.Series("vif", h)));
        assertTrue(svg.contains("Latency (log scale)") && svg.contains(">1 us<") && svg.contains(">100 ms<"), svg);
        final org.w3c.dom.Document doc = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
            .parse(new java.io.ByteArrayInputStream(svg.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        // the median's point sits well above the bottom of the plot: on a linear axis it would be on the x axis
        final String[] points = ((org.w3c.dom.Element)doc.getElementsByTagName("polyline").item(0)).getAttribute("points").split(" ");
        final double firstY = Double.parseDouble(points[0].split(",")[1]);
        final double bottom = PercentilePlot.TOP + PercentilePlot.HEIGHT - PercentilePlot.TOP - PercentilePlot.BOTTOM;
        // log axis: 1 us..1 s in six decades, 4.4 us is 0.64 decade up (about 46 px); linear: under a pixel
        assertTrue(bottom - firstY > 30, "p50 at y=" + firstY + ", axis at " + bottom);
        assertTrue(PercentilePlot.svg("tail", List.of(new PercentilePlot.Series("vif", h)), false).contains("Latency (ms)"));
    }

    @Test
    void shouldPutTheLegendBelowThePlotWhereItCoversNoCurve() throws Exception
    {
        final Histogram h = new Histogram(3);
        h.recordValue(1_000);
        final String svg = PercentilePlot.svg("legend", List.of(new PercentilePlot.Series("a", h), new PercentilePlot.Series("b", h)));
        final org.w3c.dom.Document doc = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
            .parse(new java.io.ByteArrayInputStream(svg.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        final org.w3c.dom.NodeList texts = doc.getElementsByTagName("text");
        int legendRows = 0;
        for (int i = 0; i < texts.getLength(); i++)
        {
            final org.w3c.dom.Element text = (org.w3c.dom.Element)texts.item(i);
            if (text.getTextContent().contains("(p50 "))
            {
                legendRows++;
                assertTrue(Double.parseDouble(text.getAttribute("y")) > PercentilePlot.HEIGHT - PercentilePlot.BOTTOM,
                    "legend row below the plot area: " + text.getTextContent());
            }
        }
        assertEquals(2, legendRows);
        final double height = Double.parseDouble(doc.getDocumentElement().getAttribute("height"));
        assertEquals(PercentilePlot.HEIGHT + 2 * PercentilePlot.LEGEND_ROW + 10, height, 1e-9, "the image grows to hold it");
    }

    @Test
    void shouldWriteASelfContainedHtmlReportWithPlotPercentilesAndBreakdown() throws Exception
    {
        final Histogram h = new Histogram(3);
        h.recordValue(2_000);
        final Histogram stage = new Histogram(3);
        stage.recordValue(700);
        final String svg = PercentilePlot.svg("run", List.of(new PercentilePlot.Series("vif <1>", h)));
        final String html = LatencyHtml.write("run & more", svg, List.of(new PercentilePlot.Series("vif <1>", h)),
            new String[] {"tx to host"}, new Histogram[] {stage}, "round trip through vif");
        assertTrue(html.startsWith("<!DOCTYPE html>") && html.contains("<title>run &amp; more</title>"), html);
        assertTrue(html.contains("<svg ") && html.contains("<polyline"), "the plot is inline");
        assertTrue(!html.contains("<script") && !html.contains("src=") && !html.contains("href="), "nothing external");
        assertTrue(html.contains("<th>vif &lt;1&gt;</th>") && html.contains("<td>50%</td><td>2.00 us</td>"), html);
        assertTrue(html.contains("Breakdown by stage") && html.contains("<td>tx to host</td><td>700 ns</td>"), html);
        // well-formed enough for an XML parser (no unclosed tags), so every browser renders it as written
        javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new java.io.ByteArrayInputStream(
            html.replace("<!DOCTYPE html>", "").replace("<meta charset=\"utf-8\">", "<meta charset=\"utf-8\"/>")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
