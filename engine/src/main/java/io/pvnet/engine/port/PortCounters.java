package io.pvnet.engine.port;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters of one port: frames and bytes each way and drops per {@link PortDropReason}, split by direction. The
 * {@code rx} side (frames the port took from its device and handed to the switch) has one writer, the port's receive
 * agent; the {@code tx} side (frames the switch gave the port) has one writer, the bridge thread. Writers publish with
 * release stores ({@link AtomicLongArray#lazySet}), readers on any thread read with {@link #get}.
 * <p>
 * Invariant the tests check: every frame given to the port is either sent or dropped once,
 * {@code txOffered = txFrames + sum(txDrops)}.
 */
public final class PortCounters
{
    /** Index of the frames-received counter. */
    public static final int RX_FRAMES = 0;
    /** Index of the bytes-received counter. */
    public static final int RX_BYTES = 1;
    /** Index of the frames-sent counter. */
    public static final int TX_FRAMES = 2;
    /** Index of the bytes-sent counter. */
    public static final int TX_BYTES = 3;
    /** Frames handed to the port's {@code onFrame}, whatever became of them. */
    public static final int TX_OFFERED = 4;
    /** Frames the port's ingress sink refused (the switch counts why). */
    public static final int RX_REFUSED = 5;
    /** Read errors other than "nothing waiting". */
    public static final int RX_ERRORS = 6;
    /** First of the tx drop slots, one per {@link PortDropReason} code. */
    public static final int TX_DROP_BASE = 8;
    /** First of the rx drop slots, one per {@link PortDropReason} code. */
    public static final int RX_DROP_BASE = TX_DROP_BASE + PortDropReason.END - PortDropReason.FIRST;
    /** Slots in all. */
    public static final int COUNT = RX_DROP_BASE + PortDropReason.END - PortDropReason.FIRST;

    private final AtomicLongArray values = new AtomicLongArray(COUNT);

    /** Counters of a new port, all zero. */
    public PortCounters()
    {
    }

    /**
     * {@return the current value of a slot} Any thread.
     *
     * @param slot a slot index, {@code 0..COUNT-1} ({@link #RX_FRAMES}, ...).
     */
    public long get(final int slot)
    {
        return values.get(slot);
    }

    /**
     * Adds to a slot; only the slot's single writer calls this.
     *
     * @param slot  a slot index, {@code 0..COUNT-1}.
     * @param delta the amount added.
     */
    public void add(final int slot, final long delta)
    {
        // single writer: a plain read of its own value, a release store for readers on other threads
        values.setRelease(slot, values.getPlain(slot) + delta);
    }

    /**
     * Counts a tx frame sent: writer is the bridge thread.
     *
     * @param bytes the frame's length in bytes.
     */
    public void txSent(final int bytes)
    {
        add(TX_OFFERED, 1);
        add(TX_FRAMES, 1);
        add(TX_BYTES, bytes);
    }

    /**
     * Counts a tx frame dropped with {@code reason}: writer is the bridge thread.
     *
     * @param reason a {@link PortDropReason} code.
     */
    public void txDropped(final int reason)
    {
        add(TX_OFFERED, 1);
        add(TX_DROP_BASE + slotOf(reason), 1);
    }

    /**
     * Counts an rx drop with {@code reason}: writer is the rx side's one writer (the port's receive agent, or the
     * bridge or router thread for its view of the port).
     *
     * @param reason a {@link PortDropReason} code.
     */
    public void rxDropped(final int reason)
    {
        add(RX_DROP_BASE + slotOf(reason), 1);
    }

    /**
     * {@return tx drops counted for {@code reason}}
     *
     * @param reason a {@link PortDropReason} code.
     */
    public long txDrops(final int reason)
    {
        return get(TX_DROP_BASE + slotOf(reason));
    }

    /**
     * {@return rx drops counted for {@code reason}}
     *
     * @param reason a {@link PortDropReason} code.
     */
    public long rxDrops(final int reason)
    {
        return get(RX_DROP_BASE + slotOf(reason));
    }

    /** {@return all tx drops} */
    public long txDropsTotal()
    {
        long sum = 0;
        for (int i = TX_DROP_BASE; i < RX_DROP_BASE; i++)
        {
            sum += values.get(i);
        }
        return sum;
    }

    private static int slotOf(final int reason)
    {
        // unknown codes are counted as offload failures rather than lost
        return (reason >= PortDropReason.FIRST && reason < PortDropReason.END ? reason : PortDropReason.OFFLOAD_FAILED)
            - PortDropReason.FIRST;
    }
}
