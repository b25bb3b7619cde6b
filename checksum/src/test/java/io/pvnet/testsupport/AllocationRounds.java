package io.pvnet.testsupport;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

/**
 * Test helper for "allocates nothing in steady state": runs a round again until one allocates less than a limit on
 * the calling thread. Until C2 has compiled a path, the interpreter and C1 allocate; a loaded machine compiles late,
 * so the bound is time (20 s), not a round count.
 */
public final class AllocationRounds
{
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(20);

    /** Rounds run, the last one included. */
    public int rounds;
    /** Bytes the last round allocated. */
    public long lastAllocated = Long.MAX_VALUE;

    /** Runs {@code round} until it allocates fewer than {@code limitBytes}, or the time bound passes. */
    public AllocationRounds runUntilBelow(final long limitBytes, final Runnable round)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long deadline = System.nanoTime() + DEADLINE_NS;
        while (lastAllocated >= limitBytes && System.nanoTime() - deadline < 0)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            round.run();
            lastAllocated = threads.getCurrentThreadAllocatedBytes() - before;
            rounds++;
        }
        return this;
    }
}
