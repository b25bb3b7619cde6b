package io.pvnet.perf.bench;

import java.util.function.LongSupplier;

/**
 * Before a measured round trip of the {@code wake} bench: lets the threads that became runnable on the sender's CPU
 * together with it run first, so that the round trip does not start behind them. The sender wakes from its 2 ms gap
 * on a timer, and the kernel fires with it every timer whose slack window covers the same instant (Linux's default
 * timer slack is 50 µs): other processes' and the JVM's own periodic threads ({@code G1 Service}, {@code Monitor
 * Deflation}, the sandbox's helpers) were woken on the same vCPU in the same interrupt (perf sched,
 * perf/README.md). The backend thread the guest's kick wakes is placed on the kicking vCPU (this VM's kernel packs
 * wake-ups onto a busy vCPU rather than wake a halted one), behind them: a round trip that waited a third party's turn.
 * That coupling of the bench's pacing timer to unrelated timers is the bench's, not the path's; a settle removes it.
 * <p>
 * The settle yields until a yield comes back at once ({@link #QUIET_YIELD_NS}: nothing else was runnable on this CPU)
 * or {@link #LIMIT_NS} passed. An uncontended {@code sched_yield} takes about 1 µs; one that ran another thread at
 * least two context switches and that thread's turn.
 * <p>
 * Threading: the sender's thread. Allocation-free.
 */
final class CpuSettle
{
    /** A yield that returns within this (ns) ran no other thread. */
    static final long QUIET_YIELD_NS = 4_000;
    /** The longest settle (ns): a kernel thread's turn can last milliseconds. */
    static final long LIMIT_NS = 10_000_000;

    private final LongSupplier clock;
    private final Runnable yielder;
    private long deferred;

    /** A settle with {@link System#nanoTime()} and {@link Thread#yield()}. */
    CpuSettle()
    {
        this(System::nanoTime, Thread::yield);
    }

    /**
     * @param clock   nanosecond clock, as {@link System#nanoTime()}.
     * @param yielder gives the CPU to any other runnable thread, as {@link Thread#yield()}.
     */
    CpuSettle(final LongSupplier clock, final Runnable yielder)
    {
        this.clock = clock;
        this.yielder = yielder;
    }

    /**
     * Yields until no other thread was waiting for this CPU, at most {@link #LIMIT_NS}.
     *
     * @return whether another thread had the CPU meanwhile (the round trip would have started behind it).
     */
    boolean settle()
    {
        final long start = clock.getAsLong();
        long before = start;
        boolean yielded = false;
        while (true)
        {
            yielder.run();
            final long after = clock.getAsLong();
            if (after - before < QUIET_YIELD_NS || after - start >= LIMIT_NS)
            {
                break;
            }
            yielded = true;
            before = after;
        }
        if (yielded)
        {
            deferred++;
        }
        return yielded;
    }

    /** {@return settles in which another thread had the CPU first} */
    long deferred()
    {
        return deferred;
    }
}
