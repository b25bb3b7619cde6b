package io.pvnet.ring;

import org.agrona.MutableDirectBuffer;

import java.lang.invoke.VarHandle;

/**
 * The back view of a {@link SharedRing} (Xen {@code struct back_ring}): consumes requests, produces responses.
 * Private state: {@code req_cons} ({@link #requestConsumer()}) and {@code rsp_prod_pvt} ({@link #responseProducer()}).
 * <p>
 * Consuming: {@link #unconsumedRequests()} (or {@link #finalCheckForRequests()} before going idle) returns how many
 * requests may be read, already capped against a hostile req_prod; read each at {@link #requestOffset(int)} of
 * {@link #requestConsumer()} + i (better: snapshot it once with {@link #copyRequest}, as {@code RING_COPY_REQUEST},
 * because the front can rewrite the slot meanwhile), then {@link #consumeRequests(int)}. Answering:
 * {@link #claimResponse()} returns the offset of the slot of the oldest unanswered request; write the response in
 * place, then {@link #pushResponses()} or {@link #pushResponsesAndCheckNotify()}.
 * <p>
 * <b>Threads.</b> One thread at a time; the front runs on another thread or process. Allocation-free; never throws on
 * the data path (a bad req_prod comes back as {@link RingStatus#REQUEST_PROD_OVERFLOW}).
 */
public final class BackRing extends RingView
{
    private int requestConsumer;
    private int responseProducer;

    BackRing(final SharedRing ring)
    {
        super(ring);
    }

    /**
     * {@code BACK_RING_ATTACH}: starts both private indices at {@code index} (e.g. the shared rsp_prod on reconnect).
     * @param index the free-running index both req_cons and rsp_prod_pvt start at.
     */
    public void attach(final int index)
    {
        requestConsumer = index;
        responseProducer = index;
    }

    /** {@return {@code req_cons}: the index of the next request to consume} */
    public int requestConsumer()
    {
        return requestConsumer;
    }

    /** {@return {@code rsp_prod_pvt}: the index the next claimed response gets} */
    public int responseProducer()
    {
        return responseProducer;
    }

    /**
     * {@code RING_HAS_UNCONSUMED_REQUESTS} after Xen's {@code RING_REQUEST_PROD_OVERFLOW} check:
     * {@code min(req_prod - req_cons, size - (req_cons - rsp_prod_pvt))}, so a hostile req_prod can make this side
     * consume at most the slots it still owes answers for.
     *
     * @return requests that may be consumed now, or {@link RingStatus#REQUEST_PROD_OVERFLOW} when req_prod lies outside
     *         {@code [req_cons, rsp_prod_pvt + size]} (a broken or hostile front).
     */
    public int unconsumedRequests()
    {
        // acquire (Xen's rmb after reading req_prod): request slots are read after the index that covers them
        final int producer = buffer.getIntAcquire(reqProdOffset);
        final int requests = producer - requestConsumer;
        if (Integer.compareUnsigned(producer - responseProducer, size) > 0 || requests < 0)
        {
            return RingStatus.REQUEST_PROD_OVERFLOW;
        }
        final int room = size - (requestConsumer - responseProducer);
        return Math.min(requests, room);
    }

    /**
     * {@code RING_FINAL_CHECK_FOR_REQUESTS}: when nothing is pending, arms {@code req_event = req_cons + 1} and checks
     * again, so a request pushed meanwhile is either seen now or notified.
     *
     * @return as {@link #unconsumedRequests()}; 0 means the front will notify for the next request.
     */
    public int finalCheckForRequests()
    {
        final int available = unconsumedRequests();
        if (available != 0)
        {
            return available;
        }
        buffer.putInt(reqEventOffset, requestConsumer + 1);
        // full fence (mb), store->load: the event store must be visible before req_prod is re-read; otherwise a front
        // pushing in between reads the old req_event (no notify) while we read the old req_prod (nothing to do): a
        // lost wake-up.
        VarHandle.fullFence();
        return unconsumedRequests();
    }

    /**
     * Sets req_event directly, for batching (for example {@code req_cons + 32}).
     * @param event the free-running request index at which the front should notify.
     */
    public void setRequestEvent(final int event)
    {
        buffer.putIntRelease(reqEventOffset, event);
    }

