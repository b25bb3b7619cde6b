package io.pvnet.perf.harness;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Lets a command (switch, guest, vif-run) run until SIGINT/SIGTERM and still clean up: a shutdown hook releases {@link #await()}, then holds the
 * JVM's exit until {@link #close()} says the cleanup is done (at most 10 s). Agrona's {@code ShutdownSignalBarrier}
 * does the same when closed; without its {@code close()} (a first version) the processes did not exit after SIGTERM.
 * This class keeps the two steps explicit. (A lost summary line seen in the kernel test was the test's
 * {@code Process.destroy()} closing the output pipe, not the latch: the test signals through the process handle.)
 */
public final class ShutdownLatch implements AutoCloseable
{
    private static final long CLEANUP_TIMEOUT_MS = 10_000;

    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);

    /** Installs the shutdown hook. */
    public ShutdownLatch()
    {
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            stop.countDown();
            try
            {
                done.await(CLEANUP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "pvnet-shutdown"));
    }

    /**
     * Releases {@link #await()} as a signal would, without a JVM shutdown: a command's own thread ending it (any thread).
     * The waiting thread then sleeps in the kernel until one of the two, instead of waking every so often to look.
     */
    public void release()
    {
        stop.countDown();
    }

    /** @return whether the JVM was asked to shut down (or {@link #release()} called): a long start stops early. */
    public boolean stopRequested()
    {
        return stop.getCount() == 0;
    }

    /** Blocks until the JVM is asked to shut down, or {@link #release()}. */
    public void await() throws InterruptedException
    {
        stop.await();
    }

    /**
     * Waits between two tries of something that may take long (a guest attaching to a switch that is not there yet):
     * a signal ends the wait at once, so the command stops without finishing it.
     *
     * @param timeoutNs the longest wait.
     * @return whether the JVM was asked to shut down (or {@link #release()} called), false when the time ran out.
     * @throws InterruptedException when the waiting thread is interrupted.
     */
    public boolean awaitStop(final long timeoutNs) throws InterruptedException
    {
        return stop.await(timeoutNs, TimeUnit.NANOSECONDS);
    }

    /** The cleanup is done: the JVM may exit. */
    @Override
    public void close()
    {
        done.countDown();
    }
}
