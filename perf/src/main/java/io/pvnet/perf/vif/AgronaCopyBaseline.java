package io.pvnet.perf.vif;

import org.HdrHistogram.Histogram;
import org.agrona.BitUtil;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The {@code vif} scenario's baseline: the same two threads and the same copies without the Xen protocol. The guest
 * thread copies each frame into an Agrona {@link OneToOneRingBuffer} (as netfront into its granted page), the host
 * thread copies it into a second ring buffer (as xnb into the peer's buffer), the guest thread reads it back and times
 * it. No grants, no slot snapshots, no responses, no negotiation: what a plain shared-memory hand-off costs.
 */
public final class AgronaCopyBaseline
{
    private final OneToOneRingBuffer toHost = ring();
    private final OneToOneRingBuffer toGuest = ring();
    private final UnsafeBuffer frame;
    private final int frameLength;
    private final int burst;
    private final Histogram latency = new Histogram(60_000_000_000L, 3);
    private final AtomicLong received = new AtomicLong();
    private final Supplier<IdleStrategy> idle;
    private volatile boolean running = true;
    private volatile boolean resetRequested;
    private volatile boolean resetDone;
    private Thread guest;
    private Thread host;

    public AgronaCopyBaseline(final int frameLength, final int burst, final Supplier<IdleStrategy> idle)
    {
        this.frameLength = frameLength;
        this.burst = burst;
        this.idle = idle;
        this.frame = VifGuests.tcpFrame(Math.max(64, frameLength), false);
    }

    private static OneToOneRingBuffer ring()
    {
        final int capacity = BitUtil.findNextPositivePowerOfTwo(1 << 20);
        return new OneToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    public void start()
    {
        host = new Thread(this::hostLoop, "baseline-host");
        guest = new Thread(this::guestLoop, "baseline-guest");
        host.setDaemon(true);
        guest.setDaemon(true);
        host.start();
        guest.start();
    }

    private void hostLoop()
    {
        final IdleStrategy idleStrategy = idle.get();
        final MessageHandler forward = (msgTypeId, buffer, index, length) ->
        {
            while (running && !toGuest.write(1, buffer, index, length))
            {
                Thread.onSpinWait();
            }
        };
        while (running)
        {
            idleStrategy.idle(toHost.read(forward, burst));
        }
    }

    private void guestLoop()
    {
        final IdleStrategy idleStrategy = idle.get();
        final long[] frames = new long[1];
        final MessageHandler receive = (msgTypeId, buffer, index, length) ->
        {
            frames[0]++;
            final long ns = System.nanoTime() - buffer.getLong(index + VifGuests.TIMESTAMP_OFFSET);
            if (ns > 0 && ns < 60_000_000_000L)
            {
                latency.recordValue(ns);
            }
        };
        while (running)
        {
            if (resetRequested)
            {
                latency.reset();
                resetRequested = false;
                resetDone = true;
            }
            int sent = 0;
            for (int i = 0; i < burst; i++)
            {
                frame.putLong(VifGuests.TIMESTAMP_OFFSET, System.nanoTime());
                if (!toHost.write(1, frame, 0, frameLength))
                {
                    break;
                }
                sent++;
            }
            final int read = toGuest.read(receive, 256);
            received.lazySet(frames[0]);
            idleStrategy.idle(sent + read);
        }
    }

    public long received()
    {
        return received.get();
    }

    public void resetLatency() throws InterruptedException
    {
        resetDone = false;
        resetRequested = true;
        while (!resetDone)
        {
            Thread.sleep(1);
        }
    }

    public void stop() throws InterruptedException
    {
        running = false;
        guest.join(5000);
        host.join(5000);
    }

    public Histogram latency()
    {
        return latency;
    }
}
