package io.pvnet.perf.vif;

import org.agrona.BitUtil;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.function.Supplier;

/**
 * The {@code vif} scenario's baseline: the same two threads and the same copies without the Xen protocol. The guest
 * thread copies each frame into an Agrona {@link OneToOneRingBuffer} (as netfront into its granted page), the host
 * thread copies it into a second ring buffer (as xnb into the peer's buffer), the guest thread reads it back and times
 * it. No grants, no slot snapshots, no responses, no negotiation: what a plain shared-memory hand-off costs.
 */
public final class AgronaCopyBaseline extends TwoHopBaseline
{
    private final OneToOneRingBuffer toHost = ring();
    private final OneToOneRingBuffer toGuest = ring();

    private final MessageHandler forward = (msgTypeId, buffer, index, length) ->
    {
        while (isRunning() && !toGuest.write(1, buffer, index, length))
        {
            Thread.onSpinWait();
        }
    };

    private final MessageHandler receive = (msgTypeId, buffer, index, length) -> onFrameAtGuest(buffer, index);

    public AgronaCopyBaseline(final int frameLength, final int burst, final Supplier<IdleStrategy> idle)
    {
        super(frameLength, burst, idle);
    }

    private static OneToOneRingBuffer ring()
    {
        final int capacity = BitUtil.findNextPositivePowerOfTwo(1 << 20);
        return new OneToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    /** Starts the guest and host threads, or with {@code shared} one thread doing both. */
    public void start(final boolean shared)
    {
        startThreads(shared, "baseline");
    }

    @Override
    protected boolean offerToHost(final UnsafeBuffer frame, final int length)
    {
        return toHost.write(1, frame, 0, length);
    }

    @Override
    protected int pollAtHost(final int limit)
    {
        return toHost.read(forward, limit);
    }

    @Override
    protected int pollAtGuest(final int limit)
    {
        return toGuest.read(receive, limit);
    }
}
