package io.pvnet.ring.event;

import java.util.function.LongSupplier;

/**
 * Bounds the notifier's yield after a wake-up ({@link EventChannel#YIELD_AFTER_WAKE}) to one per thread per
 * {@link #MIN_GAP_NS}: a switch thread whose duty cycle wakes N sleeping guests (one notify per vif queue) yields once,
 * not N times in the middle of its cycle, while a guest that kicks the backend and then polls for the answer (one
 * wake-up, then nothing for far longer than the gap) still yields at once. The gap is measured from the end of the
 * last yield, so the wake-ups that follow a yield that ran the woken peer (tens of µs) do not yield again either.
 * <p>
 * Threading: thread-confined; {@link #forCurrentThread()} gives each notifying thread its own (a {@link ThreadLocal}
 * looked up only on the wake-up path, after the wake syscall; allocation on a thread's first wake-up only). The clock
 * is read only on the wake-up path: a notification that wakes nobody never reaches this class.
 */
final class WakeYieldLimiter
{
    /**
     * Shortest time (ns) from the end of one yield after a wake-up to the next on the same thread:
     * {@code -Dpvnet.idle.yield.after.wake.gap.us} (µs), 50 unless set (0: yield after every wake-up). Longer than a
     * duty cycle's notifications, far shorter than a sporadic peer's gap between requests.
     */
    static final long MIN_GAP_NS = IdleProperties.nonNegativeLong("pvnet.idle.yield.after.wake.gap.us", 50) * 1_000;

    private static final ThreadLocal<WakeYieldLimiter> PER_THREAD =
        ThreadLocal.withInitial(() -> new WakeYieldLimiter(MIN_GAP_NS, System::nanoTime, Thread::yield));

    private final long minGapNs;
    private final LongSupplier clock;
    private final Runnable yielder;
    private boolean yielded;
    private long lastYieldEndNs;
    private long yields;
    private long skipped;

    /**
     * A limiter with its clock and yield given (tests drive both; production uses {@link #forCurrentThread()}).
     *
     * @param minGapNs shortest gap between the end of one yield and the next.
     * @param clock nanosecond clock, as {@link System#nanoTime()}.
     * @param yielder gives the CPU away, as {@link Thread#yield()}.
     */
    WakeYieldLimiter(final long minGapNs, final LongSupplier clock, final Runnable yielder)
    {
        if (minGapNs < 0)
        {
            throw new IllegalArgumentException("minGapNs=" + minGapNs + " must be >= 0");
        }
        this.minGapNs = minGapNs;
        this.clock = clock;
        this.yielder = yielder;
    }

    /** {@return the calling thread's limiter (created on its first wake-up)} */
    static WakeYieldLimiter forCurrentThread()
    {
        return PER_THREAD.get();
    }

    /**
     * Called after a notification woke a sleeping peer: yields unless this thread yielded less than the gap ago.
     *
     * @return whether it yielded.
     */
    boolean afterWake()
    {
        if (yielded && clock.getAsLong() - lastYieldEndNs < minGapNs)
        {
            skipped++;
            return false;
        }
        yielder.run();
        yields++;
        yielded = true;
        lastYieldEndNs = clock.getAsLong();
        return true;
    }

    /** {@return yields made (this limiter's thread)} */
    long yields()
    {
        return yields;
    }

    /** {@return wake-ups that did not yield because one had just yielded (this limiter's thread)} */
    long skipped()
    {
        return skipped;
    }
}
