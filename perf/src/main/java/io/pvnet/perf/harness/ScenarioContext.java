package io.pvnet.perf.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * What a running {@link Scenario} gets from the harness: how long to measure, the user's choices, a live progress line
 * and a place for results.
 * Used from the harness thread only, except {@link #options()}, which the scenario's own threads may also read.
 */
public final class ScenarioContext
{
    private final String scenario;
    private final Duration duration;
    private final Duration warmup;
    private final ProgressPrinter printer;
    private final BenchOptions options;
    private final Baselines baselines = new Baselines();
    private final List<BenchResult> results = new ArrayList<>();
    private final java.util.Map<String, ProgressPrinter.Line> lines = new java.util.HashMap<>();
    private final List<String[]> headlines = new ArrayList<>();

    public ScenarioContext(
        final String scenario, final Duration duration, final Duration warmup, final ProgressPrinter printer)
    {
        this(scenario, duration, warmup, printer, BenchOptions.defaults());
    }

    public ScenarioContext(
        final String scenario,
        final Duration duration,
        final Duration warmup,
        final ProgressPrinter printer,
        final BenchOptions options)
    {
        this.scenario = scenario;
        this.duration = duration;
        this.warmup = warmup;
        this.printer = printer;
        this.options = options.forScenario();
    }

    /** @return the scenario's name, as reported with each figure. */
    public String scenario()
    {
        return scenario;
    }

    /** @return how long each figure is measured. */
    public Duration duration()
    {
        return duration;
    }

    /** @return how long each figure is warmed up before it is measured. */
    public Duration warmup()
    {
        return warmup;
    }

    /**
     * @return the user's choices (frame sizes, TSO, vifs, batch, idle strategy, threading, cross-process); read the ones
     * that apply, each with the scenario's default. The harness notes choices the scenario never read.
     */
    public BenchOptions options()
    {
        return options;
    }

    /**
     * Shows a progress line once a second until the returned handle is closed: the rate of {@code count} per second,
     * multiplied by {@code scale}, in {@code unit}. Add Gbit/s and drops to the line with
     * {@link ProgressPrinter.Line#frameBytes(int)}, {@link ProgressPrinter.Line#bytes(LongSupplier)} and
     * {@link ProgressPrinter.Line#drops(LongSupplier)}.
     *
     * @param figure what is being measured, for example {@code pvnet.batch32 (warm-up)}.
     * @param count  a counter that another thread may read at any time (an atomic or volatile read).
     * @param scale  multiplier from counts per second to the unit, for example {@code 1e-6} for Mframes/s.
     * @param unit   the unit shown.
     * @return a handle that stops the line when closed.
     */
    public ProgressPrinter.Line progress(final String figure, final LongSupplier count, final double scale, final String unit)
    {
        final ProgressPrinter.Line line = printer.start(scenario + " " + figure, count, scale, unit);
        lines.put(figure, line);
        return line;
    }

    /**
     * Records one figure of this scenario; when a progress line of the same name ran, its per-second samples go with
     * the figure (when the units match).
     */
    public void report(final String name, final double value, final String unit)
    {
        final ProgressPrinter.Line line = lines.get(name);
        results.add(new BenchResult(scenario, name, value, unit,
            line != null && line.unit().equals(unit) ? line.samples() : List.of()));
    }

    /**
     * Records one figure of this scenario with its samples given (a figure measured in slices: each slice's rate).
     *
     * @param samples the figure's rates, in {@code unit}, in the order they were measured.
     */
    public void report(final String name, final double value, final String unit, final List<Double> samples)
    {
        results.add(new BenchResult(scenario, name, value, unit, samples));
    }

    /**
     * Declares an implementation every other one is compared with in the summary: after {@code baseline("jctools")},
     * {@code pvnet.batch32} is shown as a ratio to {@code jctools.batch32} when both are reported in the same unit.
     * Figures named {@code baseline.*} are baselines without being declared.
     *
     * @param implementation the first part of the baseline figures' names, for example {@code jctools}.
     */
    public void baseline(final String implementation)
    {
        baselines.implementation(implementation);
    }

    /**
     * Shows {@code figure} as a ratio to {@code baselineFigure} in the summary, for example {@code pvnet.batch32} to
     * {@code pvnet.batch1} for the gain of batching.
     */
    public void compare(final String figure, final String baselineFigure)
    {
        baselines.pair(figure, baselineFigure);
    }

    /**
     * Like {@link #compare(String, String)}, and also prints the ratio on its own line under every run's summary:
     * for the figures a reader looks at first, such as {@code vif.64 / aeron.64}.
     */
    public void headline(final String figure, final String baselineFigure)
    {
        baselines.pair(figure, baselineFigure);
        headlines.add(new String[] {figure, baselineFigure});
    }

    /** @return the headline ratios among {@link #ratios()}, in declaration order (for the harness's summary). */
    public List<BenchRatio> headlines()
    {
        final List<BenchRatio> all = ratios();
        final List<BenchRatio> chosen = new ArrayList<>();
        for (final String[] pair : headlines)
        {
            for (final BenchRatio ratio : all)
            {
                if (ratio.name().equals(pair[0]) && ratio.baseline().equals(pair[1]))
                {
                    chosen.add(ratio);
                }
            }
        }
        return chosen;
    }

    /** @return the results the scenario reported so far (for the harness's report). */
    public List<BenchResult> results()
    {
        return results;
    }

    /** @return the ratios to baselines that this scenario's results allow. */
    public List<BenchRatio> ratios()
    {
        return baselines.ratios(scenario, results);
    }
}
