package io.pvnet.perf.bench;

import java.util.List;

/**
 * The figures of one earlier run, as read back from its JSON file.
 *
 * @param machine the machine it ran on, or {@code null} when the file does not say.
 * @param results its figures.
 */
public record BenchRun(MachineInfo machine, List<BenchResult> results)
{
}
