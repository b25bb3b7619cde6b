package io.pvnet.ring.event;

import org.agrona.concurrent.IdleStrategy;

import java.util.function.LongSupplier;

/**
 * NAPI's tail as an Agrona {@link IdleStrategy}: after a duty cycle without work it spins for a short window (busy
 * traffic never pays a syscall), then announces the sleep on its {@link WaitPoint} and returns once more, so the
 * agent's next {@code doWork()} is the final check ({@code RING_FINAL_CHECK_FOR_*}); if that finds nothing too, it
 * sleeps in the kernel until notified or {@code maxSleepNs}. Any work withdraws the announcement.
 * <pre>
 *  doWork() -> n > 0           idle(n): cancel announcement, window restarts (no clock read: work costs nothing here)
 *  doWork() -> 0, pure spin    idle(0): poll again after Thread.onSpinWait() (PURE_SPIN_NS, 0 by default)
 *  doWork() -> 0, in window    idle(0): poll again after Thread.yield() (the core goes to any runnable thread)
 *  doWork() -> 0, window over, idle(0): prepareToSleep(), return      (next doWork is the final check)
 *    or (opt-in) the yield gave the core away
 *  doWork() -> 0 again         idle(0): sleep(maxSleepNs)
 *  woken, doWork() -> 0        idle(0): prepareToSleep() at once, no window (a timeout or a wake-up that brought
 *                                       nothing: polling on would only cost an idle thread CPU at every timeout)
 *  woken, doWork() -> n > 0    idle(n): as any work, then one yield (the hand-back below); the window that
 *                                       follows is the wake-up window until work comes in a window again
 * </pre>
 * <b>Wake-up window</b> ({@link #WAKE_WINDOW_NS}, 10 µs). A thread woken by one batch of work (sporadic traffic: a
 * request, a kick) that finds nothing more in the cycle after it polls for 10 µs, not the whole window, before it
 * announces its sleep. Its peer is most likely polling for the answer on the same CPU (the kernel packs the woken thread
 * onto the waker's busy vCPU), and a yield gives that CPU back only when the scheduler finds the peer eligible (EEVDF):
 * in 3-5 % of the {@code wake} bench's round trips on a quiet machine ({@code perf sched}, 2,815 and 2,841 gapped round
 * trips) the woken host thread kept the vCPU for 40-150 µs, its whole window of yields that handed nothing over, and
 * the guest saw the answer only when the host slept: the round trip's p99. A sleeping thread always gives the CPU up.
 * Work found in the short window restores the whole one, and a thread kept busy since it woke streams as below, so
 * traffic that keeps coming pays no more sleeps; work that comes back more than 10 µs after a wake-up's answer costs
 * its sender a {@code FUTEX_WAKE}.
 * <b>Hand-back</b> ({@link #HAND_BACK}). The first duty cycle with work after a sleep is followed by one yield: the
 * thread was woken by a peer that is most likely polling for the answer on the same CPU (this VM's kernel places the
 * woken thread on the waker's busy vCPU rather than wake a halted one), and the answer is now pushed. Without the
 * yield the peer waits for the rest of this thread's work, its next (empty) duty cycle, arming and final check
 * included, until the idle poll's yield. With it, the peer sees the answer at once and this thread finishes its
 * cycle when the peer next yields or sleeps; a peer on another CPU, or none, costs one {@code sched_yield} (about
 * 1 µs) per wake-up that brought work, never one per cycle of a stream (a thread carrying a stream does not sleep).
 * On by default ({@code -Dpvnet.idle.hand.back=false} turns it off), together with the notifier's yield after a
 * wake-up ({@link EventChannel#YIELD_AFTER_WAKE}): the peer that kicked gives this thread the CPU at once, and this
 * thread gives it back as soon as the answer is pushed. The two belong together: the notifier's yield alone made the
 * {@code wake} round trip slower ({@code wake.rtt.p50} 32.0, 38.4, 24.4 µs against 22.9, 29.8, 22.1 without either,
 * the guest's kick returning only after 23-34 µs), with the hand-back it was 21.4, 19.3 µs (alternating runs, load
 * 5-9, 01:03-01:10 UTC); with the 10 µs wake-up window 20.9, 20.1 against 22.9, 26.9 (load 5-10). Alone, without the
 * notifier's yield, the hand-back had made it slower on a quiet machine (p50 20.2, 31.4, 22.5 µs against 15.8, 17.4,
 * 19.7, load 0.3-1.4; in a quiet {@code perf sched} trace the host's first run was not shorter with it: a yield hands
 * the CPU over only to an eligible peer).
 * <b>Streaming window.</b> A thread that has stayed awake, finding work again within each window, for
 * {@link #STREAM_AFTER_NS} (1 ms) is carrying a stream: its window grows to {@link #STREAM_WINDOW_NS} (1 ms) until it
 * next sleeps. On 2 vCPUs a stream's gaps are the peer thread's preemptions (another thread, the JIT, the kernel) and
 * last from tens of µs to milliseconds: with the 50 µs window the receiving guest thread of the in-process
 * {@code vif} bench slept about 155 times a second during a 64-byte stream (median of six runs; the host thread 55),
 * and each sleep cost the thread that found it asleep a {@code FUTEX_WAKE} and the stream the sleeper's wake-up; with
 * the streaming window 6-22 and 8-17 times (ring/README.md). Sporadic work (one frame every 2 ms, as the {@code wake} bench sends) never stays awake that long and
 * keeps the short window, and an idle thread is asleep either way, so what an idle vif costs does not change.
 * <p>
 * The spin phase reads the clock once per idle call (twice only with the opt-in below; in the streaming window once
 * per {@link #STREAM_YIELD_EVERY} calls, yielding only then) and never touches the wait point: nothing is armed, so
 * no peer pays a wake-up, while work keeps arriving within the window.
 * <p>
 * Opt-in ({@code -Dpvnet.idle.contended.yield.ns}, off by default): a window ends at the first yield that returns
 * after more than {@link #CONTENDED_YIELD_NS}, one that gave the core to another thread (more threads runnable than
 * cores), and the thread sleeps after its final check rather than take the core back. In the {@code wake} bench on 2
 * busy vCPUs it cut the host and echo threads' context switches per round trip from 21-23 to 6 and their CPU by a third
 * to a half, and a woken echo thread's wait for a core (perf sched) from p50 34 / p90 1,066 µs to 12 / 22 µs; but
 * the round trip itself came out 2-15 % slower in four alternating pairs (load 6-10: the thread that slept must be
 * woken for the way back), so it stays off where latency is the point. An idle core's yield returns in about 1 µs.
 * <p>
 * Threading: one agent thread, like every Agrona idle strategy; the counters may be read from any thread
 * (approximate while it runs). Allocation-free.
 */
