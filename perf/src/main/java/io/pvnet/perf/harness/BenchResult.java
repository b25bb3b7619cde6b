package io.pvnet.perf.harness;

import java.util.List;

/**
 * One figure of a bench run.
 *
 * @param scenario the scenario that measured it, for example {@code ring}.
 * @param name     the figure's name within the scenario, for example {@code pvnet.batch32}.
 * @param value    the measured value.
 * @param unit     its unit, for example {@code Mframes/s} or {@code ns}.
 * @param samples  the figure's rate in each second of its measurement, in {@code unit}, when the scenario showed a
 *                 progress line for it (empty otherwise); how steady the value was.
 */
public record BenchResult(String scenario, String name, double value, String unit, List<Double> samples)
{
    public BenchResult
    {
        samples = List.copyOf(samples);
    }

    /** A figure without per-second samples. */
    public BenchResult(final String scenario, final String name, final double value, final String unit)
    {
        this(scenario, name, value, unit, List.of());
    }
}
