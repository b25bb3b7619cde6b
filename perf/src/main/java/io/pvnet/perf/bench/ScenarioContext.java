package io.pvnet.perf.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * What a running {@link Scenario} gets from the harness: how long to measure, a live progress line and a place for results.
 * Used from the harness thread only.
 */
public final class ScenarioContext
{
    private final String scenario;
    private final Duration duration;
    private final Duration warmup;
    private final ProgressPrinter printer;
    private final List<BenchResult> results = new ArrayList<>();

    ScenarioContext(final String scenario, final Duration duration, final Duration warmup, final ProgressPrinter printer)
    {
        this.scenario = scenario;
        this.duration = duration;
        this.warmup = warmup;
        this.printer = printer;
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
     * Shows a progress line once a second until the returned handle is closed: the rate of {@code count} per second,
     * multiplied by {@code scale}, in {@code unit}.
     *
     * @param figure what is being measured, for example {@code pvnet.batch32 (warm-up)}.
     * @param count  a counter that another thread may read at any time (an atomic or volatile read).
     * @param scale  multiplier from counts per second to the unit, for example {@code 1e-6} for Mframes/s.
     * @param unit   the unit shown.
     * @return a handle that stops the line when closed.
     */
    public ProgressPrinter.Line progress(final String figure, final LongSupplier count, final double scale, final String unit)
    {
        return printer.start(scenario + " " + figure, count, scale, unit);
    }

    /** Records one figure of this scenario. */
    public void report(final String name, final double value, final String unit)
    {
        results.add(new BenchResult(scenario, name, value, unit));
    }

    List<BenchResult> results()
    {
        return results;
    }
}
