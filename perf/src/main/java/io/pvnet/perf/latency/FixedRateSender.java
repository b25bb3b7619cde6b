package io.pvnet.perf.latency;

import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends frames through a {@link LatencyPath} on a fixed schedule (as wrk2 does) and records each frame's round trip
 * from its <em>intended</em> send time, so a stall of the path or of this thread shows up in every frame that should
 * have gone out during it: coordinated omission is not hidden, and nothing is corrected afterwards.
 * <pre>
 *   schedule:  t0   t0+i   t0+2i  ...          (i = 1 / rate)
 *   frame k:   intended = t0 + k*i, sent when due and the path takes it, latency = received - intended
 * </pre>
 * Threading: {@link #run} runs on one sender thread, which also polls the returned frames and is the single writer
 * of the recorders; another thread takes interval histograms from the recorders and reads {@link #sent()},
 * {@link #received()} and {@link #refused()} at any time. The loop allocates nothing and waits by busy-spinning:
 * a park would oversleep by Linux's 50 us timer slack.
 * <p>
 * The spin has no {@code Thread.onSpinWait()} (x86 PAUSE), and paths should spin the same way (their threads'
 * idle strategy is Agrona's {@code NoOpIdleStrategy}, not {@code BusySpinIdleStrategy}): in a KVM guest a loop of PAUSEs can trigger pause-loop exiting, and the hypervisor
 * deschedules the vCPU. On this project's 2-vCPU VM the ring path at 10,000 frames/s showed {@code tx ring} and
 * {@code rx ring} p50s of 160 us with PAUSE in the two spin loops and 155 ns and 144 ns without.
 */
public final class FixedRateSender implements LatencyPath.FrameReceiver
{
    /** Largest latency recorded; larger values are recorded as this (a minute means the path is stuck anyway). */
    public static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(60);
    /** Significant decimal digits of the recorders: 0.1% resolution. */
    public static final int SIGNIFICANT_DIGITS = 3;
    /** Most frames sent in a row before the returned ones are polled. */
    static final int MAX_BURST = 16;
    private static final int MEASURED = 0;
    private static final int WARMUP = 1;

    private final LatencyPath path;
    private final NanoClock clock;
    private final long intervalNs;
    /** The measured recorder at {@link #MEASURED}, the warm-up's at {@link #WARMUP}: chosen without a branch. */
    private final SingleWriterRecorder[] recorders;
    /** {@code null}, or the measured stage recorders at {@link #MEASURED} and the warm-up's at {@link #WARMUP}. */
    private final SingleWriterRecorder[][] stageRecorders;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile boolean stopped;
    private long recordFromNs;

    /**
     * @param path           the path to time.
     * @param clock          the clock (tests inject one); {@code SystemNanoClock} otherwise.
     * @param intervalNs     time between two intended sends: {@code 1e9 / rate}.
     * @param recorder       where each frame's round trip goes, in ns.
     * @param stageRecorders {@code null}, or one recorder per stage: the send queue (intended to sent) followed by each
     *                       of {@link LatencyPath#stageNames()}.
     */
    public FixedRateSender(
        final LatencyPath path,
        final NanoClock clock,
        final long intervalNs,
        final SingleWriterRecorder recorder,
        final SingleWriterRecorder[] stageRecorders)
    {
        if (intervalNs <= 0)
        {
            throw new IllegalArgumentException("intervalNs=" + intervalNs + " must be > 0");
        }
        if (stageRecorders != null && stageRecorders.length != path.stageNames().length + 1)
        {
            throw new IllegalArgumentException("stageRecorders=" + stageRecorders.length + " must be " +
                (path.stageNames().length + 1) + ": the send queue and each stage of path " + path.name());
        }
        this.path = path;
        this.clock = clock;
        this.intervalNs = intervalNs;
        this.recorders = new SingleWriterRecorder[] {recorder, newRecorder()};
        this.stageRecorders = stageRecorders == null ? null :
            new SingleWriterRecorder[][] {stageRecorders, newStageRecorders(path)};
    }

    /**
     * Where the warm-up's round trips go: the same recording as the measured frames', into a recorder of its own
     * that a reader samples (and throws away) during the warm-up as it samples the measured one later, so the JIT has
     * compiled the recording and the recorders' phase flips before the measurement starts.
     *
     * @return the warm-up's round-trip recorder.
     */
    public SingleWriterRecorder warmupRecorder()
    {
        return recorders[WARMUP];
    }

    /** @return the warm-up's stage recorders, as {@link #warmupRecorder()}, or {@code null} without stages. */
    public SingleWriterRecorder[] warmupStageRecorders()
    {
        return stageRecorders == null ? null : stageRecorders[WARMUP];
    }

    /** @return {@link #MEASURED} when {@code intendedSendNs} is at or after recordFromNs, else {@link #WARMUP}. */
    private int phase(final long intendedSendNs)
    {
        // the sign bit, not a branch: a branch only ever taken one way in the warm-up would be compiled as an
        // uncommon trap and deoptimise the hot path when the measurement starts
        return (int)((intendedSendNs - recordFromNs) >>> 63);
    }

    /** @return a recorder for round trips in ns, of the range and precision the sender records. */
    public static SingleWriterRecorder newRecorder()
    {
        return new SingleWriterRecorder(1, HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
    }

    /** @return one recorder per stage of {@code path}: the send queue, then each of {@link LatencyPath#stageNames()}. */
    public static SingleWriterRecorder[] newStageRecorders(final LatencyPath path)
    {
        final SingleWriterRecorder[] recorders = new SingleWriterRecorder[path.stageNames().length + 1];
        for (int i = 0; i < recorders.length; i++)
        {
            recorders[i] = newRecorder();
        }
        return recorders;
    }

    /**
     * Sends on schedule from {@code startNs} until {@code endNs}, then waits up to {@code drainNs} for the frames
     * still out. Only frames intended at or after {@code recordFromNs} go to the recorders given to the constructor and
     * are counted; earlier ones are the warm-up, recorded into {@link #warmupRecorder()} (and its stage recorders).
     * Sender thread only.
     *
     * @param startNs      the first intended send time.
     * @param recordFromNs frames intended before this are warm-up: sent and recorded apart, not counted.
     * @param endNs        no frame is intended at or after this time.
     * @param drainNs      how long to wait for outstanding frames after {@code endNs}.
     */
    public void run(final long startNs, final long recordFromNs, final long endNs, final long drainNs)
    {
        this.recordFromNs = recordFromNs;
        long intendedNs = startNs;
        long nowNs = clock.nanoTime();
        long outstanding = 0;
        long lastRefusedNs = startNs - 1;
        // a sender far behind its schedule keeps sending frames intended before endNs, but not for ever
        while (!stopped && endNs - intendedNs > 0 && nowNs - endNs < drainNs)
        {
            // send the frames that are due, at most a burst before polling, so a catch-up after a stall does not also
            // hold back the frames coming back; a refused frame keeps its intended time and is retried after the poll
            for (int burst = 0; burst < MAX_BURST && nowNs - intendedNs >= 0 && endNs - intendedNs > 0; burst++)
            {
                if (!path.offer(intendedNs, nowNs))
                {
                    if (intendedNs != lastRefusedNs)
                    {
                        lastRefusedNs = intendedNs;
                        refused.lazySet(refused.get() + 1);
                    }
                    break;
                }
                outstanding++;
                // counts measured frames only (1 - phase), without a branch: see phase()
                sent.lazySet(sent.get() + 1 - phase(intendedNs));
                intendedNs += intervalNs;
                nowNs = clock.nanoTime();
            }
            outstanding -= path.poll(this);
            // no Thread.onSpinWait(): see the class comment
            nowNs = clock.nanoTime();
        }
        final long drainEndNs = clock.nanoTime() + drainNs;
        while (!stopped && outstanding > 0 && drainEndNs - clock.nanoTime() > 0)
        {
            outstanding -= path.poll(this);
        }
    }

    /** Asks {@link #run} to return soon; from any thread. */
    public void stop()
    {
        stopped = true;
    }

    /**
     * Records one returned frame; called by the path from inside {@link LatencyPath#poll}. A warm-up frame goes to the
     * warm-up's recorders by the same code, and is not counted.
     */
    @Override
    public void onFrame(final long intendedSendNs, final long sendNs, final long[] stageNs)
    {
        final int phase = phase(intendedSendNs);
        // one clock read per frame: the frames of a batch really arrive at different times
        final long nowNs = clock.nanoTime();
        recorders[phase].recordValue(clamp(nowNs - intendedSendNs));
        if (stageRecorders != null)
        {
            final SingleWriterRecorder[] stages = stageRecorders[phase];
            stages[0].recordValue(clamp(sendNs - intendedSendNs));
            long previousNs = sendNs;
            for (int i = 0; i < stages.length - 2; i++)
            {
                stages[i + 1].recordValue(clamp(stageNs[i] - previousNs));
                previousNs = stageNs[i];
            }
            if (stages.length > 1)
            {
                stages[stages.length - 1].recordValue(clamp(nowNs - previousNs));
            }
        }
        received.lazySet(received.get() + 1 - phase);
    }

    /** @return frames sent so far, warm-up not counted. */
    public long sent()
    {
        return sent.get();
    }

    /** @return frames that came back and were recorded so far, warm-up not counted. */
    public long received()
    {
        return received.get();
    }

    /** @return frames the path refused at least once because it was full (each retried until it went out). */
    public long refused()
    {
        return refused.get();
    }

    private static long clamp(final long valueNs)
    {
        return valueNs < 0 ? 0 : Math.min(valueNs, HIGHEST_TRACKABLE_NS);
    }
}
