package io.pvnet.ring;

import org.agrona.concurrent.AtomicBuffer;

/**
 * What the two views of a {@link SharedRing} share: the ring's geometry, read once from its {@link RingLayout} so that
 * every index-to-slot computation and every shared-index access reads final fields of the view itself. The private
 * indices and the operations are the views' own ({@link FrontRing}, {@link BackRing}), as in Xen's {@code ring.h}.
 * <p>
 * Immutable; the threading contract is the view's.
 */
public abstract sealed class RingView permits FrontRing, BackRing
{
    final SharedRing ring;
    final AtomicBuffer buffer;
    final int size;
    final int mask;
    final int entryLength;
    final int slotsOffset;
    final int reqProdOffset;
    final int reqEventOffset;
    final int rspProdOffset;
    final int rspEventOffset;

    RingView(final SharedRing ring)
    {
        final RingLayout layout = ring.layout();
        this.ring = ring;
        this.buffer = ring.buffer();
        this.size = ring.size();
        this.mask = size - 1;
        this.entryLength = ring.entryLength();
        this.slotsOffset = layout.headerLength;
        this.reqProdOffset = layout.reqProdOffset;
        this.reqEventOffset = layout.reqEventOffset;
        this.rspProdOffset = layout.rspProdOffset;
        this.rspEventOffset = layout.rspEventOffset;
    }

    /** {@return the ring this view belongs to} */
    public final SharedRing ring()
    {
        return ring;
    }

    /** {@return the shared memory slots live in} */
    public final AtomicBuffer buffer()
    {
        return buffer;
    }

    /** {@return {@code RING_SIZE}} */
    public final int size()
    {
        return size;
    }

    /**
     * {@return byte offset in {@link #buffer()} of request {@code index}}
     * @param index a free-running request index.
     */
    public final int requestOffset(final int index)
    {
        return slotsOffset + (index & mask) * entryLength;
    }

    /**
     * {@return byte offset in {@link #buffer()} of response {@code index} (the same slot as its request)}
     * @param index a free-running response index.
     */
    public final int responseOffset(final int index)
    {
        return slotsOffset + (index & mask) * entryLength;
    }
}
