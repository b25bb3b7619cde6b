package io.pvnet.ring.event;

import org.agrona.concurrent.AgentRunner;

import java.time.Duration;

/**
 * Stops an Agrona {@link AgentRunner} whose agent may be asleep on a {@link WaitPoint} (a futex or epoll wait as long
 * as its timers allow: a switch's 2 s, a guest's 10 s) within milliseconds. {@code AgentRunner.close()} (final, so
 * not overridable) only clears the runner's running flag and joins, and a sleeping thread sees the flag when its sleep
 * ends, or when {@code close()} interrupts it after its join timed out (5 s). {@link #close} runs that close on a
 * helper thread while the caller wakes the agent's thread every millisecond until it has stopped. One wake-up after the flag is cleared is enough (a raised selector bit
 * or a bumped futex word makes the next sleep return at once); the repetition covers a wake-up sent before, which only
 * starts one more duty cycle.
 * <pre>
 *  RunnerStop.close(runner, poller::wake);   // instead of runner.close(): returns within a few ms
 * </pre>
 * Threading: any thread but the runner's own; {@code wake} is called on the caller's thread.
 */
public final class RunnerStop
{
    private static final Duration WAKE_EVERY = Duration.ofMillis(1);

    private RunnerStop()
    {
    }

    /**
     * Closes {@code runner} (its agent's {@code onClose} runs on its own thread, as with {@code AgentRunner.close()}),
     * calling {@code wake} until it has. An interrupt of the caller does not cut the close short; it is kept for the
     * caller to see afterwards.
     *
     * @param runner the runner to close, started or not, closed or not.
     * @param wake   wakes the runner's thread from its sleep, from any thread (for example {@code VifPoller::wake},
     *               {@code EventChannel::notifyPeer} of the peer's end).
     */
    public static void close(final AgentRunner runner, final Runnable wake)
    {
        final Thread closer = Thread.ofPlatform().daemon().name("pvnet-stop-" + runner.agent().roleName())
            .start(runner::close);
        boolean interrupted = false;
        while (true)
        {
            wake.run();
            try
            {
                if (closer.join(WAKE_EVERY))
                {
                    break;
                }
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
