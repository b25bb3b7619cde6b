package io.pvnet.perf.latency;

import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Locale;

/**
 * A self-contained HTML report of a latency run ({@code latency.html} beside {@code latency.svg}): the percentile plot
 * inline, a table of percentiles per curve, and the stage breakdown when the run timed stages. One file, no scripts,
 * no external styles: it opens anywhere and can be attached to a ticket.
 */
public final class LatencyHtml
{
    private LatencyHtml()
    {
    }

    /**
     * @param title      the report's title.
     * @param svg        the plot, from {@link PercentilePlot#svg}.
     * @param series     the curves: one table column each.
     * @param stageNames the stages timed, or none.
     * @param stages     each stage's histogram, in the order of {@code stageNames}.
     * @param notes      lines of text shown under the title, for example the console report.
     * @return the document.
     */
    public static String write(
        final String title, final String svg, final List<PercentilePlot.Series> series, final String[] stageNames,
        final Histogram[] stages, final String notes)
    {
        final StringBuilder html = new StringBuilder(svg.length() + 8192);
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(escape(title))
            .append("</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:1000px}")
            .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px;")
            .append("text-align:right}th:first-child,td:first-child{text-align:left}pre{background:#f6f6f6;padding:1em}")
            .append("</style></head><body>\n<h1>").append(escape(title)).append("</h1>\n");
        if (notes != null && !notes.isBlank())
        {
            html.append("<pre>").append(escape(notes.strip())).append("</pre>\n");
        }
        html.append(svg.replaceFirst("^<\\?xml[^>]*>\\s*", "")).append('\n');
        html.append("<h2>Round trip by percentile</h2>\n<table><tr><th>percentile</th>");
        for (final PercentilePlot.Series s : series)
        {
            html.append("<th>").append(escape(s.label())).append("</th>");
        }
        html.append("</tr>\n");
        for (final double percentile : LatencyReport.PERCENTILES)
        {
            html.append("<tr><td>").append(LatencyReport.formatPercentile(percentile)).append("</td>");
            for (final PercentilePlot.Series s : series)
            {
                html.append("<td>").append(s.histogram().getTotalCount() == 0 ? "-" :
                    LatencyReport.formatNs(s.histogram().getValueAtPercentile(percentile))).append("</td>");
            }
            html.append("</tr>\n");
        }
        html.append("<tr><td>max</td>");
        for (final PercentilePlot.Series s : series)
        {
            html.append("<td>").append(s.histogram().getTotalCount() == 0 ? "-" :
                LatencyReport.formatNs(s.histogram().getMaxValue())).append("</td>");
        }
        html.append("</tr>\n<tr><td>frames</td>");
        for (final PercentilePlot.Series s : series)
        {
            html.append("<td>").append(String.format(Locale.ROOT, "%,d", s.histogram().getTotalCount())).append("</td>");
        }
        html.append("</tr></table>\n");
        if (stageNames.length > 0)
        {
            html.append("<h2>Breakdown by stage</h2>\n<table><tr><th>stage</th><th>p50</th><th>p99</th><th>p99.9</th>")
                .append("<th>max</th></tr>\n");
            for (int i = 0; i < stageNames.length; i++)
            {
                final Histogram h = stages[i];
                html.append("<tr><td>").append(escape(stageNames[i])).append("</td><td>")
                    .append(LatencyReport.formatNs(h.getValueAtPercentile(50))).append("</td><td>")
                    .append(LatencyReport.formatNs(h.getValueAtPercentile(99))).append("</td><td>")
                    .append(LatencyReport.formatNs(h.getValueAtPercentile(99.9))).append("</td><td>")
                    .append(LatencyReport.formatNs(h.getMaxValue())).append("</td></tr>\n");
            }
            html.append("</table>\n");
        }
        return html.append("</body></html>\n").toString();
    }

    static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
