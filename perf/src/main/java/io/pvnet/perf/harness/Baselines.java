package io.pvnet.perf.harness;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which figures of one scenario are shown as ratios to which baseline figures.
 * <p>
 * A figure's name is {@code implementation.measure}, for example {@code pvnet.batch32}. A <em>baseline
 * implementation</em> (declared with {@link ScenarioContext#baseline(String)}; {@code baseline} always is one) pairs
 * every figure {@code X.measure} with {@code baseline.measure} when the scenario reported both in the same unit.
 * An explicit pair ({@link ScenarioContext#compare(String, String)}) pairs any two figures, for example
 * {@code pvnet.batch32} with {@code pvnet.batch1} to show the batching gain. Used by the harness thread only.
 */
public final class Baselines
{
    /** The implementation name every scenario may use for its plain reference, e.g. {@code baseline.rtt.p50}. */
    static final String DEFAULT_IMPLEMENTATION = "baseline";

    private final Set<String> implementations = new LinkedHashSet<>(List.of(DEFAULT_IMPLEMENTATION));
    private final Map<String, List<String>> pairs = new LinkedHashMap<>();

    void implementation(final String implementation)
    {
        if (implementation == null || implementation.isBlank() || implementation.contains("."))
        {
            throw new IllegalArgumentException("baseline=" + implementation + " must be a non-empty name without '.'");
        }
        implementations.add(implementation);
    }

    void pair(final String figure, final String baseline)
    {
        if (figure.equals(baseline))
        {
            throw new IllegalArgumentException("figure=" + figure + " cannot be its own baseline");
        }
        final List<String> baselines = pairs.computeIfAbsent(figure, k -> new ArrayList<>());
        if (!baselines.contains(baseline))
        {
            baselines.add(baseline);
        }
    }

    /** @return every ratio that the results of {@code scenario} allow, in result order then declaration order. */
    List<BenchRatio> ratios(final String scenario, final List<BenchResult> results)
    {
        final Map<String, BenchResult> byName = new LinkedHashMap<>();
        for (final BenchResult r : results)
        {
            if (r.scenario().equals(scenario))
            {
                byName.put(r.name(), r);
            }
        }
        final List<BenchRatio> ratios = new ArrayList<>();
        for (final BenchResult r : byName.values())
        {
            final Set<String> baselineNames = new LinkedHashSet<>(pairs.getOrDefault(r.name(), List.of()));
            final int dot = r.name().indexOf('.');
            // a baseline is not itself compared with the other baselines; explicit pairs still apply
            if (dot > 0 && !implementations.contains(r.name().substring(0, dot)))
            {
                final String measure = r.name().substring(dot);
                for (final String baselineImplementation : implementations)
                {
                    baselineNames.add(baselineImplementation + measure);
                }
            }
            for (final String baselineName : baselineNames)
            {
                final BenchResult baseline = byName.get(baselineName);
                if (baseline != null && baseline.unit().equals(r.unit()) && baseline.value() != 0 &&
                    Double.isFinite(baseline.value()) && Double.isFinite(r.value()))
                {
                    ratios.add(new BenchRatio(scenario, r.name(), baselineName, r.value() / baseline.value(),
                        isBaselineName(baselineName)));
                }
            }
        }
        return ratios;
    }

    /** @return whether {@code name} belongs to a baseline implementation (declared, or {@code baseline.*}). */
    private boolean isBaselineName(final String name)
    {
        final int dot = name.indexOf('.');
        return dot > 0 && implementations.contains(name.substring(0, dot));
    }

    /**
     * @return whether {@code name} of {@code scenario} is a real baseline of some figure in {@code ratios}; a pvnet
     * figure that another is only shown beside ({@code pvnet.batch1} for {@code pvnet.batch32}) is not one.
     */
    public static boolean isBaseline(final String scenario, final String name, final List<BenchRatio> ratios)
    {
        for (final BenchRatio ratio : ratios)
        {
            if (ratio.toBaseline() && ratio.scenario().equals(scenario) && ratio.baseline().equals(name))
            {
                return true;
            }
        }
        return false;
    }

    /** @return whether {@code name} is a real baseline of some figure in {@code ratios}. */
    public static boolean isBaseline(final String name, final List<BenchRatio> ratios)
    {
        for (final BenchRatio ratio : ratios)
        {
            if (ratio.toBaseline() && ratio.baseline().equals(name))
            {
                return true;
            }
        }
        return false;
    }
}
