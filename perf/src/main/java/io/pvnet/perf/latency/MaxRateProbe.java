package io.pvnet.perf.latency;

import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.concurrent.TimeUnit;

/**
 * Measures the highest rate a {@link LatencyPath} <em>sustains</em> for round trips, for
 * {@code ./pvnet latency --rate 50%}: the highest fixed rate at which every scheduled frame goes out and comes back
 * with no backlog growing, as a user understands "maximum rate".
 * <ol>
 *   <li>Burst: runs the {@link FixedRateSender}'s own loop with a schedule always due, so it sends as fast as the path
 *   takes frames, and counts the frames that come back per second after a warm-up. With the path kept full, every
 *   stage works on full batches (the backend takes 16+ requests per duty cycle, the sender polls many answers at once),
 *   so this is an upper bound, not a rate the path holds when frames arrive one at a time on a schedule.</li>
 *   <li>Sustained: bisects (in log space, between the burst rate / 128 and the burst rate) for the highest fixed rate
 *   at which a {@link #TRIAL_NS} trial ends with its backlog (scheduled but not yet sent, plus sent but not yet back)
 *   at most {@link #BACKLOG_NS} of the schedule plus the ring's worth of frames: a rate above what the path sustains
 *   makes that backlog grow by (excess rate x trial time) and fails.</li>
 * </ol>
 * Between runs it waits for the frames still out, so what follows starts empty. Every time it reads comes from one
 * {@link NanoClock}, so a test gives a path timed by the same clock and a clock that advances per read, and the figures
 * no longer depend on how busy the machine is.
 * <p>
 * Threading: one thread runs {@link #measure}; it becomes the path's sender thread for that time. Busy-spins, without
 * PAUSE.
 */
final class MaxRateProbe implements LatencyPath.FrameReceiver
{
    /** Length of one fixed-rate trial of the bisection. */
    static final long TRIAL_MS = 200;
    /** {@link #TRIAL_MS} in ns. */
    static final long TRIAL_NS = TRIAL_MS * 1_000_000L;
    /** Backlog allowed at the end of a trial, as time of the schedule: a deschedule shorter than this passes. */
    static final long BACKLOG_NS = 1_000_000L;
    /** Frames allowed in flight on top of {@link #BACKLOG_NS}: a ring's worth. */
    static final int IN_FLIGHT_FRAMES = 256;
    /** Bisection steps: log2(128) = 7 over 7 steps, so the result is within about 2^(7/128), 4%, of the limit. */
    static final int TRIALS = 7;
    private static final double RANGE_LOG2 = 7;
    private static final long DRAIN_NS = TimeUnit.SECONDS.toNanos(1);

    private long received;

    private MaxRateProbe()
    {
    }

    /** What {@link #measure} found. */
    record Result(double sustainedRate, double burstRate)
    {
    }

    /**
     * {@link #measure(LatencyPath, NanoClock, long, long)} on the system clock.
     *
     * @param path       the path, idle (nothing in flight).
     * @param warmupNs   time sent but not counted (JIT, caches) before the burst rate is counted.
     * @param durationNs time the burst rate is counted.
     * @return the highest sustained fixed rate found and the burst rate, in frames/s.
     */
    static Result measure(final LatencyPath path, final long warmupNs, final long durationNs)
    {
        return measure(path, new SystemNanoClock(), warmupNs, durationNs);
    }

    /**
     * @param path       the path, idle (nothing in flight).
     * @param clock      the clock every schedule, rate and deadline is read from: the path's own.
     * @param warmupNs   time sent but not counted (JIT, caches) before the burst rate is counted.
     * @param durationNs time the burst rate is counted.
     * @return the highest sustained fixed rate found and the burst rate, in frames/s of {@code clock}.
     */
    static Result measure(final LatencyPath path, final NanoClock clock, final long warmupNs, final long durationNs)
    {
        final double burst = burstRate(path, clock, warmupNs, durationNs);
        if (!(burst > 0))
        {
            return new Result(0, burst);
        }
        double lowLog2 = -RANGE_LOG2;
        double highLog2 = 0;
        double sustained = 0;
        for (int i = 0; i < TRIALS; i++)
        {
            final double midLog2 = (lowLog2 + highLog2) / 2;
            final double rate = burst * Math.pow(2, midLog2);
            if (sustains(path, clock, rate))
            {
                sustained = rate;
                lowLog2 = midLog2;
            }
            else
            {
                highLog2 = midLog2;
            }
        }
        if (sustained == 0)
        {
            // not even the lowest rate tried passed (a machine this busy deschedules the threads for milliseconds)
            sustained = burst * Math.pow(2, lowLog2);
        }
        return new Result(sustained, burst);
    }

    /** @return frames per second that came back while the sender ran flat out, after a warm-up run. */
    private static double burstRate(final LatencyPath path, final NanoClock clock, final long warmupNs, final long durationNs)
    {
        // the sender's own loop (clock reads, bursts, polls) with a schedule always due: what it sustains flat out.
        // The warm-up is a run of its own, drained before the counted one starts: its intended times (1 ns apart) never
        // reach a recordFromNs, and a second thread sampling the count would need the real clock.
        final FixedRateSender warmup = new FixedRateSender(path, clock, 1, FixedRateSender.newRecorder(), null);
        final long warmupStartNs = clock.nanoTime();
        warmup.run(warmupStartNs, warmupStartNs, warmupStartNs + warmupNs, 0);
        drain(path, clock, warmup.sent() - warmup.received());

        final FixedRateSender sender = new FixedRateSender(path, clock, 1, FixedRateSender.newRecorder(), null);
        final long startNs = clock.nanoTime();
        sender.run(startNs, startNs, startNs + durationNs, 0);
        final long receivedAtEnd = sender.received();
        final long countedNs = Math.max(1, clock.nanoTime() - startNs);
        drain(path, clock, sender.sent() - receivedAtEnd);
        return receivedAtEnd * 1e9 / countedNs;
    }

    /** @return whether a {@link #TRIAL_NS} run at {@code rate} ended with no more backlog than allowed. */
    private static boolean sustains(final LatencyPath path, final NanoClock clock, final double rate)
    {
        final long intervalNs = Math.max(1, Math.round(1e9 / rate));
        final FixedRateSender sender = new FixedRateSender(path, clock, intervalNs, FixedRateSender.newRecorder(), null);
        final long startNs = clock.nanoTime();
        sender.run(startNs, startNs, startNs + TRIAL_NS, 0);
        final long sent = sender.sent();
        final long received = sender.received();
        final long scheduled = (TRIAL_NS + intervalNs - 1) / intervalNs;
        final long backlog = (scheduled - sent) + (sent - received);
        drain(path, clock, sent - received);
        return backlog <= IN_FLIGHT_FRAMES + BACKLOG_NS / intervalNs;
    }

    /** Polls until {@code outstanding} frames came back or {@link #DRAIN_NS} passed. */
    private static void drain(final LatencyPath path, final NanoClock clock, final long outstanding)
    {
        final MaxRateProbe probe = new MaxRateProbe();
        final long drainEndNs = clock.nanoTime() + DRAIN_NS;
        while (probe.received < outstanding && drainEndNs - clock.nanoTime() > 0)
        {
            path.poll(probe);
        }
    }

    @Override
    public void onFrame(final long intendedSendNs, final long sendNs, final long[] stageNs)
    {
        received++;
    }
}