public final class WaitPointIdleStrategy implements IdleStrategy
{
    /**
     * A yield in the spin window that takes longer than this (ns) gave the core to another thread and ends the window:
     * {@code -Dpvnet.idle.contended.yield.ns}, {@link Long#MAX_VALUE} (never) unless set; 4,000 is a fit for the
     * 2-vCPU VM (an uncontended {@code sched_yield} takes about 1 µs, p99 1.3 µs; one that ran another thread at least
     * two context switches and that thread's turn).
     */
    public static final long CONTENDED_YIELD_NS = Long.getLong("pvnet.idle.contended.yield.ns", Long.MAX_VALUE);
    /**
     * The start of the spin window (ns) that polls with {@code Thread.onSpinWait()}, no syscall, before yielding:
     * {@code -Dpvnet.idle.pure.spin.ns}, 0 unless set. A thread woken onto a core in its pure spin waits for it to end:
     * 5 µs made {@code wake.relay.rtt.p50} (then {@code wake.rtt}) 64 and 72 µs against 40-51 µs without (alternating runs, load 11-13).
     */
    public static final long PURE_SPIN_NS = Long.getLong("pvnet.idle.pure.spin.ns", 0);
    /**
     * How long a thread must have stayed awake with work before its window grows to {@link #STREAM_WINDOW_NS}:
     * {@code -Dpvnet.idle.stream.after.us} (µs), 1,000 unless set.
     */
    public static final long STREAM_AFTER_NS = Long.getLong("pvnet.idle.stream.after.us", 1_000) * 1_000;
    /**
     * The spin window of a thread carrying a stream (see the class comment): {@code -Dpvnet.idle.stream.spin.us}
     * (µs), 1,000 unless set; never shorter than the configured window; 0 turns the streaming window off.
     */
    public static final long STREAM_WINDOW_NS = Long.getLong("pvnet.idle.stream.spin.us", 1_000) * 1_000;
    /**
     * In the streaming window, the thread yields (and reads the clock) at every this many idle polls and polls again at
     * once in between: {@code -Dpvnet.idle.stream.yield.every}, 16 unless set (1: at every poll, as the short window).
     * A yield per poll is a syscall per poll (the guest thread of a 64-byte {@code vif} stream made about 0.6 M a
     * second, a third of a core in the kernel); 16 polls are 1-2 µs, so a thread woken onto this core still gets it
     * within a few µs. Without {@code PAUSE} in between: a {@code PAUSE} loop in a KVM guest can exit to the
     * hypervisor (perf/README.md, "Spinning without PAUSE"), and yielding every 16 polls with a {@code PAUSE} in
     * between measured slower than either.
     */
    public static final int STREAM_YIELD_EVERY = Math.max(1, Integer.getInteger("pvnet.idle.stream.yield.every", 16));
    /**
     * Whether the first duty cycle with work after a sleep is followed by a yield (the hand-back, see the class
     * comment): {@code -Dpvnet.idle.hand.back}, true unless set to false.
     */
    public static final boolean HAND_BACK = Boolean.parseBoolean(System.getProperty("pvnet.idle.hand.back", "true"));
    /**
     * The spin window after a wake-up whose first duty cycle had work, until the thread finds work again in a window
     * (the wake-up window, see the class comment): {@code -Dpvnet.idle.wake.spin.us} (µs), 10 unless set; never longer
     * than the spin window.
     */
    public static final long WAKE_WINDOW_NS = Long.getLong("pvnet.idle.wake.spin.us", 10) * 1_000;