    /**
     * {@code RING_COPY_REQUEST}: copies request {@code index} to private memory, so later checks and uses all see one
     * snapshot even if the front rewrites the slot (no double fetch).
     *
     * @param index the free-running index of the request to copy.
     * @param destination private memory that receives the slot's bytes.
     * @param destinationOffset where in {@code destination} the copy starts.
     * @return the number of bytes copied (the entry length), or 0 when {@code destination} has no room there.
     */
    public int copyRequest(final int index, final MutableDirectBuffer destination, final int destinationOffset)
    {
        if (destinationOffset < 0 || destinationOffset > destination.capacity() - entryLength)
        {
            return 0;
        }
        destination.putBytes(destinationOffset, buffer, slotsOffset + (index & mask) * entryLength, entryLength);
        return entryLength;
    }

    /** Marks the next request consumed ({@code req_cons++}). */
    public void consumeRequest()
    {
        requestConsumer++;
    }

    /**
     * Marks {@code count} requests consumed; {@code count} must not exceed what {@link #unconsumedRequests()} returned.
     * @param count how many requests were consumed.
     */
    public void consumeRequests(final int count)
    {
        requestConsumer += count;
    }

    /**
     * {@code RING_GET_RESPONSE(r, r->rsp_prod_pvt++)}: claims the slot of the oldest consumed, unanswered request.
     *
     * @return the slot's byte offset in {@link #buffer()}, or {@link RingStatus#NOTHING_TO_ANSWER}.
     */
    public int claimResponse()
    {
        if (responseProducer == requestConsumer)
        {
            return RingStatus.NOTHING_TO_ANSWER;
        }
        final int offset = slotsOffset + (responseProducer & mask) * entryLength;
        responseProducer++;
        return offset;
    }

    /** {@code RING_PUSH_RESPONSES}: publishes every claimed response. */
    public void pushResponses()
    {
        // release (wmb): response contents before the index that makes them visible
        buffer.putIntRelease(rspProdOffset, responseProducer);
    }

    /**
     * {@code RING_PUSH_RESPONSES_AND_CHECK_NOTIFY}.
     *
     * @return true when the front asked to be woken at an index this push moved past ({@code old < rsp_event <= new}).
     */
    public boolean pushResponsesAndCheckNotify()
    {
        final int oldProducer = buffer.getInt(rspProdOffset); // only this thread writes rsp_prod
        final int newProducer = responseProducer;
        // release (wmb): response contents before the index
        buffer.putIntRelease(rspProdOffset, newProducer);
        // full fence (mb), store->load: the rsp_event load must not be satisfied before the rsp_prod store is visible,
        // or a front arming rsp_event in its final check and this push can both miss each other and both sleep.
        VarHandle.fullFence();
        return SharedRing.needsNotify(oldProducer, newProducer, buffer.getInt(rspEventOffset));
    }

    /**
     * Xen's {@code RING_REQUEST_CONS_OVERFLOW(r, cons)}: {@code (cons - rsp_prod_pvt) >= size}; a consume loop's stop.
     * @param consumer the back's request consumer index being advanced.
     * @return true when {@code consumer} has caught up with the responses not yet pushed: stop consuming.
     */
    public boolean requestConsumerOverflow(final int consumer)
    {
        return Integer.compareUnsigned(consumer - responseProducer, size) >= 0;
    }

    /**
     * Xen's {@code RING_REQUEST_PROD_OVERFLOW(r, prod)}: {@code (prod - rsp_prod_pvt) > size}; a broken front.
     * @param producer the front's req_prod as read from the shared ring.
     * @return true when {@code producer} claims more requests than the ring holds (the front is broken or hostile).
     */
    public boolean requestProducerOverflow(final int producer)
    {
        return Integer.compareUnsigned(producer - responseProducer, size) > 0;
    }

    @Override
    public String toString()
    {
        return "BackRing{req_cons=" + Integer.toUnsignedString(requestConsumer) + ", rsp_prod_pvt="
            + Integer.toUnsignedString(responseProducer) + ", size=" + size + '}';
    }
}
