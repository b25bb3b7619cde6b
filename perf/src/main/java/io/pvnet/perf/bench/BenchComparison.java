package io.pvnet.perf.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * This run beside an earlier one ({@code --compare FILE.json}): each figure with its ratio to the earlier value, and a
 * verdict where the unit says which way is better (throughput up, time down). A change worse than the threshold is a
 * regression, marked so it stands out; a figure present on one side only is shown as missing on the other.
 */
public final class BenchComparison
{
    /** Which way a figure improves, judged from its unit. */
    public enum Direction
    {
        HIGHER_IS_BETTER, LOWER_IS_BETTER, UNKNOWN;

        /** @return the direction of a unit: rates ({@code /s}, {@code Gbit/s}, {@code x}) up, times and bytes per op down. */
        public static Direction of(final String unit)
        {
            final String u = unit.trim();
            if (u.endsWith("/s") || u.equals("x") || u.endsWith("/cycle"))
            {
                return HIGHER_IS_BETTER;
            }
            if (u.equals("ns") || u.equals("us") || u.equals("µs") || u.equals("ms") || u.equals("s") ||
                u.endsWith("/op") || u.startsWith("ns/") || u.startsWith("cycles/"))
            {
                return LOWER_IS_BETTER;
            }
            return UNKNOWN;
        }
    }

    /** The verdict on one figure. */
    public enum Verdict
    {
        SAME, BETTER, REGRESSION, CHANGED, MISSING_NOW, MISSING_BEFORE, UNIT_CHANGED
    }

    /**
     * One figure of the comparison.
     *
     * @param scenario the scenario.
     * @param name     the figure.
     * @param now      its value in this run, NaN when missing.
     * @param before   its value in the earlier run, NaN when missing.
     * @param unit     its unit (this run's, or the earlier one's when missing now).
     * @param ratio    {@code now / before}, NaN when either is missing.
     * @param verdict  what the change means.
     */
    public record Row(String scenario, String name, double now, double before, String unit, double ratio, Verdict verdict)
    {
    }

    private final List<Row> rows;
    private final double thresholdPercent;

    private BenchComparison(final List<Row> rows, final double thresholdPercent)
    {
        this.rows = rows;
        this.thresholdPercent = thresholdPercent;
    }

    /**
     * @param now              this run's figures.
     * @param before           the earlier run's figures.
     * @param thresholdPercent how much worse a figure may get before it counts as a regression, for example 10.
     * @return the comparison: this run's figures in order, then figures only the earlier run had.
     */
    public static BenchComparison of(final List<BenchResult> now, final List<BenchResult> before, final double thresholdPercent)
    {
        if (!(thresholdPercent >= 0))
        {
            throw new IllegalArgumentException("threshold=" + thresholdPercent + " must be >= 0 percent");
        }
        final Map<String, BenchResult> earlier = new LinkedHashMap<>();
        for (final BenchResult r : before)
        {
            earlier.put(key(r), r);
        }
        final List<Row> rows = new ArrayList<>();
        for (final BenchResult r : now)
        {
            final BenchResult old = earlier.remove(key(r));
            if (old == null)
            {
                rows.add(new Row(r.scenario(), r.name(), r.value(), Double.NaN, r.unit(), Double.NaN, Verdict.MISSING_BEFORE));
            }
            else if (!old.unit().equals(r.unit()))
            {
                rows.add(new Row(r.scenario(), r.name(), r.value(), old.value(), r.unit(), Double.NaN, Verdict.UNIT_CHANGED));
            }
            else
            {
                final double ratio = r.value() / old.value();
                rows.add(new Row(r.scenario(), r.name(), r.value(), old.value(), r.unit(), ratio,
                    verdict(ratio, Direction.of(r.unit()), thresholdPercent)));
            }
        }
        for (final BenchResult old : earlier.values())
        {
            rows.add(new Row(old.scenario(), old.name(), Double.NaN, old.value(), old.unit(), Double.NaN, Verdict.MISSING_NOW));
        }
        return new BenchComparison(rows, thresholdPercent);
    }

