package io.pvnet.perf.latency;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.concurrent.SystemNanoClock;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One fixed-rate latency run through a path: starts a {@link FixedRateSender} on its own thread, and on the calling
 * thread takes an interval histogram once a second and prints a progress line; the intervals go to the interval log
 * after the run. The warm-up's frames are sent on the same schedule and recorded the same way, into recorders that
 * the warm-up samples and throws away.
 */
public final class LatencyRun
{
    /** How long to wait for the frames still out when the schedule ends. */
    static final long DRAIN_NS = TimeUnit.SECONDS.toNanos(1);
    /** Tag of the stage histograms in the interval log; the round-trip histograms carry no tag. */
    public static final String STAGE_TAG_PREFIX = "stage:";
    /** How often the warm-up samples its recorders: the measurement's per-interval work, more often. */
    static final long WARMUP_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(50);
    /** How long before the measurement the threads' scheduling is first sampled (it reads /proc: too slow to do in it). */
    static final long SCHEDULING_SAMPLE_LEAD_NS = TimeUnit.MILLISECONDS.toNanos(150);

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
        return run(path, config, log, progress, null, -1);
    }

    /**
     * As {@link #run(LatencyPath, Config, HistogramLogWriter, PrintStream)}, sampling {@code scheduling} (may be
     * null) {@link #SCHEDULING_SAMPLE_LEAD_NS} before the measurement and after the sender ended, so it covers the
     * measured period. While measuring, this thread only swaps interval histograms (allocated beforehand) and prints
     * the progress line once a second; it sums and logs them after the sender ended. On 2 cores any work it does
     * takes a core from a spinning thread of the path, and a spinner descheduled for S ms delays about 2S ms of the
     * schedule at 50% load. The sender thread pins itself to {@code senderCpu} unless it is -1.
     */
    static Result run(
        final LatencyPath path, final Config config, final HistogramLogWriter log, final PrintStream progress,
        final ThreadScheduling scheduling, final int senderCpu) throws InterruptedException
    {
        final SingleWriterRecorder recorder = FixedRateSender.newRecorder();
        final String[] stageNames = config.breakdown() ? stageNames(path) : new String[0];
        final SingleWriterRecorder[] stageRecorders = config.breakdown() ? FixedRateSender.newStageRecorders(path) : null;
        final FixedRateSender sender = new FixedRateSender(
            path, new SystemNanoClock(), config.intervalNs(), recorder, stageRecorders);

        final SingleWriterRecorder[] measured = recorders(recorder, stageRecorders);
        final SingleWriterRecorder[] warmup = recorders(sender.warmupRecorder(), sender.warmupStageRecorders());
        // every histogram the measurement fills is allocated before it starts (no allocation, so no GC, meanwhile),
        // as empty intervals of the recorders themselves: a recorder takes back only histograms of its own class.
        // The sender ends at most 2 drains after the schedule: it sends for one, then waits for the last frames.
        final int maxIntervals = (int)Math.ceil((config.durationNs() + 2 * DRAIN_NS) / 1e9) + 2;
        final Histogram[][] pool = new Histogram[maxIntervals][];
        for (int k = 0; k < pool.length; k++)
        {
            pool[k] = emptyIntervals(measured);
        }
        final Histogram[] warmupRecycle = emptyIntervals(warmup);

        final long startNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
        final long measureFromNs = startNs + config.warmupNs();
        final long endNs = measureFromNs + config.durationNs();
        final Thread thread = Thread.ofPlatform().name("pvnet-latency-sender")
            .start(() ->
            {
                CpuAffinity.pinCurrentThread(senderCpu);
                sender.run(startNs, measureFromNs, endNs, DRAIN_NS);
            });

        final List<Histogram[]> intervals = new ArrayList<>(maxIntervals);
        try
        {
            // the warm-up runs the measurement's per-interval work on the warm-up's recorders, more often, so that
            // both threads' code for it (the sender's recording across phase flips, this thread's sampling) is
            // compiled before measuring; the /proc sample (slow) comes before the last of it
            boolean scheduleSampled = scheduling == null;
            final PrintStream discard = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
            long nextWarmupNs = System.nanoTime() + WARMUP_INTERVAL_NS;
            while (measureFromNs - nextWarmupNs > 0)
            {
                if (!scheduleSampled && measureFromNs - nextWarmupNs < SCHEDULING_SAMPLE_LEAD_NS)
                {
                    scheduling.sample();
                    scheduleSampled = true;
                }
                sleepUntil(nextWarmupNs);
                nextWarmupNs += WARMUP_INTERVAL_NS;
                final Histogram[] sampled = sample(warmup, warmupRecycle, System.currentTimeMillis());
                // formatted and printed as the measurement's lines are, into nothing
                if (progress != null)
                {
                    discard.println(progressLine(path.name(), (nextWarmupNs - startNs) / 1e9, config.rate(), sampled[0]));
                }
            }
            if (!scheduleSampled)
            {
                scheduling.sample();
            }
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
                // only the swap and the progress line while measuring: summing and logging wait for the end
                final Histogram[] sampled = sample(measured,
                    intervals.size() < pool.length ? pool[intervals.size()] : emptyIntervals(measured), intervalStartMs);
                intervals.add(sampled);
                intervalStartMs = sampled[0].getEndTimeStamp();
                if (progress != null)
                {
                    final long sentNow = sender.sent();
                    progress.println(progressLine(path.name(), (nowNs - measuredStartNs) / 1e9,
                        (sentNow - lastSent) * 1e9 / (nowNs - lastNs), sampled[0]));
                    lastSent = sentNow;
                    lastNs = nowNs;
                }
            }
            if (scheduling != null)
            {
                scheduling.sample();
            }
            final Histogram[] totals = totals(intervals, stageNames, log);
            return new Result(totals[0], stageNames, Arrays.copyOfRange(totals, 1, totals.length),
                scheduled(startNs, measureFromNs, endNs, config.intervalNs()),
                sender.sent(), sender.received(), sender.refused() - refusedBefore, config.durationNs() / 1e9);
        }
        finally
        {
            sender.stop();
            thread.join();
        }
    }

    private static SingleWriterRecorder[] recorders(final SingleWriterRecorder roundTrip, final SingleWriterRecorder[] stages)
    {
        final SingleWriterRecorder[] recorders = new SingleWriterRecorder[1 + (stages == null ? 0 : stages.length)];
        recorders[0] = roundTrip;
        if (stages != null)
        {
            System.arraycopy(stages, 0, recorders, 1, stages.length);
        }
        return recorders;
    }

    /**
     * Takes an interval histogram from each recorder, giving it {@code recycle}'s histogram of the same index to
     * record into next; allocation-free.
     *
     * @return the recorders' sampled histograms (their own; {@code recycle} is overwritten with them).
     */
    private static Histogram[] sample(final SingleWriterRecorder[] recorders, final Histogram[] recycle, final long startMs)
    {
        for (int i = 0; i < recorders.length; i++)
        {
            // false: recycle histograms of the same shape that another recorder gave
            recycle[i] = recorders[i].getIntervalHistogram(recycle[i], false);
            recycle[i].setStartTimeStamp(startMs);
        }
        return recycle;
    }

    /**
     * Sums the intervals, round trips at index 0 and stages after, and logs each interval in order: its round trips
     * untagged, then its stages tagged.
     */
    private static Histogram[] totals(
        final List<Histogram[]> intervals, final String[] stageNames, final HistogramLogWriter log)
    {
        final Histogram[] totals = newHistograms(stageNames.length + 1);
        for (final Histogram[] histograms : intervals)
        {
            for (int i = 0; i < totals.length; i++)
            {
                final Histogram interval = histograms[i];
                totals[i].add(interval);
                if (log != null)
                {
                    // HdrHistogram log tags may hold no space or comma
                    interval.setTag(i == 0 ? null : STAGE_TAG_PREFIX + stageNames[i - 1].replaceAll("[\\s,]", "-"));
                    log.outputIntervalHistogram(interval);
                }
            }
        }
        return totals;
    }

    /** @return one new empty interval histogram from each recorder, which nothing has recorded into yet. */
    private static Histogram[] emptyIntervals(final SingleWriterRecorder[] recorders)
    {
        final Histogram[] histograms = new Histogram[recorders.length];
        for (int i = 0; i < recorders.length; i++)
        {
            histograms[i] = recorders[i].getIntervalHistogram();
        }
        return histograms;
    }

    private static Histogram[] newHistograms(final int count)
    {
        final Histogram[] histograms = new Histogram[count];
        for (int i = 0; i < count; i++)
        {
            histograms[i] = newHistogram();
        }
        return histograms;
    }

    private static Histogram newHistogram()
    {
        return new Histogram(FixedRateSender.HIGHEST_TRACKABLE_NS, FixedRateSender.SIGNIFICANT_DIGITS);
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
