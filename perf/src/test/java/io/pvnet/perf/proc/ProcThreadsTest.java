package io.pvnet.perf.proc;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link ProcThreads} on this JVM's own threads, each found by its Linux id from {@code /proc/thread-self} (a link to
 * {@code PID/task/TID}, read by the thread itself), and on threads and processes that are gone.
 */
class ProcThreadsTest
{
    private static final long MS = 1_000_000L;

    @BeforeAll
    static void linuxOnly()
    {
        assumeTrue(Files.isSymbolicLink(Path.of("/proc/thread-self")), "Linux only");
    }

    @Test
    void shouldListTheCallingThreadAndOneItStartedThroughSelfAndThroughThePid() throws Exception
    {
        try (NamedThread started = new NamedThread("proc-test-list"))
        {
            final ProcThreads byPid = ProcThreads.of(ProcessHandle.current().pid());
            for (final ProcThreads process : new ProcThreads[] {ProcThreads.self(), byPid})
            {
                final int[] ids = process.threadIds();
                assertTrue(contains(ids, currentTid()), Arrays.toString(ids));
                assertTrue(contains(ids, started.tid()), Arrays.toString(ids));
            }
        }
    }

    @Test
    void shouldNameAThreadAsTheJvmNamedItCutToFifteenBytes() throws Exception
    {
        assertEquals("proc-test", nameOfAThreadNamed("proc-test"));
        assertEquals("proc-t\u00e9st", nameOfAThreadNamed("proc-t\u00e9st"), "UTF-8, as the JVM writes it");
        assertEquals("proc-threads-te", nameOfAThreadNamed("proc-threads-test-name"));
        // 14 ASCII bytes and the first byte of the two of 'é': a cut character, not an exception
        assertEquals("proc-test-abcd\uFFFD", nameOfAThreadNamed("proc-test-abcd\u00e9"));
    }

    @Test
    void shouldCountTheCpuTimeOfABusyThreadAndNoMoreThanItUsed() throws IOException
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isCurrentThreadCpuTimeSupported(), "no thread CPU clock to compare with");
        final int tid = currentTid();
        final long before = ProcThreads.self().cpuNs(tid);
        final long spinUntilCpuNs = threads.getCurrentThreadCpuTime() + 30 * MS;
        final long giveUpNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long spins = 0;
        while (threads.getCurrentThreadCpuTime() < spinUntilCpuNs && System.nanoTime() - giveUpNs < 0)
        {
            spins++;
        }
        final long after = ProcThreads.self().cpuNs(tid);
        final long usedNs = threads.getCurrentThreadCpuTime();

        assertTrue(before > 0, "before: " + before);
        // schedstat's run time is brought up to date at each scheduler tick (10 ms apart at the least HZ, 100)
        assertTrue(after - before >= 20 * MS,
            "grew by " + (after - before) + " ns over 30 ms on a CPU, " + spins + " spins");
        assertTrue(after <= usedNs, "schedstat " + after + " ns, the thread's CPU clock " + usedNs + " ns");
        assertTrue(ProcThreads.self().waitNs(tid) >= 0);
        assertTrue(ProcThreads.self().involuntarySwitches(tid) >= 0);
    }

    @Test
    void shouldReadAThreadIdThatNoThreadHasAsGoneWithoutThrowing()
    {
        // pid_max is 4194304 at the most: no thread has this id
        assertGone(ProcThreads.self(), Integer.MAX_VALUE);
    }

    @Test
    void shouldReadAThreadThatHasEndedAsGone() throws Exception
    {
        final int tid;
        try (NamedThread ended = new NamedThread("proc-test-ends"))
        {
            tid = ended.tid();
        }
        // the Java thread has ended; the kernel removes its task a moment later
        final long giveUpNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (contains(ProcThreads.self().threadIds(), tid) && System.nanoTime() - giveUpNs < 0)
        {
            Thread.onSpinWait();
        }
        assertTrue(!contains(ProcThreads.self().threadIds(), tid), "thread " + tid + " still listed");
        assertGone(ProcThreads.self(), tid);
    }

    @Test
    void shouldListNoThreadsOfAProcessThatIsGone() throws Exception
    {
        final Process child = new ProcessBuilder("true").start();
        assertEquals(0, child.waitFor()); // waited for: reaped, its /proc entry gone
        assertArrayEquals(new int[0], ProcThreads.of(child.pid()).threadIds());
        assertArrayEquals(new int[0], ProcThreads.of(Long.MAX_VALUE).threadIds());
        assertGone(ProcThreads.of(Long.MAX_VALUE), 1);
    }

    private static void assertGone(final ProcThreads process, final int tid)
    {
        assertNull(process.name(tid));
        assertEquals(ProcThreads.GONE, process.cpuNs(tid));
        assertEquals(ProcThreads.GONE, process.waitNs(tid));
        assertEquals(ProcThreads.GONE, process.involuntarySwitches(tid));
    }

    private static String nameOfAThreadNamed(final String javaName) throws Exception
    {
        try (NamedThread thread = new NamedThread(javaName))
        {
            return ProcThreads.self().name(thread.tid());
        }
    }

    private static boolean contains(final int[] ids, final int id)
    {
        return Arrays.stream(ids).anyMatch(each -> each == id);
    }

    /** {@return the calling thread's Linux id, from the link /proc/thread-self -> PID/task/TID} */
    private static int currentTid() throws IOException
    {
        return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
    }

    /** A platform thread with a given name that tells its Linux id and runs until closed. */
    private static final class NamedThread implements AutoCloseable
    {
        private final CompletableFuture<Integer> tid = new CompletableFuture<>();
        private final CountDownLatch release = new CountDownLatch(1);
        private final Thread thread;

        NamedThread(final String name)
        {
            // the JVM sets the Linux name (comm) before the thread runs its Runnable
            thread = Thread.ofPlatform().name(name).start(() ->
            {
                try
                {
                    tid.complete(currentTid());
                    release.await();
                }
                catch (final IOException | InterruptedException ex)
                {
                    tid.completeExceptionally(ex);
                }
            });
        }

        int tid() throws Exception
        {
            return tid.get(30, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws InterruptedException
        {
            release.countDown();
            thread.join();
        }
    }
}
