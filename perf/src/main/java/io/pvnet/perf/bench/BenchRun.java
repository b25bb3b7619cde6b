package io.pvnet.perf.bench;

import io.pvnet.perf.harness.BenchRatio;
import io.pvnet.perf.harness.BenchResult;
import java.util.List;

/**
 * One run of {@code ./pvnet bench} (or {@code latency}) as written to and read back from its JSON file.
 *
 * @param version   pvnet's version, or {@code unknown} when the file does not say.
 * @param commit    the git commit pvnet was built from, or {@code unknown}.
 * @param timestamp when the run started (ISO-8601 UTC), or {@code unknown}.
 * @param machine   the machine it ran on, or {@code null} when the file does not say.
 * @param loadAverage the 1-minute load average when the run started, NaN when unknown.
 * @param options   the user's choices as typed, for example {@code --size 64 --tso on} (may be empty).
 * @param durationSeconds seconds each figure was measured, NaN when unknown.
 * @param warmupSeconds   seconds of warm-up before each figure, NaN when unknown.
 * @param results   its figures.
 * @param ratios    its figures' ratios to their same-run baselines.
 */
public record BenchRun(
    String version,
    String commit,
    String timestamp,
    MachineInfo machine,
    double loadAverage,
    String options,
    double durationSeconds,
    double warmupSeconds,
    List<BenchResult> results,
    List<BenchRatio> ratios)
{
    public BenchRun
    {
        results = List.copyOf(results);
        ratios = List.copyOf(ratios);
    }

    /** A run known only by its machine and figures. */
    public BenchRun(final MachineInfo machine, final List<BenchResult> results)
    {
        this("unknown", "unknown", "unknown", machine, Double.NaN, "", Double.NaN, Double.NaN, results, List.of());
    }

    /** @return the names of the scenarios with figures in this run, in order. */
    public List<String> scenarios()
    {
        return results.stream().map(BenchResult::scenario).distinct().toList();
    }
}
