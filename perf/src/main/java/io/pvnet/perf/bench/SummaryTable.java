package io.pvnet.perf.bench;

import io.pvnet.perf.harness.BenchRatio;
import io.pvnet.perf.harness.BenchResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Formats bench results as a fixed-width table a person reads at a glance: grouped by scenario, one row per figure,
 * with each figure's ratio to its baselines from the same run.
 * <pre>
 * ring                 value  unit        vs baseline (same run)
 *   pvnet.batch32     31.234  Mframes/s   0.82x jctools.batch32   2.41x agrona.batch32
 *   jctools.batch32   38.011  Mframes/s   baseline
 * </pre>
 */
public final class SummaryTable
{
    private SummaryTable()
    {
    }

    /** @return the table, one row per result, or a line saying there are none. */
    public static String format(final List<BenchResult> results)
    {
        return format(results, List.of());
    }

    /** @return the table, one row per result with its ratios, or a line saying there are none. */
    public static String format(final List<BenchResult> results, final List<BenchRatio> ratios)
    {
        if (results.isEmpty())
        {
            return "no results\n";
        }
        final Map<String, List<BenchResult>> byScenario = new LinkedHashMap<>();
        int nameWidth = "name".length();
        int unitWidth = "unit".length();
        int valueWidth = "value".length();
        for (final BenchResult r : results)
        {
            byScenario.computeIfAbsent(r.scenario(), k -> new ArrayList<>()).add(r);
            nameWidth = Math.max(nameWidth, r.name().length() + 2);
            unitWidth = Math.max(unitWidth, r.unit().length());
            valueWidth = Math.max(valueWidth, formatValue(r.value()).length());
        }
        for (final String scenario : byScenario.keySet())
        {
            nameWidth = Math.max(nameWidth, scenario.length());
        }
        final String row = "%-" + nameWidth + "s  %" + valueWidth + "s  %-" + unitWidth + "s  %s";
        final StringBuilder table = new StringBuilder();
        boolean first = true;
        for (final Map.Entry<String, List<BenchResult>> group : byScenario.entrySet())
        {
            if (!first)
            {
                table.append('\n');
            }
            first = false;
            final boolean anyRatio = ratios.stream().anyMatch(x -> x.scenario().equals(group.getKey()));
            appendLine(table, String.format(Locale.ROOT, row, group.getKey(), "value", "unit",
                anyRatio ? "vs baseline (same run)" : ""));
            for (final BenchResult r : group.getValue())
            {
                appendLine(table, String.format(Locale.ROOT, row, "  " + r.name(), formatValue(r.value()), r.unit(),
                    ratioText(r, ratios)));
            }
        }
        return table.toString();
    }

    private static String ratioText(final BenchResult result, final List<BenchRatio> ratios)
    {
        final StringBuilder text = new StringBuilder();
        boolean isBaseline = false;
        for (final BenchRatio ratio : ratios)
        {
            if (!ratio.scenario().equals(result.scenario()))
            {
                continue;
            }
            if (ratio.name().equals(result.name()))
            {
                text.append(text.isEmpty() ? "" : "   ").append(formatRatio(ratio.ratio())).append(' ').append(ratio.baseline());
            }
            isBaseline |= ratio.toBaseline() && ratio.baseline().equals(result.name());
        }
        if (isBaseline)
        {
            text.append(text.isEmpty() ? "baseline" : "   (a baseline)");
        }
        return text.toString();
    }

    private static void appendLine(final StringBuilder table, final String line)
    {
        table.append(line.stripTrailing()).append('\n');
    }

    /** @return a ratio as {@code 0.82x}, with three significant digits for small ratios. */
    static String formatRatio(final double ratio)
    {
        if (!Double.isFinite(ratio))
        {
            return "n/a";
        }
        if (ratio < 0.01 && ratio > 0)
        {
            return "<0.01x";
        }
        return ratio >= 100 ? String.format(Locale.ROOT, "%.0fx", ratio)
            : ratio >= 10 ? String.format(Locale.ROOT, "%.1fx", ratio) : String.format(Locale.ROOT, "%.2fx", ratio);
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
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        return magnitude >= 10 ? String.format(Locale.ROOT, "%.1f", value) : String.format(Locale.ROOT, "%.3f", value);
    }
}
