package io.pvnet.perf.bench;

import io.pvnet.perf.harness.BenchOptions;
import io.pvnet.perf.harness.Scenario;

import java.util.List;

/**
 * How long each figure of a bench run is warmed up and measured, and how long the run will take. Without
 * {@code --duration} the figures share {@link #FIT_BUDGET_SECONDS} of warm-up and measurement (1 to 5 s each); the
 * run takes longer where scenarios wait beyond that (idle's quiet windows of at least 20 s, wake's own warm-ups):
 * the estimate adds up each scenario's {@link Scenario#estimatedSeconds}.
 *
 * @param figures          how many figures the run measures.
 * @param durationSeconds  seconds each figure is measured.
 * @param warmupSeconds    seconds each figure is warmed up first.
 * @param estimatedSeconds the whole run's expected length: the sum of its scenarios' estimates.
 */
public record RunPlan(int figures, double durationSeconds, double warmupSeconds, double estimatedSeconds)
{
    /**
     * Seconds the figures of a default run share for their warm-ups and durations when fitted. Not the run's length:
     * a scenario's own waits come on top ({@link Scenario#estimatedSeconds}).
     */
    public static final double FIT_BUDGET_SECONDS = 60.0;
    /** Shortest and longest fitted duration per figure: below 1 s a rate is mostly noise; above 5 s adds little. */
    public static final double MIN_FITTED_SECONDS = 1.0;
    public static final double MAX_FITTED_SECONDS = 5.0;
    /** Longest default warm-up: enough for C2 to compile the loop. */
    public static final double MAX_DEFAULT_WARMUP_SECONDS = 2.0;
    /** Longest duration or warm-up accepted: a day. */
    public static final double MAX_SECONDS = 86_400;

    /**
     * @param scenarios       the scenarios of the run.
     * @param options         the user's choices (each scenario reads a copy).
     * @param durationSeconds the user's {@code --duration}, or {@code null} to fit it from the scenarios' figures.
     * @param warmupSeconds   the user's {@code --warmup}, or {@code null} for half the duration, at most 2 s.
     * @return the plan: duration and warm-up as {@link #fit(int, Double, Double)} for the scenarios' figures, the
     * estimate the sum of the scenarios' {@link Scenario#estimatedSeconds} with them.
     * @throws IllegalArgumentException naming the option when a given value is out of range.
     */
    public static RunPlan of(
        final List<? extends Scenario> scenarios, final BenchOptions options, final Double durationSeconds,
        final Double warmupSeconds)
    {
        int figures = 0;
        for (final Scenario scenario : scenarios)
        {
            figures += scenario.measurementCount(options.forScenario());
        }
        final RunPlan fitted = fit(figures, durationSeconds, warmupSeconds);
        double estimate = 0;
        for (final Scenario scenario : scenarios)
        {
            estimate += scenario.estimatedSeconds(options.forScenario(), fitted.durationSeconds(), fitted.warmupSeconds());
        }
        return new RunPlan(figures, fitted.durationSeconds(), fitted.warmupSeconds(), estimate);
    }

    /**
     * @param figures         how many figures the selected scenarios measure.
     * @param durationSeconds the user's {@code --duration}, or {@code null} to fit it.
     * @param warmupSeconds   the user's {@code --warmup}, or {@code null} for half the duration, at most 2 s.
     * @return the plan, its estimate figures x (warm-up + duration): scenarios that wait for nothing else.
     * @throws IllegalArgumentException naming the option when a given value is out of range.
     */
    public static RunPlan fit(final int figures, final Double durationSeconds, final Double warmupSeconds)
    {
        if (durationSeconds != null)
        {
            checkDuration(durationSeconds);
        }
        if (warmupSeconds != null)
        {
            checkWarmup(warmupSeconds);
        }
        final int n = Math.max(1, figures);
        final double perFigure = FIT_BUDGET_SECONDS / n;
        final double duration;
        if (durationSeconds != null)
        {
            duration = durationSeconds;
        }
        else if (warmupSeconds != null)
        {
            duration = clamp(perFigure - warmupSeconds);
        }
        else
        {
            // warm-up is d/2 while d <= 4 s, then 2 s: solve n * (d + warmup(d)) = total
            final double d = perFigure <= 3 * MAX_DEFAULT_WARMUP_SECONDS ? perFigure / 1.5 : perFigure - MAX_DEFAULT_WARMUP_SECONDS;
            duration = clamp(d);
        }
        final double warmup = warmupSeconds != null ? warmupSeconds : Math.min(MAX_DEFAULT_WARMUP_SECONDS, duration / 2);
        return new RunPlan(figures, duration, warmup, figures * (duration + warmup));
    }

    /** @throws IllegalArgumentException naming {@code --duration} unless 0 < seconds <= 86400. */
    public static void checkDuration(final double seconds)
    {
        if (!(seconds > 0 && seconds <= MAX_SECONDS))
        {
            throw new IllegalArgumentException("--duration=" + seconds + " must be > 0 and at most 86400 seconds");
        }
    }

    /** @throws IllegalArgumentException naming {@code --warmup} unless 0 <= seconds <= 86400. */
    public static void checkWarmup(final double seconds)
    {
        if (!(seconds >= 0 && seconds <= MAX_SECONDS))
        {
            throw new IllegalArgumentException("--warmup=" + seconds + " must be >= 0 and at most 86400 seconds");
        }
    }

    private static double clamp(final double seconds)
    {
        return Math.max(MIN_FITTED_SECONDS, Math.min(MAX_FITTED_SECONDS, seconds));
    }
}
