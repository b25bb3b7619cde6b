package io.pvnet.ring.event;

import org.agrona.concurrent.IdleStrategy;

/**
 * NAPI's tail as an Agrona {@link IdleStrategy}: after a duty cycle without work it spins for a short window (busy
 * traffic never pays a syscall), then announces the sleep on its {@link WaitPoint} and returns once more, so the
 * agent's next {@code doWork()} is the final check ({@code RING_FINAL_CHECK_FOR_*}); if that finds nothing too, it
 * sleeps in the kernel until notified or {@code maxSleepNs}. Any work withdraws the announcement.
 * <pre>
 *  doWork() -> n > 0           idle(n): cancel announcement, window restarts
 *  doWork() -> 0, in window    idle(0): poll again after Thread.yield() (the core goes to any runnable thread)
 *  doWork() -> 0, window over  idle(0): prepareToSleep(), return      (next doWork is the final check)
 *  doWork() -> 0 again         idle(0): sleep(maxSleepNs)
 *  woken, doWork() -> 0        idle(0): prepareToSleep() at once, no window (a timeout or a wake-up that brought
 *                                       nothing: polling on would only cost an idle thread CPU at every timeout)
 * </pre>
 * Threading: one agent thread, like every Agrona idle strategy. Allocation-free.
 */
public final class WaitPointIdleStrategy implements IdleStrategy
{
    private final WaitPoint waitPoint;
    private final long spinWindowNs;
    private final long maxSleepNs;
    private boolean spinning;
    private long spinStartNs;
    private boolean prepared;
    /** Set by a sleep, cleared by work: the first idle cycle after a wake-up that found nothing sleeps again at once. */
    private boolean slept;

    /**
     * An idle strategy that polls for {@code spinWindowNs} after the last work, then sleeps on {@code waitPoint}.
     * @param waitPoint    where to sleep.
     * @param spinWindowNs how long to keep polling after the last work (0: sleep at the first idle cycle).
     * @param maxSleepNs   longest sleep before the agent runs again (its timers: heartbeats, timeouts).
     */
    public WaitPointIdleStrategy(final WaitPoint waitPoint, final long spinWindowNs, final long maxSleepNs)
    {
        if (spinWindowNs < 0 || maxSleepNs <= 0)
        {
            throw new IllegalArgumentException("spinWindowNs=" + spinWindowNs + " maxSleepNs=" + maxSleepNs);
        }
        this.waitPoint = waitPoint;
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
            final long now = System.nanoTime();
            if (!spinning)
            {
                spinning = true;
                spinStartNs = now;
            }
            if (now - spinStartNs < spinWindowNs)
            {
                // poll, but give the core to any runnable thread: on a machine with fewer cores than polling threads
                // (2 vCPUs: host, sender, receiver) a thread woken for the next hop otherwise waits for a spinner's
                // window to run out (no wake-up preemption), one window per hop: wake.rtt 222-323 us with
                // onSpinWait against 62-82 us with yield, same runs, load 16 (engine/README.md)
                Thread.yield();
                return;
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

    @Override
    public String alias()
    {
        return spinWindowNs > 0 ? "adaptive" : "sleep";
    }
}
