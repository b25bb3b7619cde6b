package io.pvnet.ring.event;

import io.pvnet.ring.FrontRing;
import io.pvnet.ring.SharedRing;
import io.pvnet.ring.SharedRingDescriptor;
import io.pvnet.ring.region.Region;
import io.pvnet.ring.region.RegionSection;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The lost-wake-up protocol between two processes mapping one region file: requests one by one (or in small random
 * batches) through a shared ring, both sides sleeping in {@code FUTEX_WAIT} on their event channels whenever their ring
 * is empty, random delays on both sides, every value checked. A lost wake-up shows as a wait ending on its 10 s timeout
 * with work waiting.
 * <p>
 * Size: {@code -Dpvnet.wake.stress.cycles=N} round trips, each a notify/sleep cycle each way when the peer was asleep
 * (the output line counts this side's sleeps). The suite runs 10^5, 1.5-6 s on the 2-core VM (a round trip through two
 * futex wake-ups took 14-57 us a cycle in suite runs); the proof, at least 10^7 cycles, is a run on demand (137 s
 * when it was last run, up to 10 minutes): {@code mvn -B -ntp -pl ring -am verify -Dtest=CrossProcessWakeStressTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dpvnet.wake.stress.cycles=10000000}.
 */
class CrossProcessWakeStressTest
{
    private static final long CYCLES = Long.getLong("pvnet.wake.stress.cycles", 100_000L);

    @TempDir
    Path dir;

    @BeforeEach
    void requireFutex()
    {
        assumeTrue(Futex.isAvailable(), "futex needs Linux on x86_64 or aarch64");
    }