    static Verdict verdict(final double ratio, final Direction direction, final double thresholdPercent)
    {
        if (!Double.isFinite(ratio))
        {
            return Verdict.CHANGED;
        }
        final double limit = thresholdPercent / 100.0;
        final boolean up = ratio > 1 + limit;
        final boolean down = ratio < 1 - limit;
        if (!up && !down)
        {
            return Verdict.SAME;
        }
        return switch (direction)
        {
            case HIGHER_IS_BETTER -> up ? Verdict.BETTER : Verdict.REGRESSION;
            case LOWER_IS_BETTER -> down ? Verdict.BETTER : Verdict.REGRESSION;
            case UNKNOWN -> Verdict.CHANGED;
        };
    }

    /** @return every row. */
    public List<Row> rows()
    {
        return rows;
    }

    /** @return the rows judged regressions. */
    public List<Row> regressions()
    {
        return rows.stream().filter(r -> r.verdict() == Verdict.REGRESSION).toList();
    }

    /** @return the comparison as a table grouped by scenario, and a closing line counting regressions. */
    public String format(final String nowLabel, final String beforeLabel)
    {
        int nameWidth = 4;
        int unitWidth = 4;
        for (final Row r : rows)
        {
            nameWidth = Math.max(nameWidth, Math.max(r.scenario().length(), r.name().length() + 2));
            unitWidth = Math.max(unitWidth, r.unit().length());
        }
        final int valueWidth = Math.max(12, Math.max(nowLabel.length(), beforeLabel.length()));
        final String line = "%-" + nameWidth + "s  %" + valueWidth + "s  %" + valueWidth + "s  %-" + unitWidth + "s  %8s  %8s  %s";
        final StringBuilder out = new StringBuilder();
        String scenario = null;
        final List<String> notRunNow = new ArrayList<>();
        for (final Row r : rows)
        {
            if (!r.scenario().equals(scenario))
            {
                scenario = r.scenario();
                if (onlyMissingNow(scenario))
                {
                    // a scenario not selected this time: one line, not a row per figure
                    notRunNow.add(scenario);
                    continue;
                }
                if (!out.isEmpty())
                {
                    out.append('\n');
                }
                appendLine(out, String.format(Locale.ROOT, line, scenario, nowLabel, beforeLabel, "unit", "ratio", "change", ""));
            }
            if (notRunNow.contains(scenario))
            {
                continue;
            }
            final String change = Double.isFinite(r.ratio()) ? String.format(Locale.ROOT, "%+.1f%%", (r.ratio() - 1) * 100) : "";
            appendLine(out, String.format(Locale.ROOT, line, "  " + r.name(), value(r.now()), value(r.before()), r.unit(),
                Double.isFinite(r.ratio()) ? SummaryTable.formatRatio(r.ratio()) : "", change, mark(r.verdict())));
        }
        final List<Row> regressions = regressions();
        out.append('\n');
        if (!notRunNow.isEmpty())
        {
            out.append("not run this time (figures only in the earlier run): ").append(String.join(", ", notRunNow)).append('\n');
        }
        if (regressions.isEmpty())
        {
            out.append(String.format(Locale.ROOT, "no regression beyond %.0f%%%n", thresholdPercent));
        }
        else
        {
            out.append(String.format(Locale.ROOT, "%d REGRESSION(S) beyond %.0f%%:", regressions.size(), thresholdPercent));
            for (final Row r : regressions)
            {
                out.append(' ').append(r.scenario()).append(' ').append(r.name());
            }
            out.append('\n');
        }
        return out.toString();
    }

    private boolean onlyMissingNow(final String scenario)
    {
        for (final Row r : rows)
        {
            if (r.scenario().equals(scenario) && r.verdict() != Verdict.MISSING_NOW)
            {
                return false;
            }
        }
        return true;
    }

    private static String mark(final Verdict verdict)
    {
        return switch (verdict)
        {
            case SAME -> "";
            case BETTER -> "better";
            case REGRESSION -> "<<< REGRESSION";
            case CHANGED -> "changed";
            case MISSING_NOW -> "missing in this run";
            case MISSING_BEFORE -> "new: missing in the earlier run";
            case UNIT_CHANGED -> "unit changed, not compared";
        };
    }

    private static String value(final double value)
    {
        return Double.isNaN(value) ? "-" : SummaryTable.formatValue(value);
    }

    private static void appendLine(final StringBuilder out, final String line)
    {
        out.append(line.stripTrailing()).append('\n');
    }

    private static String key(final BenchResult r)
    {
        return r.scenario() + '\u0000' + r.name();
    }
}
