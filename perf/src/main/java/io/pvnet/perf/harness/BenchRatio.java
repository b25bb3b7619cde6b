package io.pvnet.perf.harness;

/**
 * A figure divided by another from the same run, for example {@code pvnet.batch32} / {@code jctools.batch32}.
 *
 * @param scenario   the scenario both figures belong to.
 * @param name       the figure, for example {@code pvnet.batch32}.
 * @param baseline   the figure it is divided by, for example {@code jctools.batch32}.
 * @param ratio      {@code value(name) / value(baseline)}: above 1 means more frames/s, or more ns, than the baseline.
 * @param toBaseline whether {@code baseline} is a real baseline (a declared baseline implementation such as
 *                   {@code jctools}, {@code aeron}, or a {@code baseline.*} figure) rather than another pvnet figure
 *                   shown beside it ({@code pvnet.batch32} / {@code pvnet.batch1}, {@code switch.64} / {@code vif.64}):
 *                   only a real baseline is left unjudged by {@code --compare} and cancels the host's speed.
 */
public record BenchRatio(String scenario, String name, String baseline, double ratio, boolean toBaseline)
{
    /** A ratio to a real baseline. */
    public BenchRatio(final String scenario, final String name, final String baseline, final double ratio)
    {
        this(scenario, name, baseline, ratio, true);
    }
}
