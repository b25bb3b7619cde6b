package io.pvnet.perf.vif;

import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The shape of the {@code vif} scenario's baselines: the same two threads and hops as netfront -> xnb -> netfront over
 * another transport. The guest thread stamps a burst of frames and offers them towards the host, the host thread
 * forwards what arrived back towards the guest, and the guest thread polls the returned frames and times each one.
 * A subclass supplies the transport: {@link #offerToHost}, {@link #pollAtHost} (forwarding) and {@link #pollAtGuest}
 * (calling {@link #onFrameAtGuest} per frame).
 * <p>
 * Threading: {@link #startThreads} starts the threads; {@link #received()} and {@link #resetLatency()} may be called
 * from any thread; {@link #latency()} after {@link #stop()}.
 */
public abstract class TwoHopBaseline
{
    private static final long MAX_LATENCY_NS = 60_000_000_000L;

    private final int frameLength;
    private final int burst;
    private final Supplier<IdleStrategy> idle;
    private final UnsafeBuffer frame;
    private final Histogram latency = new Histogram(MAX_LATENCY_NS, 3);
    private final AtomicLong received = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean resetRequested;
    private volatile boolean resetDone;
    private Thread guest;
    private Thread host;
    private long frames;
    private long receiveNs;

    /**
     * @param frameLength bytes per frame (64 to 65,536).
     * @param burst       frames offered per turn of the guest thread, as the vif scenario's batch.
     * @param idle        how each thread waits when it found no work.
     */
    protected TwoHopBaseline(final int frameLength, final int burst, final Supplier<IdleStrategy> idle)
    {
        this.frameLength = frameLength;
        this.burst = burst;
        this.idle = idle;
        this.frame = VifGuests.tcpFrame(Math.max(64, frameLength), false);
    }

    /** @return false when the transport is full (the host thread is behind). Guest thread. */
    protected abstract boolean offerToHost(UnsafeBuffer frame, int length);

    /** Forwards up to {@code limit} frames that reached the host back towards the guest. Host thread. */
    protected abstract int pollAtHost(int limit);

    /** Polls up to {@code limit} returned frames, calling {@link #onFrameAtGuest} for each. Guest thread. */
    protected abstract int pollAtGuest(int limit);

    /** @return false once {@link #stop()} was called: forwarding loops give up then. */
    protected final boolean isRunning()
    {
        return running;
    }

    /** Times one frame back at the guest from the stamp it carries. Guest thread, inside {@link #pollAtGuest}. */
    protected final void onFrameAtGuest(final DirectBuffer buffer, final int offset)
    {
        frames++;
        final long ns = receiveNs - buffer.getLong(offset + VifGuests.TIMESTAMP_OFFSET);
        if (ns > 0 && ns < MAX_LATENCY_NS)
        {
            latency.recordValue(ns);
        }
    }

    /** Starts the guest and host threads, or with {@code shared} one thread doing both, named after {@code name}. */
    protected final void startThreads(final boolean shared, final String name)
    {
        if (shared)
        {
            guest = new Thread(() -> loop(true, true), name + "-shared");
        }
        else
        {
            host = new Thread(() -> loop(false, true), name + "-host");
            guest = new Thread(() -> loop(true, false), name + "-guest");
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
                work += pollAtHost(burst);
            }
            idleStrategy.idle(work);
        }
    }

    private int guestStep()
    {
        if (resetRequested)
        {
            latency.reset();
            resetRequested = false;
            resetDone = true;
        }
        int sent = 0;
        // the clock is read once per burst and once per poll, as VifGuests does
        frame.putLong(VifGuests.TIMESTAMP_OFFSET, System.nanoTime());
        for (int i = 0; i < burst; i++)
        {
            if (!offerToHost(frame, frameLength))
            {
                break;
            }
            sent++;
        }
        receiveNs = System.nanoTime();
        final int read = pollAtGuest(256);
        received.lazySet(frames);
        return sent + read;
    }

    /** @return frames back at the guest so far. */
    public final long received()
    {
        return received.get();
    }

    /** Clears the latency histogram from the guest thread; returns once it has. */
    public final void resetLatency() throws InterruptedException
    {
        resetDone = false;
        resetRequested = true;
        while (!resetDone)
        {
            Thread.sleep(1);
        }
    }

    /** Stops the threads. */
    public void stop() throws InterruptedException
    {
        running = false;
        if (guest != null)
        {
            guest.join(5000);
        }
        if (host != null)
        {
            host.join(5000);
        }
    }

    /** @return one-way latency of the frames received since the last reset, in ns. */
    public final Histogram latency()
    {
        return latency;
    }
}
