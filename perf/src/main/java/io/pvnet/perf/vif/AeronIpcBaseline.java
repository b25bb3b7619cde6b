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
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The {@code vif} scenario's Aeron baseline ({@code aeron.SIZE}): the same two threads and hops as
 * {@link AgronaCopyBaseline}, through Aeron IPC. The guest thread offers each frame on an exclusive publication (as
 * netfront into its granted page), the host thread polls it and offers it on a second exclusive publication (as xnb
 * into the peer's buffer), the guest thread polls that one and times each frame. An embedded media driver runs in
 * this JVM (one shared, backing-off thread: IPC needs only its conductor) in a fresh directory it deletes on close.
 * <p>
 * Threading: as {@link TwoHopBaseline}; {@link #start} starts the driver, then the threads.
 */
public final class AeronIpcBaseline extends TwoHopBaseline implements AutoCloseable
{
    private static final int GUEST_TO_HOST_STREAM = 1001;
    private static final int HOST_TO_GUEST_STREAM = 1002;
    /** Fragments of 64 KiB (the largest IPC MTU), terms large enough that a 64 KiB frame never waits on the conductor. */
    private static final String CHANNEL = "aeron:ipc?mtu=65504|term-length=16m";

    private MediaDriver driver;
    private Aeron aeron;
    private ExclusivePublication toHost;
    private Subscription hostSide;
    private ExclusivePublication toGuest;
    private Subscription guestSide;

    private final FragmentHandler forward = new FragmentAssembler((buffer, offset, length, header) ->
    {
        long result;
        while ((result = toGuest.offer(buffer, offset, length)) < 0 && isRunning())
        {
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
            {
                throw new IllegalStateException("aeron publication to the guest failed: " + Publication.errorString(result));
            }
            Thread.onSpinWait();
        }
    });

    private final FragmentHandler receive =
        new FragmentAssembler((buffer, offset, length, header) -> onFrameAtGuest(buffer, offset));

    /**
     * @param frameLength bytes per frame (64 to 65,536).
     * @param burst       frames offered per turn of the guest thread, as the vif scenario's batch.
     * @param idle        how each thread waits when it found no work.
     */
    public AeronIpcBaseline(final int frameLength, final int burst, final Supplier<IdleStrategy> idle)
    {
        super(frameLength, burst, idle);
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
        startThreads(shared, "aeron-baseline");
    }

    @Override
    protected boolean offerToHost(final UnsafeBuffer frame, final int length)
    {
        return toHost.offer(frame, 0, length) >= 0; // negative: back-pressured, the host thread is behind
    }

    @Override
    protected int pollAtHost(final int limit)
    {
        return hostSide.poll(forward, limit);
    }

    @Override
    protected int pollAtGuest(final int limit)
    {
        return guestSide.poll(receive, limit);
    }

    /** @return the media driver's directory (under /dev/shm), or null before {@link #start}. */
    public java.nio.file.Path directory()
    {
        return driver == null ? null : java.nio.file.Path.of(driver.aeronDirectoryName());
    }

    /** Stops the threads if running, closes the client and the driver and deletes the driver's directory. */
    @Override
    public void close()
    {
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
