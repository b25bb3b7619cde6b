package io.pvnet.perf.cli.engine;

import org.agrona.concurrent.AgentRunner;

import java.time.Duration;

/**
 * Stops an {@link AgentRunner} whose thread may be asleep in the kernel (a futex or epoll wait of up to a second):
 * {@code AgentRunner.close()} only clears its running flag and joins, and the thread sees the flag when it wakes. So
 * the close runs on a helper thread while this one wakes the agent's thread every 10 ms until it has stopped: a wake-up
 * sent before the flag is cleared would only start one more duty cycle and sleep.
 */
final class RunnerStop
{
    private static final Duration WAKE_EVERY = Duration.ofMillis(10);

    private RunnerStop()
    {
    }

    /**
     * Closes {@code runner}, calling {@code wake} until it has.
     *
     * @param runner the runner to close.
     * @param wake   wakes the runner's thread from its sleep (any thread).
     */
    static void close(final AgentRunner runner, final Runnable wake) throws InterruptedException
    {
        final Thread closer = Thread.ofPlatform().daemon().name("pvnet-stop").start(runner::close);
        do
        {
            wake.run();
        }
        while (!closer.join(WAKE_EVERY));
    }
}
