package io.pvnet.perf.bench;

import io.pvnet.perf.harness.BenchResult;
import java.util.List;

/** Writes bench results as CSV (RFC 4180): a header {@code scenario,name,value,unit}, then one row per figure. */
public final class BenchCsv
{
    static final String HEADER = "scenario,name,value,unit";

    private BenchCsv()
    {
    }

    /** @return the CSV text; a value that is not a finite number is an empty field. */
    public static String write(final List<BenchResult> results)
    {
        final StringBuilder csv = new StringBuilder(32 + results.size() * 64).append(HEADER).append("\r\n");
        for (final BenchResult r : results)
        {
            csv.append(field(r.scenario())).append(',')
                .append(field(r.name())).append(',')
                .append(Double.isFinite(r.value()) ? Double.toString(r.value()) : "").append(',')
                .append(field(r.unit())).append("\r\n");
        }
        return csv.toString();
    }

    /** @return the text as one CSV field: quoted, with quotes doubled, when it holds a comma, quote or line break. */
    static String field(final String text)
    {
        if (text.indexOf(',') < 0 && text.indexOf('"') < 0 && text.indexOf('\n') < 0 && text.indexOf('\r') < 0)
        {
            return text;
        }
        return '"' + text.replace("\"", "\"\"") + '"';
    }
}