    private final WaitPoint waitPoint;
    private final LongSupplier clock;
    private final Runnable yielder;
    private final Runnable spinner;
    private final long pureSpinNs;
    private final long contendedYieldNs;
    private final long spinWindowNs;
    private final long streamAfterNs;
    private final long streamWindowNs;
    private final int streamYieldEvery;
    private final boolean handBack;
    private final long wakeWindowNs;
    /** Set by the first duty cycle with work after a sleep, cleared by work in a window: the window is the wake-up one. */
    private boolean wokenWithWork;
    /** Idle polls since the last yield in the streaming window. */
    private int streamPolls;
    private final long maxSleepNs;
    private boolean spinning;
    private long spinStartNs;
    /** The window of the current spin: {@link #spinWindowNs}, or {@link #streamWindowNs} while streaming. */
    private long windowNs;
    /** Whether {@link #awakeSinceNs} is set (after the first sleep, or from the first spin). */
    private boolean awake;
    /** The end of the last sleep (before one: the first spin): the thread has found work in every window since. */
    private long awakeSinceNs;
    private boolean prepared;
    /** Set by a sleep, cleared by work: the first idle cycle after a wake-up that found nothing sleeps again at once. */
    private boolean slept;
    private long windowsCutShort;
    private long yields;
    private long announcements;
    private long sleeps;
    private long handBacks;

    /**
     * An idle strategy that polls for {@code spinWindowNs} after the last work, then sleeps on {@code waitPoint}.
     * @param waitPoint    where to sleep.
     * @param spinWindowNs how long to keep polling after the last work (0: sleep at the first idle cycle).
     * @param maxSleepNs   longest sleep before the agent runs again (its timers: heartbeats, timeouts).
     */
    public WaitPointIdleStrategy(final WaitPoint waitPoint, final long spinWindowNs, final long maxSleepNs)
    {
        this(waitPoint, spinWindowNs, maxSleepNs, PURE_SPIN_NS, CONTENDED_YIELD_NS, STREAM_AFTER_NS,
            STREAM_WINDOW_NS == 0 || spinWindowNs == 0 ? spinWindowNs : Math.max(spinWindowNs, STREAM_WINDOW_NS),
            STREAM_YIELD_EVERY, System::nanoTime, Thread::onSpinWait, Thread::yield);
    }

