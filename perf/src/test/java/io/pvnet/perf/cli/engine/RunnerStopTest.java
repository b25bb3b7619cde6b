package io.pvnet.perf.cli.engine;

import io.pvnet.ring.event.EventChannel;
import io.pvnet.ring.event.EventChannelDescriptor;
import io.pvnet.ring.event.IdleMode;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

class RunnerStopTest
{
    @Test
    void shouldStopARunnerAsleepInTheKernelWithoutWaitingForItsSleep() throws Exception
    {
        final UnsafeBuffer ports = new UnsafeBuffer(ByteBuffer.allocateDirect(EventChannelDescriptor.lengthBytes(2)));
        final EventChannel sleeper = new EventChannel(ports, 0, 1, IdleMode.SLEEP);
        final EventChannel waker = new EventChannel(ports, 1, 0, IdleMode.SLEEP);
        final Agent agent = new Agent()
        {
            @Override
            public int doWork()
            {
                return sleeper.poll() ? 1 : 0;
            }

            @Override
            public String roleName()
            {
                return "sleeper";
            }
        };
        // a minute's sleep, as long as a kernel sleep slice allows (1 s): without a wake-up, close() waits for it
        final AgentRunner runner = new AgentRunner(
            IdleMode.SLEEP.newIdleStrategy(sleeper, 0, TimeUnit.SECONDS.toNanos(60)), Throwable::printStackTrace, null,
            agent);
        AgentRunner.startOnThread(runner);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sleeper.sleeps() < 2)
        {
            assertTrue(System.nanoTime() < deadline, "the agent's thread never slept");
            Thread.sleep(1);
        }
        Thread.sleep(50); // well inside its second sleep
        final long start = System.nanoTime();
        RunnerStop.close(runner, waker::notifyPeer);
        final long took = System.nanoTime() - start;
        assertTrue(runner.isClosed());
        assertTrue(took < TimeUnit.MILLISECONDS.toNanos(700), "closed in " + took / 1_000_000 + " ms, not at the end of " +
            "its sleep");
    }
}
