package io.pvnet.perf.bench;

import io.pvnet.perf.harness.ProgressPrinter;
import io.pvnet.perf.harness.ScenarioContext;
import org.HdrHistogram.Histogram;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * How {@link WakeScenario} times a path's round trips with its threads asleep: a fast warm-up until the path is
 * compiled, the rest of the warm-up and then the measurement at one round trip per {@link #GAP_NS}, each frame sent
 * once every thread it must wake is asleep and the threads woken with the sender ran ({@link CpuSettle}); reports
 * {@code .lost}, {@code .awake} and {@code .deferred} round trips. Two paths compared with each other may be timed
 * interleaved, round trip by round trip ({@link #measure}), so that both meet the host in the same mode.
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

    /**
     * How long {@link #measure} takes for this many paths interleaved: each path's fast warm-up
     * ({@link #hotWarmup}), then its turns for half the warm-up and for the duration. The fast warm-up of paths with
     * an asleep check runs to its limit (the whole warm-up, at least {@link #HOT_LIMIT_NS}): each of its
     * {@value #HOT_ROUND_TRIPS} round trips waits for the threads to fall asleep, some 100 us or more. Without the
     * check, back to back, they take a fraction of a second: half the warm-up. The 2 ms gaps lie within the phases.
     *
     * @param paths           how many paths {@link #measure} takes.
     * @param asleepCheck     whether any of them has an asleep check ({@link Path#asleep}).
     * @param durationSeconds the run's duration per figure.
     * @param warmupSeconds   the run's warm-up per figure.
     * @return the expected seconds of that {@link #measure} call.
     */
    static double estimatedSeconds(
        final int paths, final boolean asleepCheck, final double durationSeconds, final double warmupSeconds)
    {
        final double hot = asleepCheck ? Math.max(warmupSeconds, HOT_LIMIT_NS / 1e9) : warmupSeconds / 2;
        return paths * (hot + warmupSeconds / 2 + durationSeconds);
    }

    /** One round trip of a measured path, on the harness thread. */
    interface RoundTrip
    {
        /** @return ns, or -1 when no answer came within the timeout. */
        long once() throws Exception;
    }

    /** What runs while a path is set up and its threads live: its measurement, alone or interleaved with another's. */
    interface WhileAlive
    {
        /** @param path the live path. */
        void measure(Path path) throws Exception;
    }

    /**
     * One path {@link #measure} times, with its own threads and figures.
     *
     * @param name           the figure's name ({@code wake.rtt}): its {@code .lost}, {@code .awake}, {@code .deferred}
     *                       and progress line.
     * @param samples        round trips so far (warm-up included), read by the progress line.
     * @param histogram      the measured round trips, ns.
     * @param beforeMeasured run once when the warm-up ends (null: nothing).
     * @param asleep         whether every thread this path's frame must wake is in its sleep (null: no such check).
     * @param roundTrip      one round trip, on the harness thread.
     */
    record Path(
        String name, AtomicLong samples, Histogram histogram, Runnable beforeMeasured, BooleanSupplier asleep,
        RoundTrip roundTrip)
    {
        /** A path whose samples start at 0. */
        Path(final String name, final Histogram histogram, final Runnable beforeMeasured, final BooleanSupplier asleep,
            final RoundTrip roundTrip)
        {
            this(name, new AtomicLong(), histogram, beforeMeasured, asleep, roundTrip);
        }
    }

    /**
     * Times one path, or several interleaved: each path's fast warm-up in turn ({@link #hotWarmup}), then the paths
     * take turns round trip by round trip (A, gap, B, gap, A, ...), first for the rest of the warm-up and then
     * measured, each phase as long as the paths' phases one after the other (so each path keeps its round trips).
     * Interleaved, a path and the baseline it is compared with meet the same host: this VM's host swings between a
     * fast and a slow mode within seconds, and two paths measured 10 s apart compared two modes (wake.rtt p99 / its
     * floor's 0.71x to 5.11x in five runs).
     * <p>
     * Asleep means every thread of every path: after the gap the sender waits up to {@link #ASLEEP_WAIT_NS} more until
     * all are in their sleep (the other path's threads too: still in their spin window, they hold a vCPU the woken
     * thread may need), and a frame sent while one is still awake is counted as the sending path's {@code .awake}.
     *
     * @param paths the paths, in the order of their turns.
     */
    static void measure(final ScenarioContext context, final Path... paths) throws Exception
    {
        final BooleanSupplier asleep = allAsleep(paths);
        final long[] lost = new long[paths.length];
        final long[] awake = new long[paths.length];
        final long[] deferred = new long[paths.length];
        final CpuSettle settle = new CpuSettle();
        // first the path's code, so the JIT compiles it before anything is measured: at one round trip per 2 ms the vif
        // path took 8-10 s to reach C2 and ran in profiled C1 code, with C2 compiling on the same 2 cores, through the
        // whole measurement (a figure of the JIT's warm-up, not of wake-ups)
        for (int p = 0; p < paths.length; p++)
        {
            lost[p] += hotWarmup(context, paths[p], asleep);
        }
        final String what = names(paths);
        final LongSupplier samples = () -> samples(paths);
        int turn = 0; // whose round trip is next: the turns go on across the end of the warm-up
        for (final boolean warmup : new boolean[] {true, false})
        {
            if (!warmup)
            {
                for (final Path path : paths)
                {
                    if (path.beforeMeasured() != null)
                    {
                        path.beforeMeasured().run();
                    }
                }
            }
            // the rest of the warm-up at the measured cadence: the threads settle into sleeping between frames
            final long phaseNs = (warmup ? context.warmup().dividedBy(2) : context.duration()).toNanos();
            final long end = System.nanoTime() + phaseNs * paths.length;
            try (ProgressPrinter.Line ignored = context.progress(what + (warmup ? " (warm-up)" : ""), samples, 1,
                "round trips/s"))
            {
                while (System.nanoTime() - end < 0)
                {
                    final int p = turn;
                    turn = (turn + 1) % paths.length;
                    final Path path = paths[p];
                    // let every other thread finish its spin window and fall asleep
                    LockSupport.parkNanos(GAP_NS);
                    if (asleep != null && !awaitAsleep(asleep, ASLEEP_POLL_NS) && !warmup)
                    {
                        awake[p]++;
                    }
                    // the threads the sender's timer woke with it (slack-coalesced timers) run first, not in the round trip
                    if (SETTLE && settle.settle() && !warmup)
                    {
                        deferred[p]++;
                    }
                    final long ns = path.roundTrip().once();
                    path.samples().incrementAndGet();
                    if (ns < 0)
                    {
                        lost[p]++;
                    }
                    else if (!warmup)
                    {
                        path.histogram().recordValue(Math.min(ns, TIMEOUT_NS));
                    }
                }
            }
        }
        for (int p = 0; p < paths.length; p++)
        {
            reportIfAny(context, paths[p].name() + ".lost", lost[p]);
            reportIfAny(context, paths[p].name() + ".awake", awake[p]);
            reportIfAny(context, paths[p].name() + ".deferred", deferred[p]);
        }
    }

    private static void reportIfAny(final ScenarioContext context, final String name, final long roundTrips)
    {
        if (roundTrips > 0)
        {
            context.report(name, roundTrips, "round trips");
        }
    }

    /** {@return whether every path's threads are asleep, or null when no path checks} */
    private static BooleanSupplier allAsleep(final Path... paths)
    {
        final BooleanSupplier[] checks = Arrays.stream(paths).map(Path::asleep).filter(Objects::nonNull)
            .toArray(BooleanSupplier[]::new);
        if (checks.length == 0)
        {
            return null;
        }
        return () ->
        {
            for (final BooleanSupplier check : checks)
            {
                if (!check.getAsBoolean())
                {
                    return false;
                }
            }
            return true;
        };
    }

    private static String names(final Path... paths)
    {
        return Arrays.stream(paths).map(Path::name).collect(Collectors.joining(" + "));
    }

    private static long samples(final Path... paths)
    {
        long sum = 0;
        for (final Path path : paths)
        {
            sum += path.samples().get();
        }
        return sum;
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
     * warm-up (or 1 s) allows. With {@code asleep}, each frame goes as soon as the threads it must wake (and those of
     * the paths interleaved with it) are asleep (a short park between checks): the measured path itself, sleep and
     * wake-up included, so C2 compiles it with the branches it takes. Back to back, the host thread never slept: its
     * sleep path (EventSelector.sleep and the idle strategy's) was first compiled during the measurement, and the C2
     * AgentRunner.doWork hit an uncommon trap at the first gapped round trips and ran in C1 code again while C2
     * recompiled it (-XX:+PrintCompilation).
     *
     * @return round trips that timed out.
     */
    private static long hotWarmup(final ScenarioContext context, final Path path, final BooleanSupplier asleep)
        throws Exception
    {
        long lost = 0;
        long count = 0;
        final long start = System.nanoTime();
        final long end = start + context.warmup().dividedBy(2).toNanos();
        final long limit = start + Math.max(context.warmup().toNanos(), HOT_LIMIT_NS);
        try (ProgressPrinter.Line ignored = context.progress(path.name() + " (warm-up, " +
            (asleep == null ? "back to back)" : "each frame once the path sleeps)"), path.samples()::get, 1,
            "round trips/s"))
        {
            while ((System.nanoTime() - end < 0 || count < HOT_ROUND_TRIPS) && System.nanoTime() - limit < 0)
            {
                if (asleep != null)
                {
                    awaitAsleep(asleep, HOT_ASLEEP_POLL_NS);
                }
                if (path.roundTrip().once() < 0)
                {
                    lost++;
                }
                count++;
                path.samples().incrementAndGet();
            }
        }
        return lost;
    }
}
