package io.pvnet.ring.event;

/**
 * Where one thread sleeps until a peer notifies it, with the check-then-sleep race closed by the protocol of
 * {@code kernel/futex/waitwake.c}: the waiter announces that it is about to sleep ({@link #prepareToSleep()}), then
 * re-checks its work (the rings' {@code RING_FINAL_CHECK_FOR_*}), and only then sleeps ({@link #sleep(long)}); a
 * notifier publishes its work, then checks the announcement and wakes the waiter only if it announced. Both sides
 * order store before load with a full fence, so one of them always sees the other, and the kernel's compare of the
 * event word closes the window between the re-check and the sleep itself.
 * <pre>
 *  waiter                                     notifier
 *    work = doWork()  -> 0                      publish ring slots; release store of the producer index
 *    prepareToSleep() (store, full fence)      event word += 1 (atomic, full fence)
 *    work = doWork()  -> final check            if (announced) wake (syscall only now)
 *    if work == 0: sleep(timeoutNs)  else cancelSleep()
 * </pre>
 * Threading: all three methods belong to the one waiting thread.
 */
public interface WaitPoint
{
    /** Announces that the caller is about to sleep; it must re-check its work before {@link #sleep(long)}. */
    void prepareToSleep();

    /** Withdraws the announcement (the re-check found work). */
    void cancelSleep();

    /**
     * Sleeps until notified since {@link #prepareToSleep()}, the timeout expires, or a spurious return; withdraws the
     * announcement. The caller re-checks its work after any return.
     *
     * @param timeoutNs longest sleep.
     */
    void sleep(long timeoutNs);
}
