package io.pvnet.ring.event;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A runner whose agent sleeps in the kernel (one 60 s sleep) is closed within milliseconds, not at the end of its
 * sleep nor at {@code AgentRunner.close()}'s 5 s interrupt.
 * <p>
 * What the test tells apart: without RunnerStop's wake-ups (or with a wake-up lost, e.g. one sent before the runner's
 * flag is cleared and not repeated), the close returns no sooner than the runner's 5 s join timeout, after which it
 * interrupts the sleep; with them, within a few milliseconds on a quiet machine (the goal: under 100 ms). The bound,
 * 2 s, is what separates the two on a loaded machine: a 250 ms bound failed once at load 14 on 2 vCPUs (480 ms), and
 * 2 s leaves four times that while staying well below the 5 s that the shortest failure takes. Several closes per wait
 * point, each of a freshly started sleeper, give a racy wake-up as many chances to be lost.
 */
class RunnerStopTest
{
    private static final long CLOSED_WITHIN_NS = TimeUnit.MILLISECONDS.toNanos(2_000);
    /** Closes per wait point. */
    private static final int ROUNDS = 5;

    @Test
    void shouldStopARunnerAsleepOnAnEventChannelWithoutWaitingForItsSleep() throws Exception
    {
        for (int round = 0; round < ROUNDS; round++)
        {
            final UnsafeBuffer ports =
                new UnsafeBuffer(ByteBuffer.allocateDirect(EventChannelDescriptor.lengthBytes(2)));
            final EventChannel sleeper = new EventChannel(ports, 0, 1, IdleMode.SLEEP);
            final EventChannel waker = new EventChannel(ports, 1, 0, IdleMode.SLEEP);
            final AgentRunner runner = sleepingRunner(sleeper, () -> sleeper.poll() ? 1 : 0);
            assertClosedPromptly(runner, sleeper::sleeps, waker::notifyPeer);
        }
    }

    @Test
    void shouldStopARunnerAsleepOnASelectorWithoutWaitingForItsSleep() throws Exception
    {
        for (int round = 0; round < ROUNDS; round++)
        {
            try (Arena arena = Arena.ofShared())
            {
                final MemorySegment memory = arena.allocate(EventSelectorDescriptor.lengthBytes(64), 64);
                final EventSelector selector = EventSelector.initialise(memory, 64);
                final int[] drained = new int[64];
                final AgentRunner runner = sleepingRunner(selector, () -> selector.drain(drained));
                assertClosedPromptly(runner, selector::sleeps, () -> selector.raise(0));
            }
        }
    }

    private static AgentRunner sleepingRunner(final WaitPoint waitPoint, final java.util.function.IntSupplier work)
    {
        final Agent agent = new Agent()
        {
            @Override
            public int doWork()
            {
                return work.getAsInt();
            }

            @Override
            public String roleName()
            {
                return "sleeper";
            }
        };
        // a minute's sleep, one kernel sleep: without a wake-up, close() waits for it (5 s, then it interrupts)
        final AgentRunner runner = new AgentRunner(
            IdleMode.SLEEP.newIdleStrategy(waitPoint, 0, TimeUnit.SECONDS.toNanos(60)), Throwable::printStackTrace,
            null, agent);
        AgentRunner.startOnThread(runner);
        return runner;
    }

    private static void assertClosedPromptly(final AgentRunner runner, final LongSupplier sleeps, final Runnable wake)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sleeps.getAsLong() < 1)
        {
            assertTrue(System.nanoTime() < deadline, "the agent's thread never slept");
            Thread.sleep(1);
        }
        Thread.sleep(50); // well inside its minute's sleep
        final long start = System.nanoTime();
        RunnerStop.close(runner, wake);
        final long took = System.nanoTime() - start;
        System.out.printf("runner asleep in the kernel closed in %.2f ms%n", took / 1e6);
        assertTrue(runner.isClosed());
        assertTrue(took < CLOSED_WITHIN_NS, "closed in " + took / 1_000_000 + " ms: at the runner's 5 s interrupt or " +
            "the end of its sleep, not woken");
    }
}
