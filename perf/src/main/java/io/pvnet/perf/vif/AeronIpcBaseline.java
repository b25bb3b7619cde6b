package io.pvnet.perf.vif;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The {@code vif} scenario's Aeron baseline ({@code aeron.SIZE}): the same two threads and hops as
 * {@link AgronaCopyBaseline}, through Aeron IPC. The guest thread offers each frame on an exclusive publication (as
 * netfront into its granted page), the host thread polls it and offers it on a second exclusive publication (as xnb
 * into the peer's buffer), the guest thread polls that one and times each frame. An embedded media driver runs in
 * this JVM (one shared, backing-off thread: IPC needs only its conductor) in a fresh directory it deletes on close.
 * <p>
 * Threading: {@link #start} starts the threads; {@link #received()} and {@link #resetLatency()} may be called from any
 * thread; {@link #latency()} after {@link #stop()}.
 */
public final class AeronIpcBaseline implements AutoCloseable
{
    private static final int GUEST_TO_HOST_STREAM = 1001;
    private static final int HOST_TO_GUEST_STREAM = 1002;
    /** Fragments of 64 KiB (the largest IPC MTU), terms large enough that a 64 KiB frame never waits on the conductor. */
    private static final String CHANNEL = "aeron:ipc?mtu=65504|term-length=16m";

    private final int frameLength;
    private final int burst;
    private final Supplier<IdleStrategy> idle;
    private final UnsafeBuffer frame;
    private final Histogram latency = new Histogram(60_000_000_000L, 3);
    private final AtomicLong received = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean resetRequested;
    private volatile boolean resetDone;
    private MediaDriver driver;
    private Aeron aeron;
    private ExclusivePublication toHost;
    private Subscription hostSide;
    private ExclusivePublication toGuest;
    private Subscription guestSide;
    private Thread guest;
    private Thread host;

    private long frames;
    private long receiveNs;

    private final FragmentHandler forward = new FragmentAssembler((buffer, offset, length, header) ->
    {
        long result;
        while ((result = toGuest.offer(buffer, offset, length)) < 0 && running)
        {
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
            {
                throw new IllegalStateException("aeron publication to the guest failed: " + Publication.errorString(result));
            }
            Thread.onSpinWait();
        }
    });

    private final FragmentHandler receive = new FragmentAssembler((buffer, offset, length, header) ->
    {
        frames++;
        final long ns = receiveNs - buffer.getLong(offset + VifGuests.TIMESTAMP_OFFSET);
        if (ns > 0 && ns < 60_000_000_000L)
        {
            latency.recordValue(ns);
        }
    });

    /**
     * @param frameLength bytes per frame (64 to 65,536).
     * @param burst       frames offered per turn of the guest thread, as the vif scenario's batch.
     * @param idle        how each thread waits when it found no work.
     */
    public AeronIpcBaseline(final int frameLength, final int burst, final Supplier<IdleStrategy> idle)
    {
        this.frameLength = frameLength;
        this.burst = burst;
        this.idle = idle;
        this.frame = VifGuests.tcpFrame(Math.max(64, frameLength), false);
    }

    /** Starts the media driver, connects both streams, then the guest and host threads (or with {@code shared} one). */
    public void start(final boolean shared)
    {
        final String directory = CommonContext.generateRandomDirName();
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(directory)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(1, 1, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1)))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .printConfigurationOnStart(false)
            .warnIfDirectoryExists(false));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        toHost = aeron.addExclusivePublication(CHANNEL, GUEST_TO_HOST_STREAM);
        hostSide = aeron.addSubscription(CHANNEL, GUEST_TO_HOST_STREAM);
        toGuest = aeron.addExclusivePublication(CHANNEL, HOST_TO_GUEST_STREAM);
        guestSide = aeron.addSubscription(CHANNEL, HOST_TO_GUEST_STREAM);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!toHost.isConnected() || !toGuest.isConnected())
        {
            if (System.nanoTime() > deadlineNs)
            {
                close();
                throw new IllegalStateException("aeron IPC publications did not connect within 10 s");
            }
            Thread.onSpinWait();
        }
        if (shared)
        {
            guest = new Thread(() -> loop(true, true), "aeron-baseline-shared");
        }
        else
        {
            host = new Thread(() -> loop(false, true), "aeron-baseline-host");
            guest = new Thread(() -> loop(true, false), "aeron-baseline-guest");
            host.setDaemon(true);
            host.start();
        }
        guest.setDaemon(true);
        guest.start();
    }

    private void loop(final boolean guestSideWork, final boolean hostSideWork)
    {
        final IdleStrategy idleStrategy = idle.get();
        while (running)
        {
            int work = 0;
            if (guestSideWork)
            {
                work += guestStep();
            }
            if (hostSideWork)
            {
                work += hostSide.poll(forward, burst);
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
        // the clock is read once per burst and once per poll, as VifGuests and AgronaCopyBaseline do
        frame.putLong(VifGuests.TIMESTAMP_OFFSET, System.nanoTime());
        for (int i = 0; i < burst; i++)
        {
            if (toHost.offer(frame, 0, frameLength) < 0)
            {
                break; // back-pressured: the host thread is behind
            }
            sent++;
        }
        receiveNs = System.nanoTime();
        final int read = guestSide.poll(receive, 256);
        received.lazySet(frames);
        return sent + read;
    }

    /** @return the media driver's directory (under /dev/shm), or null before {@link #start}. */
    public java.nio.file.Path directory()
    {
        return driver == null ? null : java.nio.file.Path.of(driver.aeronDirectoryName());
    }

    /** @return frames back at the guest so far. */
    public long received()
    {
        return received.get();
    }

    /** Clears the latency histogram from the guest thread; returns once it has. */
    public void resetLatency() throws InterruptedException
    {
        resetDone = false;
        resetRequested = true;
        while (!resetDone)
        {
            Thread.sleep(1);
        }
    }

    /** Stops the threads; the driver stays until {@link #close()}. */
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
    public Histogram latency()
    {
        return latency;
    }

    /** Stops the threads if running, closes the client and the driver and deletes the driver's directory. */
    @Override
    public void close()
    {
        running = false;
        try
        {
            stop();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        CloseHelper.closeAll(aeron, driver);
        if (driver != null)
        {
            driver.context().deleteDirectory();
        }
    }
}
