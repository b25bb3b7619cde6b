package io.pvnet.ring.event;

import org.agrona.concurrent.IdleStrategy;

import java.util.function.LongSupplier;

/**
 * NAPI's tail as an Agrona {@link IdleStrategy}: after a duty cycle without work it spins for a short window (busy
 * traffic never pays a syscall), then announces the sleep on its {@link WaitPoint} and returns once more, so the
 * agent's next {@code doWork()} is the final check ({@code RING_FINAL_CHECK_FOR_*}); if that finds nothing too, it
 * sleeps in the kernel until notified or {@code maxSleepNs}. Any work withdraws the announcement.
 * <pre>
 *  doWork() -> n > 0           idle(n): cancel announcement, window restarts
 *  doWork() -> 0, pure spin    idle(0): poll again after Thread.onSpinWait() (PURE_SPIN_NS, 0 by default)
 *  doWork() -> 0, in window    idle(0): poll again after Thread.yield() (the core goes to any runnable thread)
 *  doWork() -> 0, window over, idle(0): prepareToSleep(), return      (next doWork is the final check)
 *    or the yield gave the core away
 *  doWork() -> 0 again         idle(0): sleep(maxSleepNs)
 *  woken, doWork() -> 0        idle(0): prepareToSleep() at once, no window (a timeout or a wake-up that brought
 *                                       nothing: polling on would only cost an idle thread CPU at every timeout)
 * </pre>
 * The window is for a core nothing else wants. A yield that returns after more than {@link #CONTENDED_YIELD_NS} gave
 * the core to another thread: more threads are runnable than there are cores (three polling threads on two vCPUs, or
 * other processes' work), so polling on would take the core from the thread that has the work this one waits for, at
 * every yield, for the whole window (measured with the {@code wake} bench: host, sender and echo threads took turns of
 * 5-30 µs on one vCPU, each hand-over waiting for a round of the other pollers' turns). Such a window ends at once and
 * the thread sleeps after its final check; its peer pays one wake-up, which on an oversubscribed core is cheaper than
 * the turns. An idle machine's yield returns in about 1 µs and busy traffic keeps its window (no syscall per frame).
 * <p>
 * Threading: one agent thread, like every Agrona idle strategy. Allocation-free.
 */
public final class WaitPointIdleStrategy implements IdleStrategy
{
    /**
     * A yield in the spin window that takes longer than this (ns) gave the core to another thread and ends the window:
     * {@code -Dpvnet.idle.contended.yield.ns}, 4,000 unless set (an uncontended {@code sched_yield} takes about 1 µs on
     * the 2-vCPU VM, p99 1.3 µs; one that ran another thread at least two context switches and that thread's turn).
     */
    public static final long CONTENDED_YIELD_NS = Long.getLong("pvnet.idle.contended.yield.ns", 4_000);
    /**
     * The start of the spin window (ns) that polls with {@code Thread.onSpinWait()}, no syscall, before yielding:
     * {@code -Dpvnet.idle.pure.spin.ns}, 0 unless set. A thread woken onto a core in its pure spin waits for it to end:
     * 5 µs made {@code wake.rtt.p50} 64 and 72 µs against 40-51 µs without (alternating runs, load 11-13).
     */
    public static final long PURE_SPIN_NS = Long.getLong("pvnet.idle.pure.spin.ns", 0);

    private final WaitPoint waitPoint;
    private final LongSupplier clock;
    private final Runnable yielder;
    private final Runnable spinner;
    private final long pureSpinNs;
    private final long contendedYieldNs;
    private final long spinWindowNs;
    private final long maxSleepNs;
    private boolean spinning;
    private long spinStartNs;
    private boolean prepared;
    /** Set by a sleep, cleared by work: the first idle cycle after a wake-up that found nothing sleeps again at once. */
    private boolean slept;
    private long windowsCutShort;

    /**
     * An idle strategy that polls for {@code spinWindowNs} after the last work, then sleeps on {@code waitPoint}.
     * @param waitPoint    where to sleep.
     * @param spinWindowNs how long to keep polling after the last work (0: sleep at the first idle cycle).
     * @param maxSleepNs   longest sleep before the agent runs again (its timers: heartbeats, timeouts).
     */
    public WaitPointIdleStrategy(final WaitPoint waitPoint, final long spinWindowNs, final long maxSleepNs)
    {
        this(waitPoint, spinWindowNs, maxSleepNs, PURE_SPIN_NS, CONTENDED_YIELD_NS, System::nanoTime, Thread::onSpinWait,
            Thread::yield);
    }

    /**
     * As {@link #WaitPointIdleStrategy(WaitPoint, long, long)} with the clock and yield given (tests drive the window).
     *
     * @param waitPoint        where to sleep.
     * @param spinWindowNs     how long to keep polling after the last work (0: sleep at the first idle cycle).
     * @param maxSleepNs       longest sleep before the agent runs again.
     * @param pureSpinNs       the start of the window that polls without yielding.
     * @param contendedYieldNs a yield longer than this ends the window ({@link Long#MAX_VALUE}: never).
     * @param clock            nanosecond clock, as {@link System#nanoTime()}.
     * @param spinner          one poll's pause without a syscall, as {@link Thread#onSpinWait()}.
     * @param yielder          gives the core to another runnable thread, as {@link Thread#yield()}.
     */
    WaitPointIdleStrategy(
        final WaitPoint waitPoint, final long spinWindowNs, final long maxSleepNs, final long pureSpinNs,
        final long contendedYieldNs, final LongSupplier clock, final Runnable spinner, final Runnable yielder)
    {
        if (spinWindowNs < 0 || maxSleepNs <= 0 || pureSpinNs < 0 || contendedYieldNs <= 0)
        {
            throw new IllegalArgumentException("spinWindowNs=" + spinWindowNs + " maxSleepNs=" + maxSleepNs +
                " pureSpinNs=" + pureSpinNs + " contendedYieldNs=" + contendedYieldNs);
        }
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
            reset();
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
            waitPoint.sleep(maxSleepNs);
            slept = true;
            return;
        }
        if (spinWindowNs > 0 && !slept)
        {
            final long now = clock.getAsLong();
            if (!spinning)
            {
                spinning = true;
                spinStartNs = now;
            }
            if (now - spinStartNs < Math.min(pureSpinNs, spinWindowNs))
            {
                spinner.run();
                return;
            }
            if (now - spinStartNs < spinWindowNs)
            {
                // poll, but give the core to any runnable thread: on a machine with fewer cores than polling threads
                // (2 vCPUs: host, sender, receiver) a thread woken for the next hop otherwise waits for a spinner's
                // window to run out (no wake-up preemption), one window per hop: wake.rtt 222-323 us with
                // onSpinWait against 62-82 us with yield, same runs, load 16 (engine/README.md)
                yielder.run();
                if (clock.getAsLong() - now < contendedYieldNs)
                {
                    return;
                }
                // another thread had the core meanwhile: leave it to the threads with work, sleep after the final check
                windowsCutShort++;
            }
        }
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

    @Override
    public String alias()
    {
        return spinWindowNs > 0 ? "adaptive" : "sleep";
    }
}