    /**
     * As {@link #WaitPointIdleStrategy(WaitPoint, long, long, long, long, long, long, int, LongSupplier, Runnable,
     * Runnable)} without a streaming window (the window is always {@code spinWindowNs}).
     */
    WaitPointIdleStrategy(
        final WaitPoint waitPoint, final long spinWindowNs, final long maxSleepNs, final long pureSpinNs,
        final long contendedYieldNs, final LongSupplier clock, final Runnable spinner, final Runnable yielder)
    {
        this(waitPoint, spinWindowNs, maxSleepNs, pureSpinNs, contendedYieldNs, STREAM_AFTER_NS, spinWindowNs, 1, clock,
            spinner, yielder);
    }

    /**
     * As {@link #WaitPointIdleStrategy(WaitPoint, long, long)} with the clock and yield given (tests drive the window).
     *
     * @param waitPoint        where to sleep.
     * @param spinWindowNs     how long to keep polling after the last work (0: sleep at the first idle cycle).
     * @param maxSleepNs       longest sleep before the agent runs again.
     * @param pureSpinNs       the start of the window that polls without yielding.
     * @param contendedYieldNs a yield longer than this ends the window ({@link Long#MAX_VALUE}: never).
     * @param streamAfterNs    how long a thread must stay awake with work before its window is {@code streamWindowNs}.
     * @param streamWindowNs   the window while streaming (at least {@code spinWindowNs}).
     * @param streamYieldEvery in the streaming window, yield at every this many idle polls (1: at each).
     * @param clock            nanosecond clock, as {@link System#nanoTime()}.
     * @param spinner          one poll's pause without a syscall, as {@link Thread#onSpinWait()}.
     * @param yielder          gives the core to another runnable thread, as {@link Thread#yield()}.
     */
    WaitPointIdleStrategy(
        final WaitPoint waitPoint, final long spinWindowNs, final long maxSleepNs, final long pureSpinNs,
        final long contendedYieldNs, final long streamAfterNs, final long streamWindowNs, final int streamYieldEvery,
        final LongSupplier clock, final Runnable spinner, final Runnable yielder)
    {
        this(waitPoint, spinWindowNs, maxSleepNs, pureSpinNs, contendedYieldNs, streamAfterNs, streamWindowNs,
            streamYieldEvery, HAND_BACK, Math.max(0, Math.min(WAKE_WINDOW_NS, spinWindowNs)),
            clock, spinner, yielder);
    }

