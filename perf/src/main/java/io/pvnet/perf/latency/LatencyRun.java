package io.pvnet.perf.latency;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.concurrent.SystemNanoClock;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One fixed-rate latency run through a path: starts a {@link FixedRateSender} on its own thread, and on the calling
 * thread takes an interval histogram once a second, writes it to the interval log and prints a progress line.
 * The warm-up's frames are sent on the same schedule but not kept.
 */
public final class LatencyRun
{
    /** How long to wait for the frames still out when the schedule ends. */
    static final long DRAIN_NS = TimeUnit.SECONDS.toNanos(1);
    /** Tag of the stage histograms in the interval log; the round-trip histograms carry no tag. */
    public static final String STAGE_TAG_PREFIX = "stage:";

    /**
     * What to run.
     *
     * @param rate       frames per second on the schedule.
     * @param durationNs time measured.
     * @param warmupNs   time on the schedule before measuring.
     * @param breakdown  whether to record per-stage times.
     */
    public record Config(double rate, long durationNs, long warmupNs, boolean breakdown)
    {
        public Config
        {
            if (!(rate > 0 && rate <= 1e9))
            {
                throw new IllegalArgumentException("--rate=" + rate + " must be > 0 and at most 1e9 frames/s");
            }
            if (durationNs <= 0)
            {
                throw new IllegalArgumentException("--duration=" + durationNs / 1e9 + " must be > 0 seconds");
            }
            if (warmupNs < 0)
            {
                throw new IllegalArgumentException("--warmup=" + warmupNs / 1e9 + " must be >= 0 seconds");
            }
        }

        /** @return nanoseconds between two intended sends, at least 1. */
        public long intervalNs()
        {
            return Math.max(1, Math.round(1e9 / rate));
        }
    }

    /**
     * What a run measured, warm-up excluded.
     *
     * @param histogram  every frame's round trip in ns, from its intended send time.
     * @param stageNames the send queue then the path's stages, when a breakdown was asked for, else empty.
     * @param stages     one histogram per stage name, in ns.
     * @param scheduled  frames the schedule intended in the measured period.
     * @param sent       frames sent in the measured period.
     * @param received   frames that came back in the measured period.
     * @param refused    frames the path refused at least once because it was full (each retried).
     * @param seconds    length of the measured period.
     */
    public record Result(
        Histogram histogram, String[] stageNames, Histogram[] stages, long scheduled, long sent, long received,
        long refused, double seconds)
    {
        /** @return frames sent per second in the measured period. */
        public double sentRate()
        {
            return sent / seconds;
        }
    }

    private LatencyRun()
    {
    }

    /**
     * @param path     the path to time; stays open.
     * @param config   rate, durations, breakdown.
     * @param log      interval log to append to, or {@code null}.
     * @param progress where to print a line per second, or {@code null}.
     * @return the measured histograms and counts.
     */
    public static Result run(final LatencyPath path, final Config config, final HistogramLogWriter log, final PrintStream progress)
        throws InterruptedException
    {
        return run(path, config, log, progress, null);
    }

