package io.pvnet.ring.event;

/**
 * A {@link WaitPoint} that wraps the one where the thread really sleeps: the announcement and its withdrawal go to the
 * wrapped wait point unchanged, and a subclass says what its {@link #sleep(long)} adds (a deadline, a time stamp).
 * <p>
 * Threading: as {@link WaitPoint}, the one waiting thread.
 */
public abstract class ForwardingWaitPoint implements WaitPoint
{
    /** Where the thread really sleeps. */
    protected final WaitPoint waitPoint;

    /**
     * Wraps {@code waitPoint}.
     *
     * @param waitPoint where the thread really sleeps.
     */
    protected ForwardingWaitPoint(final WaitPoint waitPoint)
    {
        this.waitPoint = waitPoint;
    }

    @Override
    public final void prepareToSleep()
    {
        waitPoint.prepareToSleep();
    }

    @Override
    public final void cancelSleep()
    {
        waitPoint.cancelSleep();
    }
}
