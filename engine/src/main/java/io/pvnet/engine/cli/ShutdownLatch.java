package io.pvnet.engine.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Lets a command run until SIGINT/SIGTERM and still clean up: a shutdown hook releases {@link #await()}, then holds the
 * JVM's exit until {@link #close()} says the cleanup is done (at most 10 s). Agrona's {@code ShutdownSignalBarrier}
 * was tried first: its signal handler can unlist the barrier before its hook looks for it, and the JVM then exits in
 * the middle of the cleanup (seen in the kernel test: no summary line, TAPs left to the kernel to remove).
 */
final class ShutdownLatch implements AutoCloseable
{
    private static final long CLEANUP_TIMEOUT_MS = 10_000;

    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);

    ShutdownLatch()
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

    /** Blocks until the JVM is asked to shut down. */
    void await() throws InterruptedException
    {
        stop.await();
    }

    /** The cleanup is done: the JVM may exit. */
    @Override
    public void close()
    {
        done.countDown();
    }
}
