package io.pvnet.ring;

import org.agrona.concurrent.AtomicBuffer;

/**
 * A Xen {@code ring.h} shared ring over an Agrona buffer: the geometry (layout, entry length, slot count) and the
 * shared header, from which the two private views are made: {@link #frontRing()} (requests out, responses in; the
 * netfront side) and {@link #backRing()} (requests in, responses out; the backend side). Layout:
 * {@link SharedRingDescriptor}.
 * <p>
 * Slots are read and written in place by flyweights at {@code (buffer(), offset)} where the offset comes from
 * {@link FrontRing#claimRequest()}, {@link BackRing#requestOffset(int)} and so on.
 * <p>
 * <b>Threads.</b> This object is immutable apart from {@link #init()}, which the front calls once before it shares
 * the ring. Each view is single-threaded: one thread (of any process mapping the buffer) drives the front view, one
 * the back view.
 */
public final class SharedRing
{
    private final AtomicBuffer buffer;
    private final int entryLength;
    private final RingLayout layout;
    private final int size;

    /**
     * A ring with the Xen-compatible layout.
     * @param buffer the shared memory, one or more pages; its whole capacity is used.
     * @param entryLength bytes per slot: the larger of the request and response structs.
     */
    public SharedRing(final AtomicBuffer buffer, final int entryLength)
    {
        this(buffer, entryLength, RingLayout.XEN);
    }

    /**
     * A ring over {@code buffer} with the given layout; the front calls {@link #init()} once before it shares the ring.
     * @param buffer      the shared memory, one or more pages; its whole capacity is used.
     * @param entryLength bytes per slot: the larger of the request and response structs.
     * @param layout      where the indices sit.
     * @throws IllegalArgumentException when the buffer cannot hold one slot.
     */
    public SharedRing(final AtomicBuffer buffer, final int entryLength, final RingLayout layout)
    {
        SharedRingDescriptor.checkCapacity(buffer, entryLength, layout);
        this.buffer = buffer;
        this.entryLength = entryLength;
        this.layout = layout;
        this.size = SharedRingDescriptor.slotCount(buffer.capacity(), entryLength, layout);
    }

    /**
     * {@code SHARED_RING_INIT}: zeroes the header and sets {@code req_event = rsp_event = 1}. The front calls it once,
     * before it tells the back where the ring is.
     */
    public void init()
    {
        buffer.setMemory(0, layout.headerLength, (byte)0);
        buffer.putInt(layout.reqEventOffset, 1);
        buffer.putInt(layout.rspEventOffset, 1);
        // release: a back that reads req_prod with acquire after learning of the ring sees the whole header
        buffer.putIntRelease(layout.reqProdOffset, 0);
    }

    /** {@return a new front view with private indices at 0 ({@code FRONT_RING_INIT})} */
    public FrontRing frontRing()
    {
        return new FrontRing(this);
    }

    /** {@return a new back view with private indices at 0 ({@code BACK_RING_INIT})} */
    public BackRing backRing()
    {
        return new BackRing(this);
    }

    /** {@return the number of slots, a power of two ({@code RING_SIZE})} */
    public int size()
    {
        return size;
    }

    /** {@return bytes per slot (the larger of a request and a response)} */
    public int entryLength()
    {
        return entryLength;
    }

    /** {@return where the ring header puts its indices} */
    public RingLayout layout()
    {
        return layout;
    }

    /** {@return the shared memory; slot contents are read and written in place here} */
    public AtomicBuffer buffer()
    {
        return buffer;
    }

    /**
     * {@return byte offset in {@link #buffer()} of the slot that free-running {@code index} maps to}
     * @param index a free-running request or response index.
     */
    public int slotOffset(final int index)
    {
        return layout.headerLength + (index & (size - 1)) * entryLength;
    }

    /** {@return shared req_prod, acquire load} */
    public int requestProducer()
    {
        return buffer.getIntAcquire(layout.reqProdOffset);
    }

    /** {@return shared req_event, acquire load} */
    public int requestEvent()
    {
        return buffer.getIntAcquire(layout.reqEventOffset);
    }

    /** {@return shared rsp_prod, acquire load} */
    public int responseProducer()
    {
        return buffer.getIntAcquire(layout.rspProdOffset);
    }

    /** {@return shared rsp_event, acquire load} */
    public int responseEvent()
    {
        return buffer.getIntAcquire(layout.rspEventOffset);
    }

    /**
     * Xen's notify rule, {@code (u32)(new - event) < (u32)(new - old)}: true iff {@code old < event <= new} modulo 2^32,
     * i.e. the producer index just moved past the index the other side asked to be woken at.
     * @param oldProducer the producer index before the push.
     * @param newProducer the producer index after the push.
     * @param event the other side's event index (req_event or rsp_event).
     * @return true when the other side must be notified.
     */
    public static boolean needsNotify(final int oldProducer, final int newProducer, final int event)
    {
        return Integer.compareUnsigned(newProducer - event, newProducer - oldProducer) < 0;
    }

    @Override
    public String toString()
    {
        return "SharedRing{layout=" + layout + ", entryLength=" + entryLength + ", size=" + size + ", capacity="
            + buffer.capacity() + '}';
    }
}