    /**
     * As {@link #run(LatencyPath, Config, HistogramLogWriter, PrintStream)}, sampling {@code scheduling} (may be
     * null) when the sender starts and once a second until it ends, so it covers the warm-up and the run.
     */
    static Result run(
        final LatencyPath path, final Config config, final HistogramLogWriter log, final PrintStream progress,
        final ThreadScheduling scheduling) throws InterruptedException
    {
        final SingleWriterRecorder recorder = FixedRateSender.newRecorder();
        final String[] stageNames = config.breakdown() ? stageNames(path) : new String[0];
        final SingleWriterRecorder[] stageRecorders = config.breakdown() ? FixedRateSender.newStageRecorders(path) : null;
        final FixedRateSender sender = new FixedRateSender(
            path, new SystemNanoClock(), config.intervalNs(), recorder, stageRecorders);

        final long startNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
        final long measureFromNs = startNs + config.warmupNs();
        final long endNs = measureFromNs + config.durationNs();
        if (scheduling != null)
        {
            scheduling.sample();
        }
        final Thread thread = Thread.ofPlatform().name("pvnet-latency-sender")
            .start(() -> sender.run(startNs, measureFromNs, endNs, DRAIN_NS));

        final Histogram total = new Histogram(FixedRateSender.HIGHEST_TRACKABLE_NS, FixedRateSender.SIGNIFICANT_DIGITS);
        final Histogram[] stages = new Histogram[stageNames.length];
        for (int i = 0; i < stages.length; i++)
        {
            stages[i] = new Histogram(FixedRateSender.HIGHEST_TRACKABLE_NS, FixedRateSender.SIGNIFICANT_DIGITS);
        }
        Histogram interval = null;
        final Histogram[] stageIntervals = new Histogram[stages.length];
        try
        {
            // the sender neither records nor counts the warm-up's frames
            sleepUntil(measureFromNs);
            final long refusedBefore = sender.refused();
            final long measuredStartNs = System.nanoTime();
            // the recorders started with the warm-up; the log's first interval starts with the measurement
            long intervalStartMs = System.currentTimeMillis();

            long nextNs = measuredStartNs + TimeUnit.SECONDS.toNanos(1);
            long lastSent = sender.sent();
            long lastNs = measuredStartNs;
            boolean senderAlive = true;
            while (senderAlive)
            {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextNs - System.nanoTime())));
                // read before sampling: once the sender has ended, this sample holds its last frames
                senderAlive = thread.isAlive();
                final long nowNs = System.nanoTime();
                if (senderAlive && nowNs - nextNs < 0)
                {
                    continue;
                }
                nextNs += TimeUnit.SECONDS.toNanos(1);
                if (scheduling != null)
                {
                    scheduling.sample();
                }
                interval = recorder.getIntervalHistogram(interval);
                interval.setStartTimeStamp(intervalStartMs);
                total.add(interval);
                if (log != null)
                {
                    log.outputIntervalHistogram(interval);
                }
                for (int i = 0; i < stages.length; i++)
                {
                    stageIntervals[i] = stageRecorders[i].getIntervalHistogram(stageIntervals[i]);
                    stageIntervals[i].setStartTimeStamp(intervalStartMs);
                    stages[i].add(stageIntervals[i]);
                    if (log != null)
                    {
                        // HdrHistogram log tags may hold no space or comma
                        stageIntervals[i].setTag(STAGE_TAG_PREFIX + stageNames[i].replaceAll("[\\s,]", "-"));
                        log.outputIntervalHistogram(stageIntervals[i]);
                    }
                }
                intervalStartMs = interval.getEndTimeStamp();
                if (progress != null)
                {
                    final long sentNow = sender.sent();
                    progress.println(progressLine(path.name(), (nowNs - measuredStartNs) / 1e9,
                        (sentNow - lastSent) * 1e9 / (nowNs - lastNs), interval));
                    lastSent = sentNow;
                    lastNs = nowNs;
                }
            }
            return new Result(total, stageNames, stages, scheduled(startNs, measureFromNs, endNs, config.intervalNs()),
                sender.sent(), sender.received(), sender.refused() - refusedBefore, config.durationNs() / 1e9);
        }
        finally
        {
            sender.stop();
            thread.join();
        }
    }

    /** @return how many frames of the schedule starting at {@code startNs} are intended in [fromNs, endNs). */
    static long scheduled(final long startNs, final long fromNs, final long endNs, final long intervalNs)
    {
        // the k-th frame is intended at startNs + k * intervalNs
        final long first = ceilDiv(fromNs - startNs, intervalNs);
        final long end = ceilDiv(endNs - startNs, intervalNs);
        return Math.max(0, end - first);
    }

    private static long ceilDiv(final long a, final long b)
    {
        return Math.ceilDiv(Math.max(0, a), b);
    }

    /** @return the send queue followed by the path's stages. */
    static String[] stageNames(final LatencyPath path)
    {
        final String[] pathStages = path.stageNames();
        final String[] names = new String[pathStages.length + 1];
        names[0] = "send queue";
        System.arraycopy(pathStages, 0, names, 1, pathStages.length);
        return names;
    }

    static String progressLine(final String path, final double seconds, final double sentPerSecond, final Histogram interval)
    {
        return String.format(Locale.ROOT, "  latency %-10s %5.1fs  sent %,12.0f/s  p50 %10s  p99 %10s  max %10s",
            path, seconds, sentPerSecond, LatencyReport.formatNs(interval.getValueAtPercentile(50)),
            LatencyReport.formatNs(interval.getValueAtPercentile(99)), LatencyReport.formatNs(interval.getMaxValue()));
    }

    private static void sleepUntil(final long deadlineNs) throws InterruptedException
    {
        long remainingNs;
        while ((remainingNs = deadlineNs - System.nanoTime()) > 0)
        {
            TimeUnit.NANOSECONDS.sleep(remainingNs);
        }
    }
}
