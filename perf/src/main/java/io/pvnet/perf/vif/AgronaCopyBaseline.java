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

    /** Starts the guest and host threads, or with {@code shared} one thread doing both. */
    public void start(final boolean shared)
    {
        if (shared)
        {
            guest = new Thread(() -> loop(true, true), "baseline-shared");
        }
        else
        {
            host = new Thread(() -> loop(false, true), "baseline-host");
            guest = new Thread(() -> loop(true, false), "baseline-guest");
            host.setDaemon(true);
            host.start();
        }
        guest.setDaemon(true);
        guest.start();
    }

    private void loop(final boolean guestSide, final boolean hostSide)
    {
        final IdleStrategy idleStrategy = idle.get();
        while (running)
        {
            int work = 0;
            if (guestSide)
            {
                work += guestStep();
            }
            if (hostSide)
            {
                work += toHost.read(forward, burst);
            }
            idleStrategy.idle(work);
        }
    }

    private final MessageHandler forward = (msgTypeId, buffer, index, length) ->
    {
        while (running && !toGuest.write(1, buffer, index, length))
        {
            Thread.onSpinWait();
        }
    };

    private long frames;
    private long receiveNs;

    private final MessageHandler receive = (msgTypeId, buffer, index, length) ->
    {
        frames++;
        final long ns = receiveNs - buffer.getLong(index + VifGuests.TIMESTAMP_OFFSET);
        if (ns > 0 && ns < 60_000_000_000L)
        {
            latency.recordValue(ns);
        }
    };

    private int guestStep()
    {
        if (resetRequested)
        {
            latency.reset();
            resetRequested = false;
            resetDone = true;
        }
        int sent = 0;
        // the clock is read once per burst and once per read, as VifGuests does
        frame.putLong(VifGuests.TIMESTAMP_OFFSET, System.nanoTime());
        for (int i = 0; i < burst; i++)
        {
            if (!toHost.write(1, frame, 0, frameLength))
            {
                break;
            }
            sent++;
        }
        receiveNs = System.nanoTime();
        final int read = toGuest.read(receive, 256);
        received.lazySet(frames);
        return sent + read;
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
        if (host != null)
        {
            host.join(5000);
        }
    }

    public Histogram latency()
    {
        return latency;
    }
}