    @Test
    void shouldNeverLoseAWakeUpBetweenTwoProcesses() throws Exception
    {
        final Path path = dir.resolve("wake-stress");
        try (Region region = Region.create(path, 1 << 20))
        {
            final RegionSection ringSection = region.allocateSection("ring", SharedRingDescriptor.PAGE_SIZE);
            final RegionSection events = region.allocateSection("events", EventChannelDescriptor.lengthBytes(2));
            final AtomicBuffer buffer = ringSection.buffer();
            final SharedRing ring = new SharedRing(buffer, WakeStressPeer.ENTRY);
            ring.init();
            final FrontRing front = ring.frontRing();
            final EventChannel channel = new EventChannel(events.buffer(), 0, 1, IdleMode.SLEEP);
            final SplittableRandom random = new SplittableRandom(42);
            final Process peer = start("serve", path, Long.toString(CYCLES), "7");
            final long startNs = System.nanoTime();
            try
            {
                long sent = 0;
                long received = 0;
                while (received < CYCLES)
                {
                    final int batch = random.nextInt(8) == 0 ? 1 + random.nextInt(4) : 1;
                    for (int i = 0; i < batch && sent < CYCLES; i++)
                    {
                        final int offset = front.claimRequest();
                        if (offset < 0)
                        {
                            break;
                        }
                        buffer.putLong(offset, sent++);
                    }
                    randomDelay(random);
                    if (front.pushRequestsAndCheckNotify())
                    {
                        channel.notifyPeer();
                    }
                    // wait for every answer before the next request: each round trip is a notify/sleep cycle each way
                    while (received < sent)
                    {
                        final int responses = front.finalCheckForResponses();
                        assertTrue(responses >= 0, "ring status " + responses);
                        if (responses == 0)
                        {
                            final long waitStart = System.nanoTime();
                            if (!channel.await(WakeStressPeer.WAIT_TIMEOUT_NS))
                            {
                                fail("wait ended on its timeout after " + (System.nanoTime() - waitStart) / 1000 +
                                    " us with " + front.unconsumedResponses() + " responses waiting at " + received +
                                    "; peer " + describe(peer));
                            }
                            continue;
                        }
                        for (int i = 0; i < responses; i++)
                        {
                            assertEquals(~received, buffer.getLong(front.responseOffset(front.responseConsumer())));
                            front.consumeResponse();
                            received++;
                        }
                    }
                }
                assertTrue(peer.waitFor(30, TimeUnit.SECONDS), "peer did not finish");
                final String peerOut = new String(peer.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                assertEquals(0, peer.exitValue(), "peer: " + describe(peer));
                final long tookMs = (System.nanoTime() - startNs) / 1_000_000;
                System.out.println("wake stress: " + CYCLES + " round trips in " + tookMs + " ms; this side sleeps " +
                    channel.sleeps() + " wakeups " + channel.wakeups() + "; peer " + peerOut);
                assertTrue(channel.sleeps() > 0, "this side never slept: the test would prove nothing");
            }
            finally
            {
                peer.destroyForcibly();
            }
        }
    }

    /**
     * A peer killed with -9 while both sleep: the survivor's wait ends on its own timeout, the heartbeat shows the peer
     * gone, and a notification to the dead peer's port wakes nobody and harms nothing.
     */
    @Test
    void shouldWakeOnTimeoutWhenSleepingPeerIsKilled() throws Exception
    {
        final Path path = dir.resolve("wake-kill");
        try (Region region = Region.create(path, 1 << 20))
        {
            final RegionSection events = region.allocateSection("events", EventChannelDescriptor.lengthBytes(2));
            final AtomicBuffer heartbeat = region.allocateSection("heartbeat", 64).buffer();
            final EventChannel channel = new EventChannel(events.buffer(), 0, 1, IdleMode.SLEEP);
            final Process peer = start("sleep", path);
            try
            {
                final BufferedReader out = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("sleeping", out.readLine());
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (events.buffer().getIntVolatile(EventChannelDescriptor.armedOffset(1)) == 0)
                {
                    assertTrue(System.nanoTime() < deadline, "peer never armed its port");
                    Thread.sleep(1);
                }
                final long[] waitResult = {-1, 0};
                final Thread sleeper = new Thread(() ->
                {
                    final long start = System.nanoTime();
                    waitResult[0] = channel.await(TimeUnit.MILLISECONDS.toNanos(300)) ? 1 : 0;
                    waitResult[1] = System.nanoTime() - start;
                });
                sleeper.start();
                Thread.sleep(50);
                peer.destroyForcibly(); // SIGKILL
                assertTrue(peer.waitFor(10, TimeUnit.SECONDS));
                sleeper.join(10_000);
                assertFalse(sleeper.isAlive());
                assertEquals(0, waitResult[0], "no notification came");
                assertTrue(waitResult[1] >= TimeUnit.MILLISECONDS.toNanos(300) &&
                    waitResult[1] < TimeUnit.SECONDS.toNanos(5), "woke on its own timeout: " + waitResult[1]);
                final long ageNs = System.nanoTime() - heartbeat.getLongVolatile(WakeStressPeer.HEARTBEAT_OFFSET);
                assertTrue(ageNs > TimeUnit.MILLISECONDS.toNanos(100), "the heartbeat stopped with the peer");
                channel.notifyPeer(); // the dead peer's port may still be armed: a FUTEX_WAKE that wakes nobody
                assertFalse(channel.await(TimeUnit.MILLISECONDS.toNanos(10)));
            }
            finally
            {
                peer.destroyForcibly();
            }
        }
    }

    static void randomDelay(final SplittableRandom random)
    {
        final int dice = random.nextInt(64);
        if (dice == 0)
        {
            java.util.concurrent.locks.LockSupport.parkNanos(random.nextInt(20_000));
        }
        else if (dice < 16)
        {
            final long until = System.nanoTime() + random.nextInt(2_000);
            while (System.nanoTime() < until)
            {
                Thread.onSpinWait();
            }
        }
    }

    private static Process start(final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (!argument.startsWith("-agentlib:jdwp"))
            {
                command.add(argument);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(WakeStressPeer.class.getName());
        for (final String arg : args)
        {
            command.add(arg);
        }
        return new ProcessBuilder(command).start();
    }

    private static Process start(final String mode, final Path path, final String... more) throws IOException
    {
        final String[] args = new String[2 + more.length];
        args[0] = mode;
        args[1] = path.toString();
        System.arraycopy(more, 0, args, 2, more.length);
        return start(args);
    }

    private static String describe(final Process process)
    {
        if (process.isAlive())
        {
            return "running";
        }
        try
        {
            return "exit " + process.exitValue() + ": " +
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return "exit " + process.exitValue();
        }
    }
}
