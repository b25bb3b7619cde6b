package io.pvnet.perf.bench;

import io.pvnet.perf.harness.BenchResult;
import io.pvnet.perf.harness.BenchOptions;
import io.pvnet.perf.harness.ProgressPrinter;
import io.pvnet.perf.harness.ScenarioContext;
import io.pvnet.perf.harness.Scenario;
import io.pvnet.perf.StdoutCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCommandTest
{
    @RegisterExtension
    final StdoutCapture stdout = new StdoutCapture();
    private final StringWriter stderr = new StringWriter();

    /** Reports one figure per frame size it was told to use, plus a jctools baseline; reads only sizes and batch. */
    static final class SizesScenario implements Scenario
    {
        final List<Integer> batchesSeen = new ArrayList<>();

        @Override
        public String name()
        {
            return "fake";
        }

        @Override
        public String description()
        {
            return "a scenario for tests";
        }

        @Override
        public int measurementCount()
        {
            return 1;
        }

        @Override
        public int measurementCount(final BenchOptions options)
        {
            return options.sizes(64).length + 1;
        }

        @Override
        public void run(final ScenarioContext context)
        {
            context.baseline("jctools");
            final int batch = context.options().batch(32);
            batchesSeen.add(batch);
            for (final int size : context.options().sizes(64))
            {
                context.report("pvnet.size" + size, size * batch / 1000.0, "Mframes/s");
            }
            context.report("jctools.size64", 1.0, "Mframes/s");
        }
    }

    /** Spins two threads per vif; shows a live line with Gbit/s and drops. */
    static final class LiveScenario implements Scenario
    {
        @Override
        public String name()
        {
            return "live";
        }

        @Override
        public String description()
        {
            return "progress line";
        }

        @Override
        public int measurementCount()
        {
            return 1;
        }

        @Override
        public int busyThreads(final BenchOptions options)
        {
            return 2 * options.vifs(1);
        }

        @Override
        public void run(final ScenarioContext context) throws InterruptedException
        {
            final java.util.concurrent.atomic.AtomicLong frames = new java.util.concurrent.atomic.AtomicLong();
            final java.util.concurrent.atomic.AtomicLong drops = new java.util.concurrent.atomic.AtomicLong();
            final int vifs = context.options().vifs(1);
            try (ProgressPrinter.Line line = context.progress("pvnet.vifs" + vifs, frames::get, 1e-6, "Mframes/s")
                .frameBytes(1500).drops(drops::get))
            {
                final long end = System.nanoTime() + context.duration().toNanos();
                while (System.nanoTime() < end)
                {
                    frames.addAndGet(10_000);
                    drops.incrementAndGet();
                    Thread.sleep(1);
                }
            }
            context.report("pvnet.vifs" + vifs, frames.get() / 1e6 / (context.duration().toNanos() / 1e9), "Mframes/s");
        }
    }

    static final class FailingScenario implements Scenario
    {
        @Override
        public String name()
        {
            return "broken";
        }

        @Override
        public String description()
        {
            return "always fails";
        }

        @Override
        public int measurementCount()
        {
            return 1;
        }

        @Override
        public void run(final ScenarioContext context)
        {
            context.report("partial", 1.0, "ns");
            if (context.options().xproc())
            {
                throw new UnsatisfiedLinkError("no pvnet-native in java.library.path");
            }
            throw new IllegalStateException("ring=full");
        }
    }

    @Test
    void shouldRunWriteJsonAndCsvAndCompareWithEarlierRun(@TempDir final Path dir) throws Exception
    {
        final Path first = dir.resolve("first.json");
        assertEquals(0, run(new SizesScenario(), "--no-progress", "--size", "64,1500", "--batch", "16",
            "--tso", "on", "--json", first.toString()));
        final String firstOut = stdout.text();
        assertTrue(firstOut.contains("pvnet bench: CPU "), firstOut);
        assertTrue(firstOut.contains("options: --size 64,1500 --tso on --batch 16"), firstOut);
        assertTrue(firstOut.contains("  pvnet.size64") && firstOut.contains("1.02x jctools.size64"), firstOut);
        assertTrue(firstOut.contains("note: scenario fake ignored --tso on (does not apply to it)"), firstOut);
        final BenchRun earlier = BenchJson.read(Files.readString(first));
        assertEquals(3, earlier.results().size());
        assertEquals(24.0, earlier.results().get(1).value(), 1e-12);

        stdout.reset();
        final Path csv = dir.resolve("second.csv");
        final SizesScenario scenario = new SizesScenario();
        assertEquals(0, run(scenario, "--no-progress", "--size", "64", "--batch", "8", "--csv", csv.toString(),
            "--compare", first.toString()));
        assertEquals(List.of(8), scenario.batchesSeen);
        final String out = stdout.text();
        assertTrue(out.contains("compared with " + first + " (pvnet ") && out.contains(", same machine)"), out);
        assertTrue(out.contains("0.50x") && out.contains("<<< REGRESSION"), out);
        assertTrue(out.contains("pvnet.size1500") && out.contains("missing in this run"), out);
        assertFalse(out.contains("ignored"), out);
        assertEquals("scenario,name,value,unit\r\nfake,pvnet.size64,0.512,Mframes/s\r\nfake,jctools.size64,1.0,Mframes/s\r\n",
            Files.readString(csv));
    }

    /** Reports pvnet.x and its baseline base.x with values the test sets: host speed moves both, a regression one. */
    static final class TunableScenario implements Scenario
    {
        private final String name;
        private final double pvnet;
        private final double baseline;
        int runs;

        TunableScenario(final String name, final double pvnet, final double baseline)
        {
            this.name = name;
            this.pvnet = pvnet;
            this.baseline = baseline;
        }

        @Override
        public String name()
        {
            return name;
        }

        @Override
        public String description()
        {
            return "figures set by the test";
        }

        @Override
        public int measurementCount()
        {
            return 2;
        }

        @Override
        public void run(final ScenarioContext context)
        {
            runs++;
            context.baseline("base");
            context.report("pvnet.x", pvnet, "Mpps");
            context.report("base.x", baseline, "Mpps");
            context.headline("pvnet.x", "base.x");
        }
    }

    @Test
    void shouldRunOnlyTheEarlierFilesScenariosAndGateOnRatiosToSameRunBaselines(@TempDir final Path dir) throws Exception
    {
        final Path earlier = dir.resolve("earlier.json");
        final BenchCommand first = new BenchCommand();
        first.scenarios = List.of(new TunableScenario("a", 10, 20), new TunableScenario("b", 1, 1));
        assertEquals(0, execute(first, "--no-progress", "--duration", "0.01", "--warmup", "0", "--scenario", "a",
            "--json", earlier.toString()));
        assertTrue(stdout.text().contains("a: pvnet.x / base.x = 0.50x (same run)"), stdout.text());

        // the whole host runs at half speed: both figures halve, the ratio holds -> no regression, exit 0
        stdout.reset();
        final TunableScenario slowHost = new TunableScenario("a", 5, 10);
        final TunableScenario notInFile = new TunableScenario("b", 1, 1);
        final BenchCommand second = new BenchCommand();
        second.scenarios = List.of(slowHost, notInFile);
        assertEquals(0, execute(second, "--no-progress", "--duration", "0.01", "--warmup", "0", "--compare",
            earlier.toString(), "--fail-on-regression"), stdout.text() + stderr);
        assertEquals(1, slowHost.runs);
        assertEquals(0, notInFile.runs, "only the scenarios in the earlier file run");
        final String out = stdout.text();
        assertTrue(out.contains("no regression beyond 10%"), out);
        assertTrue(out.contains("+0.0% vs base.x") && out.contains("baseline (not judged)"), out);
        assertFalse(out.contains("REGRESSION"), "the baseline halved but is never flagged: " + out);

        // pvnet alone loses 30% against its same-run baseline: a regression, exit 3 only when asked
        stdout.reset();
        final BenchCommand third = new BenchCommand();
        third.scenarios = List.of(new TunableScenario("a", 7, 20));
        assertEquals(0, execute(third, "--no-progress", "--duration", "0.01", "--warmup", "0", "--compare",
            earlier.toString()));
        assertTrue(stdout.text().contains("1 REGRESSION(S) beyond 10%: a pvnet.x"), stdout.text());
        final BenchCommand fourth = new BenchCommand();
        fourth.scenarios = List.of(new TunableScenario("a", 7, 20));
        assertEquals(BenchCommand.EXIT_REGRESSION, execute(fourth, "--no-progress", "--duration", "0.01", "--warmup", "0",
            "--compare", earlier.toString(), "--fail-on-regression"));
        assertTrue(stderr.toString().contains("pvnet bench: regression beyond 10% against " + earlier), stderr.toString());

        // told otherwise: --scenario all runs every scenario
        final TunableScenario a = new TunableScenario("a", 10, 20);
        final TunableScenario b = new TunableScenario("b", 1, 1);
        final BenchCommand fifth = new BenchCommand();
        fifth.scenarios = List.of(a, b);
        assertEquals(0, execute(fifth, "--no-progress", "--duration", "0.01", "--warmup", "0", "--compare",
            earlier.toString(), "--scenario", "all"));
        assertEquals(List.of(1, 1), List.of(a.runs, b.runs));
    }

    /** Reports one figure with no baseline: only the host's speed (or pvnet) moves it. */
    static final class AloneScenario implements Scenario
    {
        private final double value;

        AloneScenario(final double value)
        {
            this.value = value;
        }

        @Override
        public String name()
        {
            return "alone";
        }

        @Override
        public String description()
        {
            return "one figure without a baseline";
        }

        @Override
        public int measurementCount()
        {
            return 1;
        }

        @Override
        public void run(final ScenarioContext context)
        {
            context.report("pvnet.y", value, "Mpps");
        }
    }

    @Test
    void shouldShowButNotJudgeFiguresWithoutSameRunBaselineUnlessAskedAndExitAccordingly(@TempDir final Path dir)
        throws Exception
    {
        final Path earlier = dir.resolve("earlier.json");
        final BenchCommand first = new BenchCommand();
        first.scenarios = List.of(new AloneScenario(10));
        assertEquals(0, execute(first, "--no-progress", "--duration", "0.01", "--warmup", "0", "--json",
            earlier.toString()));

        // the host in its slow mode halves the figure: shown, not judged, no regression: exit 0 even when gating
        stdout.reset();
        final BenchCommand second = new BenchCommand();
        second.scenarios = List.of(new AloneScenario(5));
        assertEquals(0, execute(second, "--no-progress", "--duration", "0.01", "--warmup", "0", "--compare",
            earlier.toString(), "--fail-on-regression"), stdout.text() + stderr);
        final String out = stdout.text();
        assertTrue(out.contains("pvnet.y") && out.contains("-50.0%") && out.contains("no same-run baseline (not judged)"),
            out);
        assertTrue(out.contains("1 figure(s) without a same-run baseline shown but not judged"), out);
        assertTrue(out.contains("no regression beyond 10%"), out);

        // asked to judge own values: the same halving is a regression, exit 3 with --fail-on-regression
        stdout.reset();
        final BenchCommand third = new BenchCommand();
        third.scenarios = List.of(new AloneScenario(5));
        assertEquals(BenchCommand.EXIT_REGRESSION, execute(third, "--no-progress", "--duration", "0.01", "--warmup", "0",
            "--compare", earlier.toString(), "--judge-absolute", "--fail-on-regression"), stdout.text() + stderr);
        assertTrue(stdout.text().contains("1 REGRESSION(S) beyond 10%: alone pvnet.y"), stdout.text());
        assertTrue(stdout.text().contains("own value"), stdout.text());

        // without --fail-on-regression the regression is reported and the exit is 0
        stdout.reset();
        final BenchCommand fourth = new BenchCommand();
        fourth.scenarios = List.of(new AloneScenario(5));
        assertEquals(0, execute(fourth, "--no-progress", "--duration", "0.01", "--warmup", "0", "--compare",
            earlier.toString(), "--judge-absolute"));
        assertEquals(BenchCommand.EXIT_USAGE, run(new AloneScenario(1), "--judge-absolute"));
        assertTrue(stderr.toString().contains("--judge-absolute needs --compare FILE"), stderr.toString());
    }

    @Test
    void shouldRefuseFailOnRegressionWithoutCompareAndCompareWithUnknownScenarios(@TempDir final Path dir) throws Exception
    {
        assertEquals(BenchCommand.EXIT_USAGE, run(new SizesScenario(), "--fail-on-regression"));
        assertTrue(stderr.toString().contains("--fail-on-regression needs --compare FILE"), stderr.toString());
        final Path other = dir.resolve("other.json");
        Files.writeString(other, BenchJson.write(new MachineInfo("c", 1, "j"),
            List.of(new BenchResult("gone", "x", 1, "ns"))));
        assertEquals(BenchCommand.EXIT_USAGE, run(new SizesScenario(), "--compare", other.toString()));
        assertTrue(stderr.toString().contains("none of the earlier run's scenarios (gone) exists here"), stderr.toString());
        final Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"results\": [");
        assertEquals(BenchCommand.EXIT_USAGE, run(new SizesScenario(), "--compare", broken.toString()));
        assertTrue(stderr.toString().contains("--compare=" + broken + ": not JSON"), stderr.toString());
        assertEquals("", stdout.text(), "nothing measured");
    }

    @Test
    void shouldWritePerSecondSamplesOfEachFigure(@TempDir final Path dir) throws Exception
    {
        final Path json = dir.resolve("live.json");
        assertEquals(0, run(new LiveScenario(), "--no-progress", "--duration", "2.2", "--warmup", "0", "--json",
            json.toString()));
        final BenchResult figure = BenchJson.read(Files.readString(json)).results().get(0);
        assertEquals(2, figure.samples().size(), figure.toString());
        for (final double sample : figure.samples())
        {
            assertTrue(sample > 0, figure.toString());
        }
    }

    @Test
    void shouldWarnAboutTooFewCoresAndShowLiveLineWithGbitAndDrops()
    {
        assertEquals(0, run(new LiveScenario(), "--vifs", "200", "--duration", "1.1", "--warmup", "0"));
        final String out = stdout.text();
        assertTrue(out.contains("warning: scenario live keeps 400 threads busy but this machine has "), out);
        assertTrue(out.contains("  live pvnet.vifs200") && out.contains("Mframes/s") && out.contains("Gbit/s") &&
            out.contains("drops "), out);
        assertTrue(out.contains("1 scenario(s), 1 figure(s), 0.0 s warm-up + 1.1 s each: about 1 s"), out);
        // the kernel every checksumming figure used, in the header (no other command prints it unless debugging)
        assertTrue(out.contains("  checksum kernel: " + io.pvnet.checksum.Checksums.bestChoice() + "\n"), out);
    }

    /** Measures nothing, but says it takes 100 s plus 10 s per second of duration (as a scenario with fixed waits). */
    static final class SlowScenario implements Scenario
    {
        @Override
        public String name()
        {
            return "slow";
        }

        @Override
        public String description()
        {
            return "waits beyond its figures";
        }

        @Override
        public int measurementCount()
        {
            return 2;
        }

        @Override
        public double estimatedSeconds(final BenchOptions options, final double durationSeconds, final double warmupSeconds)
        {
            return 100 + 10 * durationSeconds;
        }

        @Override
        public void run(final ScenarioContext context)
        {
            context.report("nothing", 1.0, "ns");
        }
    }

    @Test
    void shouldPrintTheSumOfTheScenariosEstimatesInThePlanAndTookLines()
    {
        final BenchCommand command = new BenchCommand();
        command.scenarios = List.of(new SlowScenario(), new SizesScenario());
        assertEquals(0, execute(command, "--no-progress", "--duration", "2", "--warmup", "1"));
        final String out = stdout.text();
        // slow: 100 + 10 x 2; fake: 2 figures x (1 + 2) by default
        assertTrue(out.contains("2 scenario(s), 4 figure(s), 1.0 s warm-up + 2.0 s each: about 126 s (2.1 min)\n"), out);
        assertTrue(out.contains("(planned about 126 s (2.1 min)): slow ") && out.contains(" s (about 120), fake ") &&
            out.contains(" s (about 6)\n"), out);

        // under 90 s in seconds alone
        stdout.reset();
        assertEquals(0, run(new SizesScenario(), "--no-progress", "--duration", "2", "--warmup", "1"));
        assertTrue(stdout.text().contains("1 scenario(s), 2 figure(s), 1.0 s warm-up + 2.0 s each: about 6 s\n"),
            stdout.text());
    }

    @Test
    void shouldStateTheDefaultFullRunsPlanInItsHelpToTheHalfMinute()
    {
        final double planned = RunPlan.of(Scenarios.all(), BenchOptions.defaults(), null, null).estimatedSeconds();
        assertEquals(BenchCommand.FULL_RUN_MINUTES, Math.round(planned / 30) / 2.0, "planned " + planned + " s");
        final String help = new CommandLine(new BenchCommand()).getUsageMessage(CommandLine.Help.Ansi.OFF)
            .replaceAll("\\s+", " ");
        assertTrue(help.contains("(all scenarios in about " + BenchCommand.FULL_RUN_MINUTES + " minutes,"), help);
        assertTrue(help.contains("idle settles at least 10 s and measures at least 20 s three times."), help);
    }

    @Test
    void shouldRejectBadOptionsBeforeMeasuringWithExitCode2(@TempDir final Path dir)
    {
        assertEquals(2, run(new SizesScenario(), "--size", "0"));
        assertTrue(stderr.toString().contains("pvnet bench: --size=0 must be between 1 and 65536 bytes"), stderr.toString());
        assertEquals(2, run(new SizesScenario(), "--idle", "spin"));
        assertTrue(stderr.toString().contains("'spin' is not one of busy-spin, backoff, sleep, adaptive, yield, park, noop"), stderr.toString());
        assertEquals(2, run(new SizesScenario(), "--tso", "maybe"));
        assertTrue(stderr.toString().contains("'maybe' is not on or off"), stderr.toString());
        assertEquals(2, run(new SizesScenario(), "--scenario", "nope"));
        assertTrue(stderr.toString().contains("--scenario=nope is not a scenario; scenarios: fake"), stderr.toString());
        assertEquals(2, run(new SizesScenario(), "--compare", dir.resolve("none.json").toString()));
        assertTrue(stderr.toString().contains("none.json: no such file"), stderr.toString());
        final Path binary = dir.resolve("binary.json");
        assertDoesNotThrow(() -> java.nio.file.Files.write(binary, new byte[] {(byte)0xff, (byte)0xfe, 0, 1}));
        assertEquals(2, run(new SizesScenario(), "--compare", binary.toString()));
        assertTrue(stderr.toString().contains("--compare=" + binary + ": not a --json file (not UTF-8 text)"),
            stderr.toString());
        assertEquals(2, run(new SizesScenario(), "--json", dir.resolve("no/such/dir/run.json").toString()));
        assertTrue(stderr.toString().contains("run.json: directory " + dir.resolve("no/such/dir") + " does not exist"),
            stderr.toString());
        assertEquals(2, run(new SizesScenario(), "--csv", dir.toString()));
        assertTrue(stderr.toString().contains("--csv=" + dir + ": cannot be written"), stderr.toString());
        assertEquals(2, run(new SizesScenario(), "--duration", "-1"));
        assertTrue(stderr.toString().contains("--duration=-1.0 must be > 0"), stderr.toString());
        assertEquals("", stdout.text(), "nothing measured");
    }

    @Test
    void shouldReportAFailedScenarioKeepItsFiguresAndExitWith1()
    {
        final BenchCommand command = new BenchCommand();
        command.scenarios = List.of(new FailingScenario(), new SizesScenario());
        assertEquals(1, execute(command, "--no-progress"));
        final String out = stdout.text();
        assertTrue(out.contains("scenario broken failed: java.lang.IllegalStateException: ring=full"), out);
        assertTrue(out.contains("  partial") && out.contains("  pvnet.size64"), out);
        assertTrue(stderr.toString().contains("pvnet bench: broken: java.lang.IllegalStateException: ring=full"));

        final BenchCommand again = new BenchCommand();
        again.scenarios = List.of(new FailingScenario(), new SizesScenario());
        stdout.reset();
        assertEquals(1, execute(again, "--no-progress", "--xproc"));
        assertTrue(stdout.text().contains("failed: java.lang.UnsatisfiedLinkError") && stdout.text().contains("  pvnet.size64"),
            stdout.text());
    }

    private int run(final Scenario scenario, final String... args)
    {
        final BenchCommand command = new BenchCommand();
        command.scenarios = List.of(scenario);
        return execute(command, args);
    }

    private int execute(final BenchCommand command, final String... args)
    {
        return new CommandLine(command).setErr(new PrintWriter(stderr, true)).execute(args);
    }
}
