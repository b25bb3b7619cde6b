package io.pvnet.perf.latency;

import io.pvnet.ring.BackRing;
import io.pvnet.ring.FrontRing;
import io.pvnet.ring.RingLayout;
import io.pvnet.ring.RingStatus;
import io.pvnet.ring.SharedRing;
import io.pvnet.ring.SharedRingDescriptor;
import io.pvnet.ring.event.IdleMode;
import org.agrona.BufferUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import static io.pvnet.perf.latency.LatencySlotDescriptor.BYTE_ORDER;
import static io.pvnet.perf.latency.LatencySlotDescriptor.INTENDED_SEND_OFFSET;
import static io.pvnet.perf.latency.LatencySlotDescriptor.PICKED_UP_OFFSET;
import static io.pvnet.perf.latency.LatencySlotDescriptor.PUSHED_OFFSET;
import static io.pvnet.perf.latency.LatencySlotDescriptor.SEND_OFFSET;

/**
 * The {@code ring} latency path: the sender is the front of one {@link SharedRing} (Xen {@code ring.h} semantics); a
 * backend thread answers every request in its own slot, as a netback does; the sender consumes the responses.
 * <pre>
 *   sender --request (claim, write, push)--> shared ring --> backend thread (consume, answer in place, push)
 *   sender <--response (consume)------------ shared ring <--'
 * </pre>
 * Stages for {@code --breakdown}: {@code tx ring} (pushed by the front until the backend saw it), {@code backend}
 * (seen until the response is pushed; one clock read per batch on each side), {@code rx ring} (pushed until the
 * front consumed it). Both sides busy-spin, without PAUSE. Slots: {@link LatencySlotDescriptor}; the frame size does not apply.
 * <p>
 * Threading: {@link #offer} and {@link #poll} from the sender thread only; the backend thread is started by the
 * constructor and stopped by {@link #close()}. Neither side allocates.
 */
public final class RingLatencyPath implements LatencyPath
{
    /** 16 KiB of XEN layout with 32-byte slots: 256 slots, as many as a netif tx ring. */
    static final int RING_BYTES = 16 * 1024;
    private static final String[] STAGES = {"tx ring", "backend", "rx ring"};

    private final SharedRing ring;
    private final FrontRing front;
    private final AtomicBuffer buffer;
    private final long[] stamps = new long[2];
    private final Thread backendThread;
    private volatile boolean running = true;
    private volatile String backendError;
    private long protocolErrors;

    /**
     * @param layout the ring layout to time, {@link RingLayout#XEN} by default.
     */
    public RingLatencyPath(final RingLayout layout)
    {
        this(layout, IdleMode.NOOP);
    }

    /**
     * @param layout the ring layout to time.
     * @param idle   how the backend thread waits when no request is there; {@link IdleMode#NOOP} spins without PAUSE.
     */
    public RingLatencyPath(final RingLayout layout, final IdleMode idle)
    {
        final IdleStrategy idleStrategy = idle.newIdleStrategy();
        buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(RING_BYTES, SharedRingDescriptor.PAGE_SIZE));
        ring = new SharedRing(buffer, LatencySlotDescriptor.ENTRY_LENGTH, layout);
        ring.init();
        front = ring.frontRing();
        final BackRing back = ring.backRing();
        backendThread = Thread.ofPlatform().daemon().name("pvnet-latency-backend").start(() -> serve(back, idleStrategy));
    }

    /** The factory behind {@code --path ring}. */
    static LatencyPathFactory factory()
    {
        return new LatencyPathFactory()
        {
            @Override
            public String name()
            {
                return "ring";
            }

            @Override
            public String description()
            {
                return "front of a Xen-layout shared ring -> backend thread answers each request in place -> front";
            }

            @Override
            public LatencyPath open(final int frameBytes)
            {
                return new RingLatencyPath(RingLayout.XEN);
            }

            @Override
            public LatencyPath open(final int frameBytes, final IdleMode idle)
            {
                return new RingLatencyPath(RingLayout.XEN, idle);
            }
        };
    }

    @Override
    public String name()
    {
        return "ring";
    }

    @Override
    public String[] stageNames()
    {
        return STAGES.clone();
    }

    @Override
    public boolean usesFrameSize()
    {
        return false;
    }

    /** @return the ring's slot count. */
    public int size()
    {
        return ring.size();
    }

    @Override
    public boolean offer(final long intendedSendNs, final long sendNs)
    {
        final int offset = front.claimRequest();
        if (offset == RingStatus.RING_FULL)
        {
            return false;
        }
        buffer.putLong(offset + INTENDED_SEND_OFFSET, intendedSendNs, BYTE_ORDER);
        buffer.putLong(offset + SEND_OFFSET, sendNs, BYTE_ORDER);
        // one request per push: a latency run sends frames one at a time, on schedule
        front.pushRequests();
        return true;
    }

    @Override
    public int poll(final FrameReceiver receiver)
    {
        final int available = front.unconsumedResponses();
        if (available <= 0)
        {
            if (available == RingStatus.RESPONSE_PROD_OVERFLOW)
            {
                protocolErrors++;
            }
            return 0;
        }
        final int first = front.responseConsumer();
        for (int i = 0; i < available; i++)
        {
            final int offset = front.responseOffset(first + i);
            stamps[0] = buffer.getLong(offset + PICKED_UP_OFFSET, BYTE_ORDER);
            stamps[1] = buffer.getLong(offset + PUSHED_OFFSET, BYTE_ORDER);
            receiver.onFrame(
                buffer.getLong(offset + INTENDED_SEND_OFFSET, BYTE_ORDER), buffer.getLong(offset + SEND_OFFSET, BYTE_ORDER), stamps);
        }
        front.consumeResponses(available);
        return available;
    }

    /** @return times the front saw a response index the back could not have produced (0 unless the ring is broken). */
    public long protocolErrors()
    {
        return protocolErrors;
    }

    @Override
    public void close()
    {
        running = false;
        try
        {
            backendThread.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (backendError != null)
        {
            throw new IllegalStateException("ring latency backend stopped: " + backendError);
        }
    }

    /** The backend: answers every request in its own slot, one push per batch. */
    private void serve(final BackRing back, final IdleStrategy idle)
    {
        while (running)
        {
            final int available = back.unconsumedRequests();
            if (available <= 0)
            {
                if (available == RingStatus.REQUEST_PROD_OVERFLOW)
                {
                    backendError = RingStatus.describe(available);
                    return;
                }
                // by default NoOp: no Thread.onSpinWait(), a PAUSE loop gets a KVM vCPU descheduled (FixedRateSender)
                idle.idle();
                continue;
            }
            idle.reset();
            final long pickedUpNs = System.nanoTime();
            for (int i = 0; i < available; i++)
            {
                // the response goes into the request's slot: the two request fields stay, the backend adds its stamps
                back.consumeRequest();
                final int offset = back.claimResponse();
                buffer.putLong(offset + PICKED_UP_OFFSET, pickedUpNs, BYTE_ORDER);
            }
            final long pushedNs = System.nanoTime();
            final int last = back.responseProducer();
            for (int i = available; i > 0; i--)
            {
                buffer.putLong(back.responseOffset(last - i) + PUSHED_OFFSET, pushedNs, BYTE_ORDER);
            }
            back.pushResponses();
        }
    }
}
