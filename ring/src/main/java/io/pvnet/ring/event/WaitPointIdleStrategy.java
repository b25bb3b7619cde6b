package io.pvnet.ring.event;

import org.agrona.concurrent.IdleStrategy;

/**
 * NAPI's tail as an Agrona {@link IdleStrategy}: after a duty cycle without work it spins for a short window (busy
 * traffic never pays a syscall), then announces the sleep on its {@link WaitPoint} and returns once more, so the
 * agent's next {@code doWork()} is the final check ({@code RING_FINAL_CHECK_FOR_*}); if that finds nothing too, it
 * sleeps in the kernel until notified or {@code maxSleepNs}. Any work withdraws the announcement.
 * <pre>
 *  doWork() -> n > 0           idle(n): cancel announcement, window restarts
 *  doWork() -> 0, in window    idle(0): spin (onSpinWait)
 *  doWork() -> 0, window over  idle(0): prepareToSleep(), return      (next doWork is the final check)
 *  doWork() -> 0 again         idle(0): sleep(maxSleepNs), window restarts on wake
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
            return;
        }
        if (spinWindowNs > 0)
        {
            final long now = System.nanoTime();
            if (!spinning)
            {
                spinning = true;
                spinStartNs = now;
            }
            if (now - spinStartNs < spinWindowNs)
            {
                Thread.onSpinWait();
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
    }

    @Override
    public String alias()
    {
        return spinWindowNs > 0 ? "adaptive" : "sleep";
    }
}
