package io.pvnet.perf.latency;

import io.pvnet.perf.harness.IdleConverter;
import io.pvnet.perf.bench.BenchCommand;
import io.pvnet.perf.bench.BenchComparison;
import io.pvnet.perf.bench.BenchJson;
import io.pvnet.perf.harness.BenchOptions;
import io.pvnet.perf.harness.BenchRatio;
import io.pvnet.perf.harness.BenchResult;
import io.pvnet.perf.bench.BenchRun;
import io.pvnet.perf.bench.MachineInfo;
import io.pvnet.perf.bench.RunPlan;
import io.pvnet.ring.event.IdleMode;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./pvnet latency}: sends frames through a path at a fixed rate, times each from its intended send time, and
 * writes the percentile table, {@code latency.hgrm}, {@code latency.hlog} and {@code latency.svg}.
 */
@Command(
    name = "latency",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    subcommands = PlotCommand.class,
    description = {
        "Round-trip latency at a fixed rate (wrk2 style): every frame is timed from its intended send time, so stalls are not hidden.",
        "Writes into --out DIR: latency.hgrm (percentile distribution, us), latency.hlog (interval log), the plot latency.svg and latency.html (plot and breakdown in one page).",
        "Paths: ring, vif, switch, vif-xproc (netfront in a second JVM). --rate 50%% times at half the measured maximum. 'latency plot A.hlog B.hlog --out F.svg' draws several runs on one chart."
    })
public final class LatencyCommand implements Callable<Integer>
{
    /** Seconds the maximum rate is measured for, with {@code --rate N%}. */
    static final double MAX_RATE_SECONDS = 1.0;
    static final double MAX_RATE_WARMUP_SECONDS = 0.5;
    /** The two baseline halves' p50s differing by more than this factor get a warning. */
    static final double BASELINE_DRIFT = 1.5;

    /** The scheduled rate, frames/s (measured when {@link #rateFraction} is set). */
    double rate;
    /** With {@code --rate N%}: N/100; else NaN. */
    double rateFraction = Double.NaN;
    /** With {@code --rate N%}: the path's measured maximum, frames/s; else NaN. */
    double maxRate = Double.NaN;
    /** With {@code --rate N%}: what the path takes with the sender flat out and the path full, frames/s; else NaN. */
    double burstRate = Double.NaN;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Mixin
    io.pvnet.perf.harness.PollingOptions polling = new io.pvnet.perf.harness.PollingOptions();

    @Option(names = "--path", paramLabel = "PATH", defaultValue = "ring",
        description = "Path the frames take: ring, vif, switch or vif-xproc (default: ${DEFAULT-VALUE}).")
    String pathName;

    @Option(names = "--rate", paramLabel = "PPS|N%", defaultValue = "100000",
        description = {"Frames per second on the schedule (default: ${DEFAULT-VALUE}), " +
            "or N%% of the path's maximum sustained rate, measured first: " + MAX_RATE_SECONDS + " s flat out (after " +
                MAX_RATE_WARMUP_SECONDS + " s of warm-up), then " + MaxRateProbe.TRIALS + " fixed-rate trials of " +
                MaxRateProbe.TRIAL_MS + " ms to find the highest rate answered in full."})
    String rateSpec;

