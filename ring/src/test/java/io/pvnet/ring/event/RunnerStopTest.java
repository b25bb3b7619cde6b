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
 * sleep nor at {@code AgentRunner.close()}'s 5 s interrupt: the requirement is under 100 ms; asserted under 250 ms so
 * that a loaded machine does not make the test flaky.
 */
class RunnerStopTest
{
    private static final long CLOSED_WITHIN_NS = TimeUnit.MILLISECONDS.toNanos(250);

    @Test
    void shouldStopARunnerAsleepOnAnEventChannelWithoutWaitingForItsSleep() throws Exception
    {
        final UnsafeBuffer ports = new UnsafeBuffer(ByteBuffer.allocateDirect(EventChannelDescriptor.lengthBytes(2)));
        final EventChannel sleeper = new EventChannel(ports, 0, 1, IdleMode.SLEEP);
        final EventChannel waker = new EventChannel(ports, 1, 0, IdleMode.SLEEP);
        final AgentRunner runner = sleepingRunner(sleeper, () -> sleeper.poll() ? 1 : 0);
        assertClosedPromptly(runner, sleeper::sleeps, waker::notifyPeer);
    }

    @Test
    void shouldStopARunnerAsleepOnASelectorWithoutWaitingForItsSleep() throws Exception
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
        assertTrue(took < CLOSED_WITHIN_NS, "closed in " + took / 1_000_000 + " ms, not at the end of its sleep");
    }
}
