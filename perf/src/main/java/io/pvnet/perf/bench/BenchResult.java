package io.pvnet.perf.bench;

/**
 * One figure of a bench run.
 *
 * @param scenario the scenario that measured it, for example {@code ring}.
 * @param name     the figure's name within the scenario, for example {@code pvnet.batch32}.
 * @param value    the measured value.
 * @param unit     its unit, for example {@code Mframes/s} or {@code ns}.
 */
public record BenchResult(String scenario, String name, double value, String unit)
{
}
