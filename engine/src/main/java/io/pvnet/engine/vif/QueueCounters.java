package io.pvnet.engine.vif;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.nio.ByteOrder;

/**
 * The live counters of one queue of a multi-queue vif, beside the vif's totals ({@link VifCounters}): packets and bytes
 * each way, ring-full events, notifications sent and drops of every reason together. Type id {@link #TYPE_ID}, a
 * 16-byte key {@code (domid, handle, queue, kind)}, label {@code "vifD.H qN NAME"} with the vif's names, dom0's view
 * ({@code vif1.0 q1 rx-packets}: what queue 1 took from the guest). A single-queue vif has none (its totals say it all).
 * <p>
 * Threading: the queue's agent is the only writer ({@link #add} once per kind that moved in a duty cycle); readers
 * read any time.
 */
public final class QueueCounters implements AutoCloseable
{
    /** Counter type id of every per-queue counter. */
    public static final int TYPE_ID = 0x7603;
    /** Pseudo-kind of the per-queue counter that sums every drop reason. */
    public static final int DROPS = -1;
    /** The {@link VifCounters} kinds a queue counts by itself, then {@link #DROPS}. */
    public static final int[] KINDS = {
        VifCounters.TX_PACKETS, VifCounters.TX_BYTES, VifCounters.RX_PACKETS, VifCounters.RX_BYTES,
        VifCounters.RING_FULL, VifCounters.NOTIFY_SENT, DROPS};

    /** Index in {@link #KINDS} of each {@link VifCounters} kind a queue counts by itself, -1 for the others. */
    private static final int[] INDEX_OF_KIND = new int[VifCounters.KIND_COUNT];

    static
    {
        java.util.Arrays.fill(INDEX_OF_KIND, -1);
        for (int i = 0; i < KINDS.length - 1; i++)
        {
            INDEX_OF_KIND[KINDS[i]] = i;
        }
    }

    private final AtomicCounter[] counters = new AtomicCounter[KINDS.length];
    private final int queue;

    /**
     * Allocates the counters of queue {@code queue} of vif {@code domid.handle}. Configuration time only.
     *
     * @param manager where the counters are allocated.
     * @param domid   the guest's domain.
     * @param handle  the vif's handle.
     * @param queue   the queue.
     */
    public QueueCounters(final CountersManager manager, final int domid, final int handle, final int queue)
    {
        this.queue = queue;
        for (int i = 0; i < KINDS.length; i++)
        {
            final int kind = KINDS[i];
            counters[i] = manager.newCounter(label(domid, handle, queue, kind), TYPE_ID,
                key -> writeKey(key, domid, handle, queue, kind));
        }
    }

    /**
     * {@return the label of a per-queue counter}
     *
     * @param domid  the guest's domain.
     * @param handle the vif's handle.
     * @param queue  the queue.
     * @param kind   a {@link VifCounters} kind, or {@link #DROPS}.
     */
    public static String label(final int domid, final int handle, final int queue, final int kind)
    {
        return VifConfig.name(domid, handle) + " q" + queue + " " + (kind == DROPS ? "drops" : VifCounters.kindName(kind));
    }

    /**
     * Writes the 16-byte key of a per-queue counter.
     *
     * @param key    where the key is written.
     * @param domid  the guest's domain.
     * @param handle the vif's handle.
     * @param queue  the queue.
     * @param kind   a {@link VifCounters} kind, or {@link #DROPS}.
     */
    public static void writeKey(
        final MutableDirectBuffer key, final int domid, final int handle, final int queue, final int kind)
    {
        key.putInt(0, domid, ByteOrder.LITTLE_ENDIAN);
        key.putInt(4, handle, ByteOrder.LITTLE_ENDIAN);
        key.putInt(8, queue, ByteOrder.LITTLE_ENDIAN);
        key.putInt(12, kind, ByteOrder.LITTLE_ENDIAN);
    }

    /** {@return this queue's number} */
    public int queue()
    {
        return queue;
    }

    /**
     * Adds {@code delta} to this queue's counter of {@code kind}; a kind a queue does not count by itself is ignored.
     * Once per kind that moved in a duty cycle (drop reasons summed into one {@link #DROPS} add). Single writer.
     *
     * @param kind  a {@link VifCounters} kind, or {@link #DROPS}.
     * @param delta what to add, >= 0.
     */
    public void add(final int kind, final long delta)
    {
        final int index = kind == DROPS ? KINDS.length - 1 : kind >= 0 && kind < INDEX_OF_KIND.length ?
            INDEX_OF_KIND[kind] : -1;
        if (index >= 0 && delta != 0)
        {
            final AtomicCounter counter = counters[index];
            counter.setRelease(counter.getPlain() + delta);
        }
    }

    /**
     * {@return the value of {@link VifCounters} kind {@code kind} (or {@link #DROPS}) for this queue, 0 if not counted}
     *
     * @param kind a {@link VifCounters} kind, or {@link #DROPS}.
     */
    public long get(final int kind)
    {
        for (int i = 0; i < KINDS.length; i++)
        {
            if (KINDS[i] == kind)
            {
                return counters[i].get();
            }
        }
        return 0;
    }

    /** Frees the counters. */
    @Override
    public void close()
    {
        for (final AtomicCounter counter : counters)
        {
            counter.close();
        }
    }
}
