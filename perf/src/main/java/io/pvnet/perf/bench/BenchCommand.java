package io.pvnet.perf.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ./pvnet bench}: runs every scenario (or those named) and prints a summary table; optionally writes JSON.
 * With no options the whole run takes about a minute.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Run throughput and latency scenarios and print a summary table (all scenarios in about a minute).")
public final class BenchCommand implements Callable<Integer>
{
    /** Seconds the default run of every scenario should take in total, warm-ups included. */
    static final double DEFAULT_TOTAL_SECONDS = 60.0;

    @Option(names = "--scenario", paramLabel = "NAME", description = "Run only this scenario (repeatable). See --list.")
    List<String> scenarioNames = new ArrayList<>();

    @Option(names = "--duration", paramLabel = "SECONDS",
        description = "Seconds each figure is measured (default: fitted so all selected scenarios take about a minute).")
    Double durationSeconds;

    @Option(names = "--warmup", paramLabel = "SECONDS", description = "Seconds of warm-up before each figure (default: half the duration, at most 2).")
    Double warmupSeconds;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
    Path jsonFile;

    @Option(names = "--list", description = "List the scenarios and exit.")
    boolean list;

    @Option(names = "--no-progress", description = "Do not print a progress line per second.")
    boolean noProgress;

    @Override
    public Integer call() throws Exception
    {
        final PrintStream out = System.out;
        final List<Scenario> all = Scenarios.all();
        if (list)
        {
            all.forEach(s -> out.printf("%-14s %s%n", s.name(), s.description()));
            return 0;
        }

        final List<Scenario> selected = select(all);
        if (selected == null)
        {
            return 2;
        }
        if (durationSeconds != null && !(durationSeconds > 0))
        {
            System.err.println("pvnet bench: --duration must be > 0, was " + durationSeconds);
            return 2;
        }
        if (warmupSeconds != null && !(warmupSeconds >= 0))
        {
            System.err.println("pvnet bench: --warmup must be >= 0, was " + warmupSeconds);
            return 2;
        }

        final int figures = selected.stream().mapToInt(Scenario::measurementCount).sum();
        final double seconds = durationSeconds != null ? durationSeconds : defaultDuration(figures);
        final double warmup = warmupSeconds != null ? warmupSeconds : Math.min(2.0, seconds / 2);
        final MachineInfo machine = MachineInfo.current();

        out.println("pvnet bench: " + machine);
        out.printf("  %d scenario(s), %d figure(s), %.1f s warm-up + %.1f s each%n", selected.size(), figures, warmup, seconds);

        final ProgressPrinter printer = new ProgressPrinter(out, !noProgress);
        final List<BenchResult> results = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        for (final Scenario scenario : selected)
        {
            if (scenario.busyThreads() > machine.cores())
            {
                out.printf("  warning: scenario %s keeps %d threads busy but this machine has %d core(s); figures will be low%n",
                    scenario.name(), scenario.busyThreads(), machine.cores());
            }
            final ScenarioContext context = new ScenarioContext(
                scenario.name(), Duration.ofMillis(Math.round(seconds * 1000)), Duration.ofMillis(Math.round(warmup * 1000)), printer);
            try
            {
                scenario.run(context);
            }
            catch (final Exception ex)
            {
                failures.add(scenario.name() + ": " + ex);
                out.println("  scenario " + scenario.name() + " failed: " + ex);
            }
            results.addAll(context.results());
        }

        out.println();
        out.print(SummaryTable.format(results));
        if (jsonFile != null)
        {
            Files.writeString(jsonFile, BenchJson.write(machine, results), StandardCharsets.UTF_8);
            out.println("results written to " + jsonFile);
        }
        if (!failures.isEmpty())
        {
            failures.forEach(f -> System.err.println("pvnet bench: " + f));
            return 1;
        }
        return 0;
    }

    static double defaultDuration(final int figures)
    {
        // each figure costs a warm-up of half its duration (at most 2 s) plus the duration itself
        final double perFigure = DEFAULT_TOTAL_SECONDS / Math.max(1, figures);
        return Math.max(1.0, Math.min(5.0, perFigure / 1.5));
    }

    private List<Scenario> select(final List<Scenario> all)
    {
        if (scenarioNames.isEmpty())
        {
            return all;
        }
        final List<Scenario> selected = new ArrayList<>();
        for (final String name : scenarioNames)
        {
            final Scenario match = all.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
            if (match == null)
            {
                System.err.println("pvnet bench: no scenario named '" + name + "'; scenarios: "
                    + String.join(", ", all.stream().map(Scenario::name).toList()));
                return null;
            }
            selected.add(match);
        }
        return selected;
    }
}
