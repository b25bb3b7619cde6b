package io.pvnet.perf.bench;

import io.pvnet.perf.harness.ProgressPrinter;
import io.pvnet.perf.harness.ScenarioContext;
import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * How {@link WakeScenario} times a path's round trips with its threads asleep: a fast warm-up until the path is
 * compiled, the rest of the warm-up and then the measurement at one round trip per {@link #GAP_NS}, each frame sent
 * once every thread it must wake is asleep and the threads woken with the sender ran ({@link CpuSettle}); reports
 * {@code .lost}, {@code .awake} and {@code .deferred} round trips.
 * <p>
 * Threading: the harness thread only (it is the sender: each {@link RoundTrip} runs on it).
 */
final class WakeRoundTrips
{
    /** The longest round trip: later it counts as lost (and the histograms' highest value). */
    static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long GAP_NS = 2_000_000L;
    /**
     * Whether the sender lets the threads woken with it run before each measured round trip ({@link CpuSettle}):
     * {@code -Dpvnet.bench.wake.settle=false} measures without (the round trip may start behind them).
     */
    private static final boolean SETTLE = Boolean.parseBoolean(System.getProperty("pvnet.bench.wake.settle", "true"));
    /** Longest extra wait for the threads a frame must wake to be asleep, and the step of that wait. */
    private static final long ASLEEP_WAIT_NS = 20_000_000L;
    private static final long ASLEEP_POLL_NS = 100_000L;
    /** The warm-up's step: as short as a park goes (the kernel's timer slack, 50 us, makes it longer). */
    private static final long HOT_ASLEEP_POLL_NS = 1_000L;
    /** Fewest fast warm-up round trips before the gapped ones (the path's code compiled, see {@link #hotWarmup}). */
    private static final long HOT_ROUND_TRIPS = 20_000;
    /** Longest fast warm-up when the whole warm-up is shorter, ns (a loaded machine's round trips are slow). */
    private static final long HOT_LIMIT_NS = 1_000_000_000L;

    private WakeRoundTrips()
    {
    }

    /** One round trip of a measured path, on the harness thread. */
    interface RoundTrip
    {
        /** @return ns, or -1 when no answer came within the timeout. */
        long once() throws Exception;
    }

    /**
     * @param beforeMeasured run once when the warm-up ends (null: nothing).
     * @param asleep         whether every thread the frame must wake is in its sleep (null: no such check); after the
     *                       gap the sender waits up to {@link #ASLEEP_WAIT_NS} more for it, and a frame sent while a
     *                       thread is still awake is counted ({@code .awake}).
     */
    static void measure(
        final ScenarioContext context, final String what, final AtomicLong samples, final Histogram histogram,
        final Runnable beforeMeasured, final BooleanSupplier asleep, final RoundTrip roundTrip) throws Exception
    {
        long lost = 0;
        long awake = 0;
        long deferred = 0;
        final CpuSettle settle = new CpuSettle();
        // first the path's code, so the JIT compiles it before anything is measured: at one round trip per 2 ms the vif
        // path took 8-10 s to reach C2 and ran in profiled C1 code, with C2 compiling on the same 2 cores, through the
        // whole measurement (a figure of the JIT's warm-up, not of wake-ups)
        lost += hotWarmup(context, what, samples, asleep, roundTrip);
        for (final boolean warmup : new boolean[] {true, false})
        {
            if (!warmup && beforeMeasured != null)
            {
                beforeMeasured.run();
            }
            // the rest of the warm-up at the measured cadence: the threads settle into sleeping between frames
            final long end = System.nanoTime() + (warmup ? context.warmup().dividedBy(2) : context.duration()).toNanos();
            try (ProgressPrinter.Line ignored = context.progress(what + (warmup ? " (warm-up)" : ""), samples::get, 1,
                "round trips/s"))
            {
                while (System.nanoTime() - end < 0)
                {
                    // let every other thread finish its spin window and fall asleep
                    LockSupport.parkNanos(GAP_NS);
                    if (asleep != null && !awaitAsleep(asleep, ASLEEP_POLL_NS) && !warmup)
                    {
                        awake++;
                    }
                    // the threads the sender's timer woke with it (slack-coalesced timers) run first, not in the round trip
                    if (SETTLE && settle.settle() && !warmup)
                    {
                        deferred++;
                    }
                    final long ns = roundTrip.once();
                    samples.incrementAndGet();
                    if (ns < 0)
                    {
                        lost++;
                    }
                    else if (!warmup)
                    {
                        histogram.recordValue(Math.min(ns, TIMEOUT_NS));
                    }
                }
            }
        }
        if (lost > 0)
        {
            context.report(what + ".lost", lost, "round trips");
        }
        if (awake > 0)
        {
            context.report(what + ".awake", awake, "round trips");
        }
        if (deferred > 0)
        {
            context.report(what + ".deferred", deferred, "round trips");
        }
    }

    /**
     * Waits (in short parks) until {@code asleep} holds, at most {@link #ASLEEP_WAIT_NS}: on a loaded machine a thread
     * preempted in its spin window may not have reached its sleep 2 ms after the last frame.
     *
     * @return whether it holds.
     */
    private static boolean awaitAsleep(final BooleanSupplier asleep, final long pollNs)
    {
        final long deadline = System.nanoTime() + ASLEEP_WAIT_NS;
        while (!asleep.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                return false;
            }
            LockSupport.parkNanos(pollNs);
        }
        return true;
    }

    /**
     * Round trips as fast as the measured path allows for half the warm-up, and at least {@value #HOT_ROUND_TRIPS}
     * (enough calls of every method on the path for C2, which wants thousands of invocations) as long as the whole
     * warm-up (or 1 s) allows. With {@code asleep}, each frame goes as soon as the threads it must wake are asleep (a
     * short park between checks): the measured path itself, sleep and wake-up included, so C2 compiles it with the
     * branches it takes. Back to back, the host thread never slept: its sleep path (EventSelector.sleep and the idle
     * strategy's) was first compiled during the measurement, and the C2 AgentRunner.doWork hit an uncommon trap at the
     * first gapped round trips and ran in C1 code again while C2 recompiled it (-XX:+PrintCompilation).
     *
     * @return round trips that timed out.
     */
    private static long hotWarmup(
        final ScenarioContext context, final String what, final AtomicLong samples, final BooleanSupplier asleep,
        final RoundTrip roundTrip) throws Exception
    {
        long lost = 0;
        long count = 0;
        final long start = System.nanoTime();
        final long end = start + context.warmup().dividedBy(2).toNanos();
        final long limit = start + Math.max(context.warmup().toNanos(), HOT_LIMIT_NS);
        try (ProgressPrinter.Line ignored = context.progress(what + " (warm-up, " +
            (asleep == null ? "back to back)" : "each frame once the path sleeps)"), samples::get, 1, "round trips/s"))
        {
            while ((System.nanoTime() - end < 0 || count < HOT_ROUND_TRIPS) && System.nanoTime() - limit < 0)
            {
                if (asleep != null)
                {
                    awaitAsleep(asleep, HOT_ASLEEP_POLL_NS);
                }
                if (roundTrip.once() < 0)
                {
                    lost++;
                }
                count++;
                samples.incrementAndGet();
            }
        }
        return lost;
    }
}
