package io.pvnet.perf.bench;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link ProcessCpu} on this JVM and on a process that has ended. */
class ProcessCpuTest
{
    @Test
    void shouldSumThisProcesssThreadsAndTellAnEndedProcessApart() throws Exception
    {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux only");
        final long self = ProcessHandle.current().pid();
        // this JVM has run at least as long as the test thread has (schedstat lags by up to one 10 ms tick)
        final long threadCpuNs = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        assertTrue(ProcessCpu.cpuNs(self) >= threadCpuNs - 10_000_000L, ProcessCpu.cpuNs(self) + " < " + threadCpuNs);

        final Process child = new ProcessBuilder("true").start();
        assertEquals(0, child.waitFor()); // waited for: reaped, its /proc entry gone
        assertEquals(-1, ProcessCpu.cpuNs(child.pid()), "gone");
        assertEquals(0, ProcessCpu.compilerCpuNs(child.pid()));
    }
}
