package io.pvnet.perf.harness;

/**
 * A figure divided by its baseline from the same run, for example {@code pvnet.batch32} / {@code jctools.batch32}.
 *
 * @param scenario the scenario both figures belong to.
 * @param name     the figure, for example {@code pvnet.batch32}.
 * @param baseline the baseline figure, for example {@code jctools.batch32}.
 * @param ratio    {@code value(name) / value(baseline)}: above 1 means more frames/s, or more ns, than the baseline.
 */
public record BenchRatio(String scenario, String name, String baseline, double ratio)
{
}