    /**
     * As the constructor above with the hand-back given.
     *
     * @param handBack whether the first duty cycle with work after a sleep is followed by a yield.
     * @param wakeWindowNs the window after a wake-up whose first duty cycle had work (at most {@code spinWindowNs}).
     */
    WaitPointIdleStrategy(
        final WaitPoint waitPoint, final long spinWindowNs, final long maxSleepNs, final long pureSpinNs,
        final long contendedYieldNs, final long streamAfterNs, final long streamWindowNs, final int streamYieldEvery,
        final boolean handBack, final long wakeWindowNs, final LongSupplier clock, final Runnable spinner,
        final Runnable yielder)
    {
        if (spinWindowNs < 0 || maxSleepNs <= 0 || pureSpinNs < 0 || contendedYieldNs <= 0 || streamAfterNs < 0 ||
            streamWindowNs < spinWindowNs || streamYieldEvery < 1 || wakeWindowNs < 0 || wakeWindowNs > spinWindowNs)
        {
            throw new IllegalArgumentException("spinWindowNs=" + spinWindowNs + " maxSleepNs=" + maxSleepNs +
                " pureSpinNs=" + pureSpinNs + " contendedYieldNs=" + contendedYieldNs + " streamAfterNs=" +
                streamAfterNs + " streamWindowNs=" + streamWindowNs + " streamYieldEvery=" + streamYieldEvery +
                " wakeWindowNs=" + wakeWindowNs);
        }
        this.wakeWindowNs = wakeWindowNs;
        this.streamYieldEvery = streamYieldEvery;
        this.handBack = handBack;
        this.streamAfterNs = streamAfterNs;
        this.streamWindowNs = streamWindowNs;
        this.pureSpinNs = pureSpinNs;
        this.spinner = spinner;
        this.waitPoint = waitPoint;
        this.contendedYieldNs = contendedYieldNs;
        this.clock = clock;
        this.yielder = yielder;
        this.spinWindowNs = spinWindowNs;
        this.maxSleepNs = maxSleepNs;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            final boolean woken = slept;
            reset();
            wokenWithWork = woken;
            if (woken && handBack)
            {
                // the answer to the peer that woke this thread is pushed: let it run now (see the class comment)
                handBacks++;
                yielder.run();
            }
            return;
        }
        idle();
    }

    @Override
    public void idle()
    {
        if (prepared)
        {
            // the final check after the announcement found nothing: sleep
            prepared = false;
            spinning = false;
            sleeps++;
            waitPoint.sleep(maxSleepNs);
            slept = true;
            // awake from now on (one clock read per sleep): a thread woken into a stream that keeps it busy without an
            // idle cycle for a millisecond streams by its first gap
            awake = spinWindowNs > 0;
            awakeSinceNs = awake ? clock.getAsLong() : 0;
            return;
        }
        if (spinWindowNs > 0 && !slept)
        {
            if (spinning && windowNs > spinWindowNs && ++streamPolls < streamYieldEvery)
            {
                return; // streaming: poll again at once; a yield and a clock read every streamYieldEvery polls
            }
            streamPolls = 0;
            // one clock read per idle call (per streamYieldEvery while streaming), none per call with work
            final long now = clock.getAsLong();
            if (!spinning)
            {
                spinning = true;
                spinStartNs = now;
                if (!awake)
                {
                    awake = true;
                    awakeSinceNs = now;
                }
                // a thread that found work in every window for streamAfterNs carries a stream: a window that covers
                // the peer's preemptions, so the stream's gaps cost no sleep, no arming, no wake-up syscall
                // and one woken by a single batch of work (sporadic traffic) the wake-up window
                windowNs = now - awakeSinceNs >= streamAfterNs ? streamWindowNs : wokenWithWork ? wakeWindowNs : spinWindowNs;
            }
            final long spunNs = now - spinStartNs;
            if (spunNs < Math.min(pureSpinNs, windowNs))
            {
                spinner.run();
                return;
            }
            if (spunNs < windowNs)
            {
                // poll, but give the core to any runnable thread: on a machine with fewer cores than polling threads
                // (2 vCPUs: host, sender, receiver) a thread woken for the next hop otherwise waits for a spinner's
                // window to run out (no wake-up preemption), one window per hop: wake.rtt 222-323 us with
                // onSpinWait against 62-82 us with yield, same runs, load 16 (engine/README.md)
                yields++;
                yielder.run();
                if (contendedYieldNs == Long.MAX_VALUE || clock.getAsLong() - now < contendedYieldNs)
                {
                    return;
                }
                // another thread had the core meanwhile: leave it to the threads with work, sleep after the final check
                windowsCutShort++;
            }
        }
        announcements++;
        waitPoint.prepareToSleep();
        prepared = true;
    }

    @Override
    public void reset()
    {
        if (prepared)
        {
            prepared = false;
            waitPoint.cancelSleep();
        }
        spinning = false;
        slept = false;
    }

    /** {@return spin windows ended early by a yield that gave the core to another thread (this agent's thread)} */
    public long windowsCutShort()
    {
        return windowsCutShort;
    }

    /** {@return yields in spin windows (each a {@code sched_yield} syscall)} */
    public long yields()
    {
        return yields;
    }

    /** {@return sleeps announced on the wait point (the peer pays a wake-up only after one)} */
    public long announcements()
    {
        return announcements;
    }

    /** {@return sleeps in the kernel (announcements whose final check found nothing)} */
    public long sleeps()
    {
        return sleeps;
    }

    /** {@return yields after the first duty cycle with work after a sleep (the hand-back)} */
    public long handBacks()
    {
        return handBacks;
    }

    /** {@return whether the current or last window is the streaming one} */
    public boolean streaming()
    {
        return spinning && windowNs > spinWindowNs;
    }

    @Override
    public String alias()
    {
        return spinWindowNs > 0 ? "adaptive" : "sleep";
    }
}
