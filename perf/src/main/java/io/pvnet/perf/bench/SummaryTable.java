package io.pvnet.perf.bench;

import java.util.List;

/** Formats bench results as a fixed-width table a person reads at a glance. */
public final class SummaryTable
{
    private SummaryTable()
    {
    }

    /** @return the table, one row per result, or a line saying there are none. */
    public static String format(final List<BenchResult> results)
    {
        if (results.isEmpty())
        {
            return "no results\n";
        }
        int scenarioWidth = "scenario".length();
        int nameWidth = "name".length();
        for (final BenchResult r : results)
        {
            scenarioWidth = Math.max(scenarioWidth, r.scenario().length());
            nameWidth = Math.max(nameWidth, r.name().length());
        }
        final String row = "%-" + scenarioWidth + "s  %-" + nameWidth + "s  %14s  %s%n";
        final StringBuilder table = new StringBuilder();
        table.append(String.format(row, "scenario", "name", "value", "unit"));
        table.append("-".repeat(scenarioWidth + nameWidth + 30)).append('\n');
        for (final BenchResult r : results)
        {
            table.append(String.format(row, r.scenario(), r.name(), formatValue(r.value()), r.unit()));
        }
        return table.toString();
    }

    static String formatValue(final double value)
    {
        if (!Double.isFinite(value))
        {
            return "n/a";
        }
        final double magnitude = Math.abs(value);
        if (magnitude >= 1000)
        {
            return String.format("%,.0f", value);
        }
        return magnitude >= 10 ? String.format("%.1f", value) : String.format("%.3f", value);
    }
}
