package io.pvnet.perf.bench;

import io.pvnet.perf.harness.BenchRatio;
import io.pvnet.perf.harness.BenchResult;
import io.pvnet.perf.harness.BenchOptions;
import io.pvnet.perf.harness.IdleConverter;
import io.pvnet.perf.harness.ProgressPrinter;
import io.pvnet.perf.harness.ScenarioContext;
import io.pvnet.perf.harness.Scenario;
import io.pvnet.ring.event.IdleMode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ./pvnet bench}: runs every scenario (or those named) and prints a summary table; optionally writes JSON and
 * CSV and compares with an earlier run. With no options the whole run takes about {@link #FULL_RUN_MINUTES} minutes:
 * the figures share a minute of warm-up and measurement ({@link RunPlan#FIT_BUDGET_SECONDS}), and {@code idle}'s
 * quiet windows and {@code wake}'s warm-ups take the rest. The plan line adds up each scenario's
 * {@link Scenario#estimatedSeconds} before the first figure; the last line puts each scenario's time beside its own.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Run throughput and latency scenarios and print a summary table (all scenarios in about " +
            BenchCommand.FULL_RUN_MINUTES + " minutes, most of it the idle scenario's quiet windows; the plan line says " +
            "how long the selected scenarios take).",
        "Choices such as --size or --batch go to every scenario; each uses those that apply to it and the run says which it ignored."
    })
public final class BenchCommand implements Callable<Integer>
{
    /**
     * Minutes a default run of every scenario takes, as the help says it: its plan's estimate to the half minute
     * (BenchCommandTest holds the two together).
     */
    static final double FULL_RUN_MINUTES = 3.5;
    /** Exit statuses: a scenario failed; bad options or files; a regression with {@code --fail-on-regression}. */
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_REGRESSION = 3;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Mixin
    io.pvnet.perf.harness.PollingOptions polling = new io.pvnet.perf.harness.PollingOptions();

    @Option(names = "--scenario", paramLabel = "NAME", split = ",",
        description = "Run only this scenario (repeatable or comma-separated; 'all' for every one). See --list. " +
            "With --compare the default is the scenarios in the earlier file.")
    List<String> scenarioNames = new ArrayList<>();

    @Option(names = "--duration", paramLabel = "SECONDS",
        description = "Seconds each figure is measured (default: 1 to 5, fitted so the figures' warm-ups and " +
            "measurements share a minute). Scenarios that wait beyond that take longer: idle settles at least " +
            IdleScenario.SETTLE_MIN_MS / 1000 + " s and measures at least " + IdleScenario.WINDOW_MIN_MS / 1000 +
            " s three times. The plan line before the first figure says how long the run takes.")
    Double durationSeconds;

    @Option(names = "--warmup", paramLabel = "SECONDS", description = "Seconds of warm-up before each figure (default: half the duration, at most 2).")
    Double warmupSeconds;

    @Option(names = "--size", paramLabel = "BYTES", split = ",", description = "Frame size, or a list of sizes, e.g. 64,1500.")
    List<Integer> sizes;

    @Option(names = "--tso", arity = "1", paramLabel = "on|off", converter = OnOffConverter.class, description = "TSO: 64 KiB super-frames split in software.")
    Boolean tso;

    @Option(names = "--vifs", paramLabel = "N", description = "Number of vifs.")
    Integer vifs;

    @Option(names = "--batch", paramLabel = "N", description = "Frames per batch.")
    Integer batch;

    @Option(names = "--idle", paramLabel = "STRATEGY", converter = IdleConverter.class,
        description = "How waiting threads wait: busy-spin, backoff, sleep, adaptive, yield, park or noop (default: " +
            "each scenario's own: busy-spin for vif and switch, the path's capacity on free cores; adaptive for " +
            "vif-xproc, as real guests run, and for wake and idle, which measure sleeping). On cores shared with " +
            "other work busy-spin collapses: use adaptive there.")
    IdleMode idle;

    @Option(names = "--threading", paramLabel = "MODE", converter = ThreadingConverter.class,
        description = "dedicated (a thread per agent) or shared (all agents on one thread).")
    BenchOptions.Threading threading;

    @Option(names = "--queues", paramLabel = "N", split = ",",
        description = "Queues per vif, or a list (1,2): the vif scenario reports each (vif.64, vif.q2.64, ...).")
    List<Integer> queues;

    @Option(names = "--xproc", description = "Run frontends in a second JVM (cross-process) where a scenario can.")
    boolean xproc;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
    Path jsonFile;

    @Option(names = "--csv", paramLabel = "FILE", description = "Also write the results as CSV to FILE.")
    Path csvFile;

    @Option(names = "--compare", paramLabel = "FILE",
        description = "Run the scenarios of an earlier run (its --json FILE) and print this run beside it. A figure with " +
            "a same-run baseline is judged by its ratio to that baseline; baselines are never judged; a figure without one " +
            "is shown but not judged (see --judge-absolute).")
    Path compareFile;

    @Option(names = "--judge-absolute",
        description = "With --compare: also judge figures without a same-run baseline by their own values (the " +
            "host's fast and slow modes then read as changes).")
    boolean judgeAbsolute;

    @Option(names = "--threshold", paramLabel = "PERCENT", defaultValue = "10",
        description = "With --compare: a figure worse by more than this is a regression (default: ${DEFAULT-VALUE}).")
    double thresholdPercent;

    @Option(names = "--fail-on-regression",
        description = "With --compare: exit with status " + EXIT_REGRESSION + " when any figure regressed (for CI gates).")
    boolean failOnRegression;

    @Option(names = "--list", description = "List the scenarios and exit.")
    boolean list;

    @Option(names = "--no-progress", description = "Do not print a progress line per second.")
    boolean noProgress;

    /** The scenarios to choose from; tests replace them. */
    List<Scenario> scenarios = Scenarios.all();

    @Override
    public Integer call() throws Exception
    {
        final PrintStream out = System.out;
        final PrintWriter err = spec.commandLine().getErr();
        if (list)
        {
            if (scenarios.isEmpty())
            {
                out.println("no scenarios yet");
            }
            scenarios.forEach(s -> out.printf("%-16s %s%n", s.name(), s.description()));
            return 0;
        }

        final BenchOptions options;
        final RunPlan plan;
        final List<Scenario> selected;
        BenchRun earlier = null;
        final List<String> notesBefore = new ArrayList<>();
        try
        {
            polling.apply();
            options = BenchOptions.builder().sizes(sizes).tso(tso).vifs(vifs).batch(batch).idle(idle).queues(queues)
                .threading(threading).xproc(xproc).build();
            if (compareFile != null)
            {
                // read it before a minute of measuring, so a wrong name fails at once
                earlier = readRun(compareFile);
            }
            else if (failOnRegression || judgeAbsolute)
            {
                throw new IllegalArgumentException((failOnRegression ? "--fail-on-regression" : "--judge-absolute") +
                    " needs --compare FILE");
            }
            selected = earlier != null && scenarioNames.isEmpty() ? earlierScenarios(scenarios, earlier, notesBefore)
                : select(scenarios, scenarioNames);
            plan = RunPlan.of(selected, options, durationSeconds, warmupSeconds);
            checkWritable("--json", jsonFile);
            checkWritable("--csv", csvFile);
            if (!(thresholdPercent >= 0))
            {
                throw new IllegalArgumentException("--threshold=" + thresholdPercent + " must be >= 0");
            }
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("pvnet bench: " + ex.getMessage());
            err.flush();
            return EXIT_USAGE;
        }
        if (selected.isEmpty())
        {
            out.println("pvnet bench: no scenarios yet");
            return 0;
        }

        final MachineInfo machine = MachineInfo.current();
        final String startedAt = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        final double loadAtStart = MachineInfo.loadAverageNow();
        out.println("pvnet bench: " + machine);
        out.println("  pvnet " + io.pvnet.perf.BuildInfo.current().describe() + ", started " + startedAt);
        // every scenario that checksums (vif, tso, checksum's pvnet figures) uses this kernel
        out.println("  checksum kernel: " + io.pvnet.checksum.Checksums.bestChoice());
        out.printf(Locale.ROOT, "  %d scenario(s), %d figure(s), %.1f s warm-up + %.1f s each: about %s%n",
            selected.size(), plan.figures(), plan.warmupSeconds(), plan.durationSeconds(),
            aboutSeconds(plan.estimatedSeconds()));
        if (!options.toString().isEmpty())
        {
            out.println("  options: " + options);
        }
        for (final String warning : MachineInfo.warnings(machine, selected, options))
        {
            out.println("  warning: " + warning);
        }
        for (final String note : notesBefore)
        {
            out.println("  note: " + note);
        }
        if (earlier != null && !earlier.options().equals(options.toString()))
        {
            out.println("  note: the earlier run was made with options '" + earlier.options() + "', this one with '" +
                options + "': figures may differ for that reason");
        }

        final ProgressPrinter printer = new ProgressPrinter(out, !noProgress);
        final List<BenchResult> results = new ArrayList<>();
        final List<BenchRatio> ratios = new ArrayList<>();
        final List<BenchRatio> headlines = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        final StringBuilder times = new StringBuilder();
        final long runStartNs = System.nanoTime();
        for (final Scenario scenario : selected)
        {
            final long scenarioStartNs = System.nanoTime();
            final ScenarioContext context = new ScenarioContext(scenario.name(),
                Duration.ofMillis(Math.round(plan.durationSeconds() * 1000)),
                Duration.ofMillis(Math.round(plan.warmupSeconds() * 1000)), printer, options);
            try
            {
                scenario.run(context);
            }
            // a scenario that cannot run here (a missing native library, a failed self-check) must not end the others
            catch (final Exception | LinkageError | AssertionError ex)
            {
                failures.add(scenario.name() + ": " + ex);
                out.println("  scenario " + scenario.name() + " failed: " + ex);
            }
            results.addAll(context.results());
            ratios.addAll(context.ratios());
            headlines.addAll(context.headlines());
            notes.addAll(ignoredNotes(scenario.name(), context.options()));
            // beside its estimate, so a scenario whose estimate went wrong shows at once
            times.append(times.isEmpty() ? "" : ", ").append(scenario.name()).append(' ')
                .append(String.format(Locale.ROOT, "%.1f s (about %.0f)", (System.nanoTime() - scenarioStartNs) / 1e9,
                    scenario.estimatedSeconds(options.forScenario(), plan.durationSeconds(), plan.warmupSeconds())));
        }

        out.println();
        out.print(SummaryTable.format(results, ratios));
        for (final BenchRatio headline : headlines)
        {
            out.printf(Locale.ROOT, "%s: %s / %s = %s (same run)%n", headline.scenario(), headline.name(),
                headline.baseline(), SummaryTable.formatRatio(headline.ratio()));
        }
        for (final String note : notes)
        {
            out.println("note: " + note);
        }
        out.printf(Locale.ROOT, "took %.0f s (planned about %s): %s%n",
            (System.nanoTime() - runStartNs) / 1e9, aboutSeconds(plan.estimatedSeconds()), times);
        final BenchRun run = new BenchRun(io.pvnet.perf.BuildInfo.current().version(),
            io.pvnet.perf.BuildInfo.current().commit(), startedAt, machine, loadAtStart, options.toString(),
            plan.durationSeconds(), plan.warmupSeconds(), results, ratios);
        if (jsonFile != null)
        {
            Files.writeString(jsonFile, BenchJson.write(run), StandardCharsets.UTF_8);
            out.println("results written to " + jsonFile);
        }
        if (csvFile != null)
        {
            Files.writeString(csvFile, BenchCsv.write(results), StandardCharsets.UTF_8);
            out.println("results written to " + csvFile);
        }
        boolean regressed = false;
        if (earlier != null)
        {
            out.println();
            out.println("compared with " + compareFile + " (pvnet " + earlier.version() + ", commit " + earlier.commit() +
                ", " + earlier.timestamp() + (earlier.machine() == null ? ")" :
                earlier.machine().equals(machine) ? ", same machine)" : ", measured on " + earlier.machine() + ")"));
            final BenchComparison comparison = BenchComparison.of(run, earlier, thresholdPercent, judgeAbsolute);
            out.print(comparison.format("this run", "earlier"));
            regressed = !comparison.regressions().isEmpty();
        }
        if (!failures.isEmpty())
        {
            failures.forEach(f -> err.println("pvnet bench: " + f));
            err.flush();
            return EXIT_FAILED;
        }
        if (regressed && failOnRegression)
        {
            err.println("pvnet bench: regression beyond " + java.math.BigDecimal.valueOf(thresholdPercent).stripTrailingZeros().toPlainString() +
                "% against " + compareFile + " (exit " + EXIT_REGRESSION + ")");
            err.flush();
            return EXIT_REGRESSION;
        }
        return 0;
    }

    /**
     * @return the scenarios the earlier run measured, in its order; a scenario this build no longer has is noted and
     * left out.
     * @throws IllegalArgumentException when none of them exists here.
     */
    static List<Scenario> earlierScenarios(final List<Scenario> all, final BenchRun earlier, final List<String> notes)
    {
        final List<Scenario> selected = new ArrayList<>();
        for (final String name : earlier.scenarios())
        {
            final Scenario match = all.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
            if (match == null)
            {
                notes.add("scenario " + name + " of the earlier run does not exist here; not run");
            }
            else
            {
                selected.add(match);
            }
        }
        if (selected.isEmpty())
        {
            throw new IllegalArgumentException("--compare: none of the earlier run's scenarios (" +
                String.join(", ", earlier.scenarios()) + ") exists here; name some with --scenario");
        }
        return selected;
    }

    /** @return {@code 35 s}, or {@code 212 s (3.5 min)} from 90 s on. */
    static String aboutSeconds(final double seconds)
    {
        return seconds < 90 ? String.format(Locale.ROOT, "%.0f s", seconds) :
            String.format(Locale.ROOT, "%.0f s (%.1f min)", seconds, seconds / 60);
    }

    /** @return the notes saying which of the user's choices a scenario did not use. */
    static List<String> ignoredNotes(final String scenario, final BenchOptions used)
    {
        final List<String> notes = new ArrayList<>();
        final List<String> ignored = used.ignored();
        if (!ignored.isEmpty())
        {
            notes.add("scenario " + scenario + " ignored " + String.join(", ", ignored) + " (does not apply to it)");
        }
        if (used.onlyFirstSizeRead())
        {
            notes.add("scenario " + scenario + " measures one frame size: used the first of " +
                used.describe(BenchOptions.Choice.SIZE));
        }
        return notes;
    }

    /**
     * Fails before measuring when an output file could not be written afterwards.
     *
     * @throws IllegalArgumentException naming the option when the file's directory is missing or not writable.
     */
    public static void checkWritable(final String option, final Path file)
    {
        if (file == null)
        {
            return;
        }
        final Path parent = file.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent))
        {
            throw new IllegalArgumentException(option + "=" + file + ": directory " + parent + " does not exist");
        }
        if (!Files.isWritable(parent) || (Files.exists(file) && (Files.isDirectory(file) || !Files.isWritable(file))))
        {
            throw new IllegalArgumentException(option + "=" + file + ": cannot be written");
        }
    }

    /**
     * @param file an earlier run's {@code --json} file.
     * @return its figures.
     * @throws IllegalArgumentException naming {@code --compare} and the file when it cannot be read as one.
     */
    public static BenchRun readRun(final Path file)
    {
        try
        {
            return BenchJson.read(Files.readString(file, StandardCharsets.UTF_8));
        }
        catch (final NoSuchFileException ex)
        {
            throw new IllegalArgumentException("--compare=" + file + ": no such file");
        }
        catch (final java.nio.charset.CharacterCodingException ex)
        {
            // its message is only "Input length = 1"
            throw new IllegalArgumentException("--compare=" + file + ": not a --json file (not UTF-8 text)");
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("--compare=" + file + ": " + ex.getMessage());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("--compare=" + file + ": " + ex.getMessage());
        }
    }

    static List<Scenario> select(final List<Scenario> all, final List<String> names)
    {
        if (names.isEmpty() || names.contains("all"))
        {
            return all;
        }
        final List<Scenario> selected = new ArrayList<>();
        for (final String name : names)
        {
            final Scenario match = all.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
            if (match == null)
            {
                throw new IllegalArgumentException("--scenario=" + name + " is not a scenario; scenarios: " +
                    (all.isEmpty() ? "none yet" : String.join(", ", all.stream().map(Scenario::name).toList())));
            }
            if (!selected.contains(match))
            {
                selected.add(match);
            }
        }
        return selected;
    }

    /** {@code on|off} (also true/false, yes/no) to a boolean. */
    static final class OnOffConverter implements CommandLine.ITypeConverter<Boolean>
    {
        @Override
        public Boolean convert(final String value)
        {
            return switch (value.trim().toLowerCase(Locale.ROOT))
            {
                case "on", "true", "yes" -> Boolean.TRUE;
                case "off", "false", "no" -> Boolean.FALSE;
                default -> throw new CommandLine.TypeConversionException("'" + value + "' is not on or off");
            };
        }
    }


    static final class ThreadingConverter implements CommandLine.ITypeConverter<BenchOptions.Threading>
    {
        @Override
        public BenchOptions.Threading convert(final String value)
        {
            try
            {
                return BenchOptions.Threading.parse(value);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CommandLine.TypeConversionException("'" + value + "' is not one of dedicated, shared");
            }
        }
    }
}
