package io.pvnet.engine.xnb;

import io.pvnet.engine.vif.QueueCounters;
import io.pvnet.engine.vif.VifCounters;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * One duty cycle's counts by {@link VifCounters} kind, kept in plain fields by the thread that counts them and added
 * to the shared counters once per duty cycle ({@link #flushTo}). A bit per kind records which kinds moved, so a flush
 * visits only those: a duty cycle that moved one frame adds four counters instead of passing over all
 * {@value VifCounters#KIND_COUNT} kinds twice (the pass cost more than the frame's own counting when cycles are short,
 * as in a UDP echo).
 * <p>
 * Threading: the thread serving the queue or vif that owns it; with queues on threads of their own, a queue's thread
 * may also count into its vif's on a fatal error (a race the {@code long[]} this replaced had too), which is why an
 * atomic flush visits every kind.
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

    /** @return the count of {@code kind} since the last flush. */
    long get(final int kind)
    {
        return values[kind];
    }

    /** @return whether nothing was counted since the last flush. */
    boolean isEmpty()
    {
        return moved == 0;
    }

    /** Every kind's bit. */
    private static final long ALL_KINDS = VifCounters.KIND_COUNT == Long.SIZE ? -1L : (1L << VifCounters.KIND_COUNT) - 1;

    /**
     * Adds the kinds that moved to {@code counters} (a plain single-writer add, or an atomic add when {@code atomic}:
     * several threads serve the vif) and to {@code queueCounters} when not null, then clears them. With {@code atomic}
     * every kind is visited, as before the bits: the vif's own counts may then be bumped by a queue's thread (a fatal
     * error disabling the vif) while the vif's thread flushes, and a bit set in between would be lost, its count left
     * until that kind moved again.
     */
    void flushTo(final VifCounters counters, final boolean atomic, final QueueCounters queueCounters)
    {
        long bits = atomic ? ALL_KINDS : moved;
        if (bits == 0)
        {
            return;
        }
        if (queueCounters != null)
        {
            queueCounters.add(values);
        }
        moved = 0;
        while (bits != 0)
        {
            final int kind = Long.numberOfTrailingZeros(bits);
            bits &= bits - 1;
            final long value = values[kind];
            values[kind] = 0;
            if (value != 0)
            {
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
        }
    }
}
