package io.pvnet.engine.xnb;

import io.pvnet.engine.vif.QueueCounters;
import io.pvnet.engine.vif.VifCounters;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * One duty cycle's counts by {@link VifCounters} kind, kept in plain fields by the thread that counts them and added
 * to the shared counters once per duty cycle ({@link #flushTo}). A bit per kind records which kinds moved, so a flush
 * visits only those, also for a queue's own counters ({@link QueueCounters}) and with atomic adds: a duty cycle that
 * moved one frame adds four counters instead of passing over all {@value VifCounters#KIND_COUNT} kinds (the pass cost
 * more than the frame's own counting when cycles are short, as in a UDP echo).
 * <p>
 * Threading: one thread, the one serving the queue or vif that owns it. What other threads count for a vif (an
 * exception contained on a queue's thread) goes straight to the shared counters with an atomic add
 * ({@code XnbVif.containException}), never through here.
 */
final class PendingCounts
{
    static
    {
        if (VifCounters.KIND_COUNT > Long.SIZE)
        {
            // one bit per kind in a long: more kinds need a second word here
            throw new ExceptionInInitializerError("VifCounters.KIND_COUNT=" + VifCounters.KIND_COUNT + " exceeds 64");
        }
    }

    private final long[] values = new long[VifCounters.KIND_COUNT];
    /** Bit {@code k} set: kind {@code k} moved since the last flush. */
    private long moved;

    /** Counts one of {@code kind}. */
    void increment(final int kind)
    {
        values[kind]++;
        moved |= 1L << kind;
    }

    /** Counts {@code delta} of {@code kind} ({@code delta} >= 0). */
    void add(final int kind, final long delta)
    {
        values[kind] += delta;
        moved |= 1L << kind;
    }

    /**
     * Adds the kinds that moved to {@code counters} (a plain single-writer add, or an atomic add when {@code atomic}:
     * several threads serve the vif) and to {@code queueCounters} when not null (its drop reasons summed into one
     * add), then clears them.
     *
     * @return how many kinds it visited: those that moved since the last flush.
     */
    int flushTo(final VifCounters counters, final boolean atomic, final QueueCounters queueCounters)
    {
        long bits = moved;
        if (bits == 0)
        {
            return 0;
        }
        moved = 0;
        final int visited = Long.bitCount(bits);
        long drops = 0;
        while (bits != 0)
        {
            final int kind = Long.numberOfTrailingZeros(bits);
            bits &= bits - 1;
            final long value = values[kind];
            values[kind] = 0;
            if (value == 0)
            {
                continue;
            }
            if (queueCounters != null)
            {
                if (kind >= VifCounters.DROP_BASE && kind < VifCounters.DROP_END)
                {
                    drops += value;
                }
                else
                {
                    queueCounters.add(kind, value);
                }
            }
            final AtomicCounter counter = counters.counter(kind);
            if (counter != null)
            {
                if (atomic)
                {
                    counter.getAndAdd(value);
                }
                else
                {
                    counters.add(kind, value);
                }
            }
        }
        if (drops != 0)
        {
            queueCounters.add(QueueCounters.DROPS, drops);
        }
        return visited;
    }
}