    @Option(names = "--idle", paramLabel = "STRATEGY", converter = IdleConverter.class,
        description = "How the path's own threads wait: busy-spin, backoff, sleep, adaptive, yield, park or noop " +
            "(default: noop, a spin without PAUSE; busy-spin's PAUSE gets a KVM vCPU descheduled). sleep and adaptive " +
            "sleep on the vif's event channels on the vif and vif-xproc paths; ring and switch back off to 1 ms parks.")
    IdleMode idle;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "64", description = "Frame size (default: ${DEFAULT-VALUE}).")
    int frameBytes;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "10", description = "Seconds measured (default: ${DEFAULT-VALUE}).")
    double durationSeconds;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "2",
        description = "Seconds on the schedule before measuring (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "pvnet-latency",
        description = "Directory for the hgrm, hlog, svg and html files (default: ${DEFAULT-VALUE}).")
    Path outDir;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures in the bench JSON form.")
    Path jsonFile;

    @Option(names = "--compare", paramLabel = "FILE",
        description = "Print this run's figures beside an earlier run's --json FILE, with the ratio per figure.")
    Path compareFile;

    @Option(names = "--breakdown", description = "Also time each stage (send queue, then the path's stages) where the path stamps them.")
    boolean breakdown;

    @Option(names = "--pin", paramLabel = "CPU,CPU|none", defaultValue = "auto",
        description = "Pin the sender (and the baseline's measuring thread) to the first CPU and the path's own threads " +
            "(and the baseline's echo thread) to the second, with sched_setaffinity; 'auto' (default) takes the last two " +
            "CPUs when there are at least 2, 'none' leaves placement to the kernel.")
    String pinSpec;

    @Option(names = "--no-baseline", description = "Skip the two-volatile ping-pong baseline.")
    boolean noBaseline;

    @Option(names = "--no-progress", description = "Do not print a line per second.")
    boolean noProgress;

    /** The sender's CPU and the path's, or -1 each when not pinning. */
    int senderCpu = -1;
    int pathCpu = -1;

    /** Tests put a path of their own here; otherwise {@link LatencyPaths#byName}. */
    LatencyPathFactory pathFactory;

    @Override
    public Integer call() throws Exception
    {
        final PrintStream out = System.out;
        final PrintWriter err = spec.commandLine().getErr();
        final LatencyRun.Config config;
        final LatencyPathFactory factory;
        final BenchRun earlier;
        try
        {
            polling.apply();
            if (frameBytes < BenchOptions.MIN_SIZE_BYTES || frameBytes > BenchOptions.MAX_SIZE_BYTES)
            {
                throw new IllegalArgumentException("--size=" + frameBytes + " must be between " + BenchOptions.MIN_SIZE_BYTES +
                    " and " + BenchOptions.MAX_SIZE_BYTES + " bytes");
            }
            RunPlan.checkDuration(durationSeconds);
            RunPlan.checkWarmup(warmupSeconds);
            parseRate();
            parsePin();
            // checked now with a stand-in rate when the rate is yet to be measured
            config = new LatencyRun.Config(Double.isNaN(rateFraction) ? rate : 1, Math.round(durationSeconds * 1e9),
                Math.round(warmupSeconds * 1e9), breakdown);
            factory = pathFactory != null ? pathFactory : LatencyPaths.byName(pathName);
            BenchCommand.checkWritable("--json", jsonFile);
            // read before measuring, so a wrong name fails at once
            earlier = compareFile == null ? null : BenchCommand.readRun(compareFile);
            if (Files.exists(outDir) && (!Files.isDirectory(outDir) || !Files.isWritable(outDir)))
            {
                throw new IllegalArgumentException("--out=" + outDir + " is not a writable directory");
            }
            createOutDirectory();
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("pvnet latency: " + ex.getMessage());
            err.flush();
            return 2;
        }

        // the baseline runs in two halves, before the path opens (its threads spin from then on) and after it closed:
        // on a VM the core-to-core latency can change between seconds (the host moves the vCPUs), and the two halves
        // show whether it did
        final Histogram baseline = newBaselineHistogram();
        final Histogram baselineBefore = newBaselineHistogram();
        final Histogram baselineAfter = newBaselineHistogram();
        if (!noBaseline)
        {
            measureBaseline(baselineBefore);
        }
        final LatencyPath path;
        final Set<Integer> threadsBefore = CpuAffinity.threadIds();
        try
        {
            path = factory.open(frameBytes, idle == null ? IdleMode.NOOP : idle);
        }
        catch (final PathUnavailableException ex)
        {
            err.println("pvnet latency: " + ex.getMessage());
            err.flush();
            return 3;
        }

        final MachineInfo machine = MachineInfo.current();
        out.println("pvnet latency: " + machine);
        if (senderCpu >= 0)
        {
            final List<Integer> pathThreads = CpuAffinity.threadIdsSince(threadsBefore);
            boolean pinned = CpuAffinity.available();
            final List<String> names = new ArrayList<>();
            for (final int threadId : pathThreads)
            {
                pinned &= CpuAffinity.pin(threadId, pathCpu);
                names.add(CpuAffinity.threadName(threadId));
            }
            out.printf(Locale.ROOT, "  %s: sender on CPU %d, the path's threads %s on CPU %d%n",
                pinned ? "pinned" : "pinning failed (sched_setaffinity unavailable or refused), meant", senderCpu,
                names, pathCpu);
        }
        if (!Double.isNaN(rateFraction))
        {
            try
            {
                final MaxRateProbe.Result measured = measureMaxRate(path, senderCpu);
                maxRate = measured.sustainedRate();
                burstRate = measured.burstRate();
            }
            catch (final InterruptedException | RuntimeException ex)
            {
                path.close();
                throw ex;
            }
            rate = rateFraction * maxRate;
            out.printf(Locale.ROOT, "  maximum rate of path %s: %,.0f frames/s sustained (highest fixed rate sent and " +
                "answered in full, no backlog growth; flat out with the path full it takes %,.0f frames/s in " +
                "batches); timing at %s of it: %,.0f frames/s%n", factory.name(), maxRate, burstRate,
                rateSpec.trim(), rate);
            if (!(rate > 0))
            {
                path.close();
                err.println("pvnet latency: path " + factory.name() + " returned no frames while its maximum rate was measured");
                err.flush();
                return 1;
            }
        }
        final LatencyRun.Config runConfig = new LatencyRun.Config(rate, config.durationNs(), config.warmupNs(), breakdown);
        out.printf(Locale.ROOT, "  path %s, %,.0f frames/s, %.1f s warm-up + %.1f s measured%s%n",
            factory.name(), rate, warmupSeconds, durationSeconds, breakdown ? ", stage breakdown" : "");
        if (machine.cores() < 2)
        {
            out.println("  warning: the sender and the path's answering thread both spin, but this machine has 1 core");
        }
        final String busy = MachineInfo.busyWarningNow(machine);
        if (busy != null)
        {
            out.println("  warning: " + busy);
        }
        if (!path.usesFrameSize())
        {
            out.println("  note: path " + factory.name() + " carries fixed slots, not frames: --size does not apply to it");
        }
        if (breakdown && path.stageNames().length == 0)
        {
            out.println("  note: path " + factory.name() + " stamps no stages; the breakdown shows the send queue only");
        }

        final Path hlog = outDir.resolve("latency.hlog");
        final LatencyRun.Result result;
        final ThreadScheduling scheduling = new ThreadScheduling();
        try (PrintStream logStream = new PrintStream(Files.newOutputStream(hlog), false, StandardCharsets.UTF_8))
        {
            final HistogramLogWriter log = new HistogramLogWriter(logStream);
            final long startMs = System.currentTimeMillis();
            log.outputComment("pvnet latency " + options(factory) +
                " (values in ns; untagged = round trip, tagged stage:NAME = one stage)");
            log.outputLogFormatVersion();
            log.outputStartTime(startMs);
            log.setBaseTime(startMs);
            log.outputLegend();
            try
            {
                result = LatencyRun.run(path, runConfig, log, noProgress ? null : out, scheduling, senderCpu);
            }
            finally
            {
                path.close();
            }
        }

        double baselineP50Ns = Double.NaN;
        if (!noBaseline)
        {
            measureBaseline(baselineAfter);
            baseline.add(baselineBefore);
            baseline.add(baselineAfter);
            baselineP50Ns = baseline.getTotalCount() == 0 ? Double.NaN : baseline.getValueAtPercentile(50);
        }

        out.println();
        final String carried = path.usesFrameSize() ? frameBytes + " B frames" : LatencySlotDescriptor.ENTRY_LENGTH + " B ring slots";
        out.print(LatencyReport.table(factory.name(), rate, carried, result, baselineP50Ns));
        if (!Double.isNaN(maxRate))
        {
            out.printf(Locale.ROOT, "  rate: %,.0f frames/s scheduled = %s of the maximum measured first, %,.0f frames/s%n",
                rate, rateSpec.trim(), maxRate);
        }

        if (!noBaseline && (baselineBefore.getTotalCount() == 0 || baselineAfter.getTotalCount() == 0))
        {
            // a half without samples: the host gave the baseline's threads no time (a loaded machine); say so
            out.printf(Locale.ROOT, "  baseline halves: %s before the path run, %s after it (warning: a half took no "
                + "samples, the cores were busy with other work; the ratio is unreliable)%n",
                halfP50(baselineBefore), halfP50(baselineAfter));
        }
        else if (!noBaseline)
        {
            final double before = baselineBefore.getValueAtPercentile(50);
            final double after = baselineAfter.getValueAtPercentile(50);
            out.printf(Locale.ROOT, "  baseline halves: p50 %s before the path run, %s after it%s%n",
                LatencyReport.formatNs((long)before), LatencyReport.formatNs((long)after),
                Math.max(before, after) > BASELINE_DRIFT * Math.min(before, after) ?
                    " (warning: the cores' round trip changed during the run, e.g. the host moved the vCPUs; the ratio is unreliable)" : "");
        }
        out.print(scheduling.report(TimeUnit.MICROSECONDS.toNanos(100)));

        final Path hgrm = outDir.resolve("latency.hgrm");
        try (PrintStream hgrmStream = new PrintStream(Files.newOutputStream(hgrm), false, StandardCharsets.UTF_8))
        {
            LatencyReport.writeHgrm(result.histogram(), hgrmStream);
        }
        final Path svg = outDir.resolve("latency.svg");
        final String plotTitle = String.format(Locale.ROOT, "pvnet latency: %s, %,.0f frames/s, %s", factory.name(), rate, carried);
        final List<PercentilePlot.Series> curves = baseline.getTotalCount() == 0 ?
            List.of(new PercentilePlot.Series(factory.name(), result.histogram())) : List.of(
                new PercentilePlot.Series(factory.name(), result.histogram()),
                new PercentilePlot.Series("baseline: two-volatile ping-pong, free-running", baseline));
        final String plot = PercentilePlot.svg(plotTitle, curves);
        Files.writeString(svg, plot, StandardCharsets.UTF_8);
        final Path html = outDir.resolve("latency.html");
        Files.writeString(html, LatencyHtml.write(plotTitle, plot, curves, result.stageNames(), result.stages(),
            LatencyReport.table(factory.name(), rate, carried, result, baselineP50Ns)), StandardCharsets.UTF_8);
        out.println("wrote " + hgrm + " (values in us), " + hlog + ", " + svg + ", " + html);

        final List<BenchResult> figures = new ArrayList<>(LatencyReport.figures(result, baselineP50Ns));
        figures.add(new BenchResult(LatencyReport.SCENARIO, "latency.rate", rate, "frames/s"));
        if (!Double.isNaN(maxRate))
        {
            figures.add(new BenchResult(LatencyReport.SCENARIO, "latency.rate.max", maxRate, "frames/s"));
            figures.add(new BenchResult(LatencyReport.SCENARIO, "latency.rate.burst", burstRate, "frames/s"));
        }
        if (jsonFile != null)
        {
            final List<BenchRatio> ratios = LatencyReport.ratios(result, baselineP50Ns);
            Files.writeString(jsonFile, BenchJson.write(machine, options(factory), figures, ratios), StandardCharsets.UTF_8);
            out.println("figures written to " + jsonFile);
        }
        if (earlier != null)
        {
            out.println();
            out.println("compared with " + compareFile);
            out.print(BenchComparison.of(figures, earlier.results(), 10).format("this run", "earlier"));
        }
        return result.received() == 0 ? 1 : 0;
    }

    /** Reads {@code --rate}: frames per second, or a percentage of the maximum rate. */
    /**
     * Creates {@code --out} before anything is measured, so a directory that cannot be made fails at once with its
     * reason, not after the run (it used to end the run with the path alone: {@code pvnet latency: /proc/x}).
     */
    private void createOutDirectory()
    {
        try
        {
            Files.createDirectories(outDir);
        }
        catch (final java.io.IOException ex)
        {
            final String reason = ex instanceof java.nio.file.FileSystemException fse && fse.getReason() != null ?
                fse.getReason() : ex.getClass().getSimpleName();
            throw new IllegalArgumentException("--out=" + outDir + ": cannot create the directory (" + reason + ")");
        }
    }

    private void parseRate()
    {
        final String spec = rateSpec.trim();
        try
        {
            if (spec.endsWith("%"))
            {
                final double percent = Double.parseDouble(spec.substring(0, spec.length() - 1).trim());
                if (!(percent > 0 && percent <= 100))
                {
                    throw new IllegalArgumentException("--rate=" + spec + " must be a percentage above 0% and at most 100%");
                }
                rateFraction = percent / 100;
            }
            else
            {
                rate = Double.parseDouble(spec);
            }
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("--rate=" + spec + " is neither frames per second nor a percentage such as 50%");
        }
    }

    private static Histogram newBaselineHistogram()
    {
        return new Histogram(FixedRateSender.HIGHEST_TRACKABLE_NS, FixedRateSender.SIGNIFICANT_DIGITS);
    }

    /** One half of the baseline: a quarter of {@code --duration} in all (0.2 to 3 s), pinned as the path run is. */
    private void measureBaseline(final Histogram half)
    {
        final double seconds = Math.min(3.0, Math.max(0.2, durationSeconds / 4)) / 2;
        BaselinePingPong.measure(TimeUnit.MILLISECONDS.toNanos(100), Math.round(seconds * 1e9), half, senderCpu, pathCpu);
    }

    /** Reads {@code --pin}: two CPUs, {@code auto} or {@code none}. */
    private void parsePin()
    {
        final String spec = pinSpec.trim();
        final int cpus = CpuAffinity.cpuCount();
        if (spec.equals("none") || (spec.equals("auto") && (cpus < 2 || !CpuAffinity.available())))
        {
            return;
        }
        if (spec.equals("auto"))
        {
            senderCpu = cpus - 2;
            pathCpu = cpus - 1;
            return;
        }
        final String[] parts = spec.split(",");
        try
        {
            if (parts.length != 2)
            {
                throw new NumberFormatException();
            }
            senderCpu = Integer.parseInt(parts[0].trim());
            pathCpu = Integer.parseInt(parts[1].trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("--pin=" + spec + " is not two CPU numbers such as 0,1, 'auto' or 'none'");
        }
        if (senderCpu < 0 || pathCpu < 0 || senderCpu >= cpus || pathCpu >= cpus || senderCpu == pathCpu)
        {
            throw new IllegalArgumentException("--pin=" + spec + " needs two different CPUs of 0.." + (cpus - 1));
        }
    }

    /** Runs {@link MaxRateProbe} on its own thread, as the sender will run later (pinned as it will be). */
    private static MaxRateProbe.Result measureMaxRate(final LatencyPath path, final int cpu) throws InterruptedException
    {
        final MaxRateProbe.Result[] measured = new MaxRateProbe.Result[1];
        final Thread probe = Thread.ofPlatform().name("pvnet-latency-max-rate").start(() ->
        {
            CpuAffinity.pinCurrentThread(cpu);
            measured[0] = MaxRateProbe.measure(path, Math.round(MAX_RATE_WARMUP_SECONDS * 1e9), Math.round(MAX_RATE_SECONDS * 1e9));
        });
        probe.join();
        return measured[0];
    }

    /** @return the choices of this run as a user would type them, for the log and the JSON. */
    private String options(final LatencyPathFactory factory)
    {
        return "--path " + factory.name() + " --rate " + (Double.isNaN(rateFraction) ?
            java.math.BigDecimal.valueOf(rate).stripTrailingZeros().toPlainString() :
            rateSpec.trim() + " (" + Math.round(rate) + " of max " + Math.round(maxRate) + ")") +
            (idle == null ? "" : " --idle " + idle.configName()) +
            (senderCpu < 0 ? " --pin none" : " --pin " + senderCpu + "," + pathCpu) +
            " --size " + frameBytes + " --duration " + durationSeconds + " --warmup " + warmupSeconds + (breakdown ? " --breakdown" : "");
    }

    private static String halfP50(final Histogram half)
    {
        return half.getTotalCount() == 0 ? "no samples" : "p50 " + LatencyReport.formatNs(half.getValueAtPercentile(50));
    }
}
