package io.pvnet.ring.event;

/**
 * A {@link WaitPoint} whose sleeps end when the owner's next timed work is due: work driven by time rather than by a
 * notification (a retransmission, a paced send) would otherwise wait for the idle strategy's longest sleep, a safety
 * net of a second or more. Nothing due: the sleep is the caller's (until notified, interrupted or its timeout), one
 * kernel sleep in the wrapped wait point ({@link EventSelector}, {@link EpollWaitPoint}, {@link EventChannel}). The one
 * sleep logic of pvnet's agents: the switch's {@code VifPoller} and the guest's node are each the {@link TimedWork} of
 * one (work due now, such as an active vif: no sleep at all).
 * <p>
 * Threading: the owner's thread (that of the wait point and of {@code timers}). Allocation-free.
 */
public final class DeadlineWaitPoint extends ForwardingWaitPoint
{
    /** Work due at a time: read on the owner's thread just before each sleep. */
    @FunctionalInterface
    public interface TimedWork
    {
        /**
         * When the owner's next timed work is due.
         *
         * @param nowNs {@link System#nanoTime()} now.
         * @return nanoseconds until the next timed work is due (0 or less: now), {@link Long#MAX_VALUE} for none.
         */
        long nanosToNextDue(long nowNs);
    }

    private final TimedWork timers;

    /**
     * Sleeps on {@code waitPoint}, each sleep cut short when {@code timers} has work due.
     *
     * @param waitPoint where to sleep.
     * @param timers    the owner's timed work.
     */
    public DeadlineWaitPoint(final WaitPoint waitPoint, final TimedWork timers)
    {
        super(waitPoint);
        this.timers = timers;
    }

    @Override
    public void sleep(final long timeoutNs)
    {
        final long dueNs = timers.nanosToNextDue(System.nanoTime());
        if (dueNs > 0)
        {
            waitPoint.sleep(Math.min(timeoutNs, dueNs));
        }
        else
        {
            waitPoint.cancelSleep(); // due now: the next duty cycle does it
        }
    }
}
