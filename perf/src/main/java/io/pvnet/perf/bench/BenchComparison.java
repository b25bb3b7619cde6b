package io.pvnet.perf.bench;

import io.pvnet.perf.harness.BenchRatio;
import io.pvnet.perf.harness.BenchResult;
import io.pvnet.perf.harness.Baselines;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * This run beside an earlier one ({@code --compare FILE.json}). A figure that has a baseline from the same run (such
 * as {@code vif.64} and {@code aeron.64}) is judged by how its ratio to that baseline changed, so a machine that is
 * faster or slower today (turbo, a noisy neighbour) moves both and cancels out; baselines themselves are shown but
 * never judged. A figure without a same-run baseline (the host's fast and slow modes move it alone) is shown but not
 * judged, unless the caller asks for it to be judged by its own value ({@code --judge-absolute}). The unit says which way is better
 * (throughput up, time down); a change worse than the threshold is a regression. A figure present on one side only is
 * shown as missing on the other.
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
            // Mpps is a rate too: without it every vif figure would go unjudged
            if (u.endsWith("/s") || u.endsWith("pps") || u.equals("x") || u.endsWith("/cycle"))
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
        SAME, BETTER, REGRESSION, CHANGED, BASELINE, MISSING_NOW, MISSING_BEFORE, UNIT_CHANGED,
        /** A figure without a same-run baseline, reported beside the earlier value but not judged. */
        NOT_JUDGED
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
     * @param baseline the same-run baseline it was judged against, or {@code null} when judged by its own value.
     * @param judged   the change it was judged by: {@code (now / baseline now) / (before / baseline before)} with a
     *                 baseline, else {@code ratio}; NaN when not judged.
     * @param verdict  what the change means.
     */
    public record Row(
        String scenario, String name, double now, double before, String unit, double ratio, String baseline,
        double judged, Verdict verdict)
    {
    }

    private final List<Row> rows;
    private final double thresholdPercent;
    private final boolean judgeAbsolute;

    private BenchComparison(final List<Row> rows, final double thresholdPercent, final boolean judgeAbsolute)
    {
        this.rows = rows;
        this.thresholdPercent = thresholdPercent;
        this.judgeAbsolute = judgeAbsolute;
    }

    /**
     * Compares figures by their own values only (no baselines known: {@code latency --compare}, one machine's
     * percentiles).
     *
     * @param now              this run's figures.
     * @param before           the earlier run's figures.
     * @param thresholdPercent how much worse a figure may get before it counts as a regression.
     * @return the comparison, every figure judged by its own value.
     */
    public static BenchComparison of(final List<BenchResult> now, final List<BenchResult> before, final double thresholdPercent)
    {
        return of(now, List.of(), before, List.of(), thresholdPercent, true);
    }

    /**
     * @param now              this run.
     * @param before           the earlier run.
     * @param thresholdPercent how much worse a figure may get before it counts as a regression, for example 10.
     * @return the comparison: this run's figures in order, then figures only the earlier run had.
     */
    public static BenchComparison of(final BenchRun now, final BenchRun before, final double thresholdPercent)
    {
        return of(now, before, thresholdPercent, false);
    }

    /**
     * @param now              this run.
     * @param before           the earlier run.
     * @param thresholdPercent how much worse a figure may get before it counts as a regression, for example 10.
     * @param judgeAbsolute    also judge figures without a same-run baseline, by their own values.
     * @return the comparison: this run's figures in order, then figures only the earlier run had.
     */
    public static BenchComparison of(
        final BenchRun now, final BenchRun before, final double thresholdPercent, final boolean judgeAbsolute)
    {
        return of(now.results(), now.ratios(), before.results(), before.ratios(), thresholdPercent, judgeAbsolute);
    }

    /**
     * @param now              this run's figures.
     * @param nowRatios        this run's ratios to same-run baselines.
     * @param before           the earlier run's figures.
     * @param beforeRatios     the earlier run's ratios to its baselines.
     * @param thresholdPercent how much worse a figure may get before it counts as a regression, for example 10.
     * @return the comparison: this run's figures in order, then figures only the earlier run had; a figure without a
     *         same-run baseline is not judged.
     */
    public static BenchComparison of(
        final List<BenchResult> now, final List<BenchRatio> nowRatios,
        final List<BenchResult> before, final List<BenchRatio> beforeRatios, final double thresholdPercent)
    {
        return of(now, nowRatios, before, beforeRatios, thresholdPercent, false);
    }

    /**
     * @param now              this run's figures.
     * @param nowRatios        this run's ratios to same-run baselines.
     * @param before           the earlier run's figures.
     * @param beforeRatios     the earlier run's ratios to its baselines.
     * @param thresholdPercent how much worse a figure may get before it counts as a regression, for example 10.
     * @param judgeAbsolute    also judge figures without a same-run baseline, by their own values.
     * @return the comparison: this run's figures in order, then figures only the earlier run had.
     */
    public static BenchComparison of(
        final List<BenchResult> now, final List<BenchRatio> nowRatios,
        final List<BenchResult> before, final List<BenchRatio> beforeRatios, final double thresholdPercent,
        final boolean judgeAbsolute)
    {
        if (!(thresholdPercent >= 0))
        {
            throw new IllegalArgumentException("threshold=" + thresholdPercent + " must be >= 0 percent");
        }
        final Map<String, BenchResult> earlier = new LinkedHashMap<>();
        for (final BenchResult r : before)
        {
            earlier.put(key(r.scenario(), r.name()), r);
        }
        final List<Row> rows = new ArrayList<>();
        for (final BenchResult r : now)
        {
            final BenchResult old = earlier.remove(key(r.scenario(), r.name()));
            if (old == null)
            {
                rows.add(new Row(r.scenario(), r.name(), r.value(), Double.NaN, r.unit(), Double.NaN, null, Double.NaN,
                    Verdict.MISSING_BEFORE));
                continue;
            }
            if (!old.unit().equals(r.unit()))
            {
                rows.add(new Row(r.scenario(), r.name(), r.value(), old.value(), r.unit(), Double.NaN, null, Double.NaN,
                    Verdict.UNIT_CHANGED));
                continue;
            }
            final double ratio = r.value() / old.value();
            if (Baselines.isBaseline(r.scenario(), r.name(), nowRatios) ||
                Baselines.isBaseline(r.scenario(), r.name(), beforeRatios))
            {
                rows.add(new Row(r.scenario(), r.name(), r.value(), old.value(), r.unit(), ratio, null, Double.NaN,
                    Verdict.BASELINE));
                continue;
            }
            final BenchRatio[] pair = commonBaseline(r.scenario(), r.name(), nowRatios, beforeRatios);
            if (pair == null && !judgeAbsolute)
            {
                rows.add(new Row(r.scenario(), r.name(), r.value(), old.value(), r.unit(), ratio, null, Double.NaN,
                    Verdict.NOT_JUDGED));
                continue;
            }
            final double judged = pair == null ? ratio : pair[0].ratio() / pair[1].ratio();
            rows.add(new Row(r.scenario(), r.name(), r.value(), old.value(), r.unit(), ratio,
                pair == null ? null : pair[0].baseline(), judged, verdict(judged, Direction.of(r.unit()), thresholdPercent)));
        }
        for (final BenchResult old : earlier.values())
        {
            rows.add(new Row(old.scenario(), old.name(), Double.NaN, old.value(), old.unit(), Double.NaN, null, Double.NaN,
                Verdict.MISSING_NOW));
        }
        return new BenchComparison(rows, thresholdPercent, judgeAbsolute);
    }

    /** @return this run's and the earlier run's ratio of the figure to the first real baseline both runs have, or null. */
    private static BenchRatio[] commonBaseline(
        final String scenario, final String name, final List<BenchRatio> now, final List<BenchRatio> before)
    {
        for (final BenchRatio n : now)
        {
            // only a real baseline cancels the host's speed: judged against another pvnet figure (pvnet.batch1,
            // vif.64 for switch.64), a regression both share would cancel too and go unseen
            if (!n.toBaseline() || !n.scenario().equals(scenario) || !n.name().equals(name) || !Double.isFinite(n.ratio()))
            {
                continue;
            }
            for (final BenchRatio b : before)
            {
                if (b.scenario().equals(scenario) && b.name().equals(name) && b.baseline().equals(n.baseline()) &&
                    Double.isFinite(b.ratio()) && b.ratio() != 0)
                {
                    return new BenchRatio[] {n, b};
                }
            }
        }
        return null;
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
        final String line = "%-" + nameWidth + "s  %" + valueWidth + "s  %" + valueWidth + "s  %-" + unitWidth +
            "s  %8s  %8s  %-" + judgedWidth() + "s  %s";
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
                appendLine(out, String.format(Locale.ROOT, line, scenario, nowLabel, beforeLabel, "unit", "ratio", "change",
                    "judged by", ""));
            }
            if (notRunNow.contains(scenario))
            {
                continue;
            }
            final String change = Double.isFinite(r.ratio()) ? String.format(Locale.ROOT, "%+.1f%%", (r.ratio() - 1) * 100) : "";
            appendLine(out, String.format(Locale.ROOT, line, "  " + r.name(), value(r.now()), value(r.before()), r.unit(),
                Double.isFinite(r.ratio()) ? SummaryTable.formatRatio(r.ratio()) : "", change, judgedBy(r), mark(r.verdict())));
        }
        final List<Row> regressions = regressions();
        out.append('\n');
        final long notJudged = rows.stream().filter(r -> r.verdict() == Verdict.NOT_JUDGED).count();
        if (notJudged > 0)
        {
            out.append(String.format(Locale.ROOT, "%d figure(s) without a same-run baseline shown but not judged (the " +
                "host's speed moves them alone); --judge-absolute judges them by their own values%n", notJudged));
        }
        else if (judgeAbsolute && rows.stream().anyMatch(r -> r.baseline() == null && Double.isFinite(r.judged())))
        {
            out.append("figures without a same-run baseline judged by their own values (--judge-absolute)\n");
        }
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

    private int judgedWidth()
    {
        int width = "judged by".length();
        for (final Row r : rows)
        {
            width = Math.max(width, judgedBy(r).length());
        }
        return width;
    }

    /** @return how the row was judged: {@code -3.1% vs aeron.64}, {@code own value}, or empty when not judged. */
    private static String judgedBy(final Row r)
    {
        if (!Double.isFinite(r.judged()))
        {
            return "";
        }
        return r.baseline() == null ? "own value" :
            String.format(Locale.ROOT, "%+.1f%% vs %s", (r.judged() - 1) * 100, r.baseline());
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
            case BASELINE -> "baseline (not judged)";
            case MISSING_NOW -> "missing in this run";
            case MISSING_BEFORE -> "new: missing in the earlier run";
            case UNIT_CHANGED -> "unit changed, not compared";
            case NOT_JUDGED -> "no same-run baseline (not judged)";
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

    private static String key(final String scenario, final String name)
    {
        return scenario + '\u0000' + name;
    }
}
