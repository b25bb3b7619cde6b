package io.pvnet.ring;

import java.lang.invoke.VarHandle;

/**
 * The front view of a {@link SharedRing} (Xen {@code struct front_ring}): produces requests, consumes responses.
 * Private state: {@code req_prod_pvt} ({@link #requestProducer()}) and {@code rsp_cons} ({@link #responseConsumer()}).
 * <p>
 * Producing: {@link #claimRequest()} returns the offset of the next free slot (or {@link RingStatus#RING_FULL});
 * write the request there in place, then {@link #pushRequests()} or {@link #pushRequestsAndCheckNotify()} once per
 * batch. Consuming: {@link #unconsumedResponses()} (or {@link #finalCheckForResponses()} before going idle), read
 * each response at {@link #responseOffset(int)} of {@link #responseConsumer()} + i, then {@link #consumeResponses(int)}.
 * <p>
 * <b>Threads.</b> One thread at a time; the back view runs on another thread or process. Allocation-free; never throws
 * on the data path (bad indices from the back come back as {@link RingStatus#RESPONSE_PROD_OVERFLOW}).
 */
public final class FrontRing extends RingView
{
    private int requestProducer;
    private int responseConsumer;

    FrontRing(final SharedRing ring)
    {
        super(ring);
    }

    /**
     * {@code FRONT_RING_ATTACH}: starts both private indices at {@code index} (e.g. the shared req_prod on reconnect).
     * @param index the free-running index both req_prod_pvt and rsp_cons start at.
     */
    public void attach(final int index)
    {
        requestProducer = index;
        responseConsumer = index;
    }

    /** {@return {@code req_prod_pvt}: the index the next claimed request gets} */
    public int requestProducer()
    {
        return requestProducer;
    }

    /** {@return {@code rsp_cons}: the index of the next response to consume} */
    public int responseConsumer()
    {
        return responseConsumer;
    }

    /** {@return {@code RING_FREE_REQUESTS}: {@code size - (req_prod_pvt - rsp_cons)}} */
    public int freeRequests()
    {
        return size - (requestProducer - responseConsumer);
    }

    /** {@return {@code RING_FULL}} */
    public boolean isFull()
    {
        return freeRequests() == 0;
    }

    /**
     * {@code RING_GET_REQUEST(r, r->req_prod_pvt++)} with the full check: claims the next request slot.
     *
     * @return the slot's byte offset in {@link #buffer()}, or {@link RingStatus#RING_FULL}.
     */
    public int claimRequest()
    {
        if (requestProducer - responseConsumer == size)
        {
            return RingStatus.RING_FULL;
        }
        final int offset = slotsOffset + (requestProducer & mask) * entryLength;
        requestProducer++;
        return offset;
    }

    /** {@code RING_PUSH_REQUESTS}: publishes every claimed request. */
    public void pushRequests()
    {
        // release (Xen's wmb): the slot contents written before are visible to a back that loads req_prod with acquire
        buffer.putIntRelease(reqProdOffset, requestProducer);
    }

    /**
     * {@code RING_PUSH_REQUESTS_AND_CHECK_NOTIFY}: publishes every claimed request.
     *
     * @return true when the back asked to be woken at an index this push moved past ({@code old < req_event <= new}),
     *         i.e. the caller must notify the event channel.
     */
    public boolean pushRequestsAndCheckNotify()
    {
        final int oldProducer = buffer.getInt(reqProdOffset); // only this thread writes req_prod
        final int newProducer = requestProducer;
        // release (wmb): slot contents before the index
        buffer.putIntRelease(reqProdOffset, newProducer);
        // full fence (mb), store->load: without it the req_event load may be satisfied before the req_prod store is
        // visible; a back doing its final check in between arms req_event, re-reads the old req_prod, and sleeps,
        // while we read the old req_event and do not notify: both sides sleep with a request in the ring.
        VarHandle.fullFence();
        return SharedRing.needsNotify(oldProducer, newProducer, buffer.getInt(reqEventOffset));
    }

    /**
     * {@code RING_HAS_UNCONSUMED_RESPONSES}, checked against what is outstanding.
     *
     * @return responses published and not yet consumed, or {@link RingStatus#RESPONSE_PROD_OVERFLOW} when rsp_prod
     *         claims more responses than requests outstanding (a broken back; nothing to consume).
     */
    public int unconsumedResponses()
    {
        // acquire (Xen's rmb after reading rsp_prod): the response slots are read after the index that covers them
        final int available = buffer.getIntAcquire(rspProdOffset) - responseConsumer;
        if (Integer.compareUnsigned(available, requestProducer - responseConsumer) > 0)
        {
            return RingStatus.RESPONSE_PROD_OVERFLOW;
        }
        return available;
    }

    /**
     * {@code RING_FINAL_CHECK_FOR_RESPONSES}: when nothing is pending, arms {@code rsp_event = rsp_cons + 1} and
     * checks again, so a response pushed meanwhile is either seen now or notified.
     *
     * @return as {@link #unconsumedResponses()}; 0 means the back will notify for the next response.
     */
    public int finalCheckForResponses()
    {
        final int available = unconsumedResponses();
        if (available != 0)
        {
            return available;
        }
        buffer.putInt(rspEventOffset, responseConsumer + 1);
        // full fence (mb), store->load: the event store must be visible before rsp_prod is re-read; otherwise a back
        // pushing in between reads the old rsp_event (no notify) while we read the old rsp_prod (nothing to do): a
        // lost wake-up.
        VarHandle.fullFence();
        return unconsumedResponses();
    }

    /**
     * Sets rsp_event directly, for batching (for example {@code rsp_cons + outstanding / 2}). Pair it with
     * {@link #finalCheckForResponses()}-style re-checking if a wake-up must not be lost.
     * @param event the free-running response index at which the back should notify.
     */
    public void setResponseEvent(final int event)
    {
        buffer.putIntRelease(rspEventOffset, event);
    }

    /** Marks the next response consumed ({@code rsp_cons++}). */
    public void consumeResponse()
    {
        responseConsumer++;
    }

    /**
     * Marks {@code count} responses consumed; their slots are free for new requests.
     * @param count how many responses were consumed.
     */
    public void consumeResponses(final int count)
    {
        responseConsumer += count;
    }

    /**
     * Xen's {@code RING_RESPONSE_PROD_OVERFLOW(r, prod)}: {@code (prod - rsp_cons) > size}.
     * @param producer the back's rsp_prod as read from the shared ring.
     * @return true when {@code producer} claims more responses than there are requests outstanding (the back is broken
     *     or hostile).
     */
    public boolean responseProducerOverflow(final int producer)
    {
        return Integer.compareUnsigned(producer - responseConsumer, size) > 0;
    }

    @Override
    public String toString()
    {
        return "FrontRing{req_prod_pvt=" + Integer.toUnsignedString(requestProducer) + ", rsp_cons="
            + Integer.toUnsignedString(responseConsumer) + ", size=" + size + '}';
    }
}
