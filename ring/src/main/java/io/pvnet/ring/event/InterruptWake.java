package io.pvnet.ring.event;

import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.spi.AbstractInterruptibleChannel;
import java.util.concurrent.locks.LockSupport;

/**
 * Ends a kernel sleep that Java cannot interrupt (a {@code FUTEX_WAIT}, an {@code epoll_pwait}) when its thread is
 * interrupted, through the JDK's own hook for blocking I/O: a blocking operation between an interruptible channel's
 * {@code begin()} and {@code end()} is ended by {@code Thread.interrupt()}, which closes that channel; closing this one
 * runs the wait point's {@code wake} (a bumped futex word and {@code FUTEX_WAKE}, or an eventfd write) on the
 * interrupting thread. So a sleep needs no time slices to see an interrupt, and an idle thread sleeps as long as its
 * timers allow: on this VM a thread woken after a second asleep spends 0.1-1 ms of CPU, so 1 s slices alone cost an
 * idle process about 0.1 % of a core per sleeping thread.
 * <pre>
 *  sleeper:  enter()  -> [interrupt flag already set? wake at once]  -> FUTEX_WAIT(word, expected)  -> exit()
 *  other:    thread.interrupt()  -> channel closed  -> wake: word++ (the wait cannot start), FUTEX_WAKE (it ends)
 * </pre>
 * The wake must change what the sleep compares (the futex word) or be counted (an eventfd), so that an interrupt
 * between {@link #enter()} and the syscall is not lost. A thread already interrupted does not sleep at all
 * ({@link #enter()} says so). A closed channel stays closed: the next sleep after an interrupt makes a new one (an
 * allocation per interrupt, none per sleep).
 * <pre>
 *  if (interruptWake.enter()) { try { syscall } finally { interruptWake.exit(); } }
 * </pre>
 * <p>
 * Threading: {@link #enter()} and {@link #exit()} on the one sleeping thread; {@code wake} runs on the interrupting
 * thread and must be quick and safe from any thread.
 */
final class InterruptWake
{
    private final Runnable wake;
    private Hook hook;

    /**
     * @param wake ends the sleep from another thread; it must make a sleep that has not begun yet return at once.
     */
    InterruptWake(final Runnable wake)
    {
        this.wake = wake;
    }

    /**
     * {@link Futex#sleep} on the word at {@code address} while it holds {@code expected}, ended by an interrupt of the
     * thread too (an interrupted thread does not sleep); where futexes are missing, a park of at most 50 us (the
     * caller re-checks and sleeps again). The one futex sleep of {@link EventSelector} and {@link EventChannel}.
     *
     * @param waiter the calling thread's buffers.
     * @param address native address of the futex word.
     * @param expected the value the word must hold for the thread to sleep.
     * @param timeoutNs the longest sleep in nanoseconds.
     */
    void sleepOnWord(final Futex.Waiter waiter, final long address, final int expected, final long timeoutNs)
    {
        if (!Futex.isAvailable())
        {
            LockSupport.parkNanos(Math.min(timeoutNs, 50_000));
        }
        else if (enter())
        {
            try
            {
                Futex.sleep(waiter, address, expected, timeoutNs);
            }
            finally
            {
                exit();
            }
        }
    }

    /**
     * Before the kernel sleep: from now on an interrupt of this thread runs {@code wake}.
     *
     * @return false when the thread is interrupted already: it must not sleep (and must not call {@link #exit()}).
     */
    boolean enter()
    {
        if (Thread.currentThread().isInterrupted())
        {
            return false;
        }
        if (hook == null || !hook.isOpen())
        {
            hook = new Hook(wake);
        }
        hook.enter(); // an interrupt since the check above runs the wake now: the sleep that follows returns at once
        return true;
    }

    /**
     * After the kernel sleep returned, however it returned (in a {@code finally}: an interrupt after it must not run
     * this sleep's wake); the thread's interrupt flag stays as it is.
     */
    void exit()
    {
        hook.exit();
    }

    /** The channel whose close, by an interrupt, is the wake-up. Nothing else closes it. */
    private static final class Hook extends AbstractInterruptibleChannel
    {
        private final Runnable wake;

        Hook(final Runnable wake)
        {
            this.wake = wake;
        }

        void enter()
        {
            begin();
        }

        void exit()
        {
            try
            {
                end(true);
            }
            catch (final AsynchronousCloseException interrupted)
            {
                // ClosedByInterruptException: this thread was interrupted while asleep; its flag says so to the caller
            }
        }

        @Override
        protected void implCloseChannel()
        {
            try
            {
                wake.run();
            }
            catch (final RuntimeException ex)
            {
                // on the interrupting thread, inside its Thread.interrupt(): nothing may escape there (the sleeper's
                // memory or descriptor may be gone; its thread ends or re-checks anyway)
            }
        }
    }
}
