package io.pvnet.perf.latency;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CpuAffinityTest
{
    @Test
    void aThreadPinnedToACpuMayRunOnlyThereUntilAllowedEverywhereAgain() throws Exception
    {
        assumeTrue(CpuAffinity.available() && Files.exists(Path.of("/proc/thread-self/status")), "Linux only");
        final int last = Runtime.getRuntime().availableProcessors() - 1;
        final AtomicReference<String> pinned = new AtomicReference<>();
        final AtomicReference<String> released = new AtomicReference<>();
        final Thread thread = Thread.ofPlatform().start(() ->
        {
            assertTrue(CpuAffinity.pinCurrentThread(last));
            pinned.set(allowedCpus());
            assertTrue(CpuAffinity.unpinCurrentThread());
            released.set(allowedCpus());
        });
        thread.join();
        assertEquals(Integer.toString(last), pinned.get());
        assertEquals(last == 0 ? "0" : "0-" + last, released.get());
        // a CPU the machine does not have is refused, and -1 leaves the thread as it is
        assertFalse(CpuAffinity.pinCurrentThread(4096));
        assertTrue(CpuAffinity.pinCurrentThread(-1));
    }

    @Test
    void theBaselineLeavesItsMeasuringThreadFreeToRunEverywhere() throws Exception
    {
        assumeTrue(CpuAffinity.available() && Files.exists(Path.of("/proc/thread-self/status")), "Linux only");
        final int last = CpuAffinity.cpuCount() - 1;
        assumeTrue(last >= 1, "needs 2 CPUs");
        final AtomicReference<String> after = new AtomicReference<>();
        final AtomicReference<Long> recorded = new AtomicReference<>();
        final Thread thread = Thread.ofPlatform().start(() ->
        {
            final org.HdrHistogram.Histogram histogram = new org.HdrHistogram.Histogram(3);
            // 200 ms: on a loaded machine one round trip can outlast a short window (the two pinned threads wait for
            // their CPUs), and a window that no round trip started in records nothing
            recorded.set(BaselinePingPong.measure(5_000_000L, 200_000_000L, histogram, 0, 1));
            after.set(allowedCpus());
        });
        thread.join();
        assertTrue(recorded.get() > 0, "round trips: " + recorded.get());
        // pinned to CPU 0 while measuring; every CPU again afterwards, not just the one it was pinned to
        assertEquals("0-" + last, after.get());
    }

    @Test
    void findsAndPinsAThreadStartedByOthersByItsLinuxId() throws Exception
    {
        assumeTrue(CpuAffinity.available() && Files.exists(Path.of("/proc/self/task")), "Linux only");
        final Set<Integer> before = CpuAffinity.threadIds();
        final CountDownLatch stop = new CountDownLatch(1);
        final AtomicReference<String> seen = new AtomicReference<>();
        final CountDownLatch checked = new CountDownLatch(1);
        final CountDownLatch pinnedLatch = new CountDownLatch(1);
        final Thread thread = Thread.ofPlatform().name("pvnet-pin-test").start(() ->
        {
            try
            {
                pinnedLatch.await();
                seen.set(allowedCpus());
                checked.countDown();
                stop.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        });
        // the new thread names itself (Linux's comm) as it starts running: look until it has
        List<Integer> started = List.of();
        int id = -1;
        for (int i = 0; i < 1_000 && id < 0; i++)
        {
            started = CpuAffinity.threadIdsSince(before);
            id = started.stream().filter(t -> CpuAffinity.threadName(t).equals("pvnet-pin-test")).findFirst().orElse(-1);
            if (id < 0)
            {
                Thread.sleep(1);
            }
        }
        assertTrue(id > 0, "started: " + started);
        assertTrue(CpuAffinity.pin(id, 0));
        pinnedLatch.countDown();
        checked.await();
        stop.countDown();
        thread.join();
        assertEquals("0", seen.get());
    }

    private static String allowedCpus()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/thread-self/status")))
            {
                if (line.startsWith("Cpus_allowed_list:"))
                {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
            return "?";
        }
        catch (final java.io.IOException ex)
        {
            return ex.toString();
        }
    }
}
