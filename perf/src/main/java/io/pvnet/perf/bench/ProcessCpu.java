package io.pvnet.perf.bench;

import io.pvnet.perf.proc.ProcThreads;

/**
 * CPU time of a process from {@code /proc/PID/task/TID/schedstat} (first field: nanoseconds on a CPU), summed over its
 * threads: nanosecond resolution, unlike the 10 ms clock ticks of {@code /proc/PID/stat}. Threads that exited during a
 * window drop out of the sum, so measure processes whose threads live through it.
 */
final class ProcessCpu
{
    private ProcessCpu()
    {
    }

    /** @return nanoseconds process {@code pid} ran on a CPU so far (its live threads), or -1 when it is gone. */
    static long cpuNs(final long pid)
    {
        final ProcThreads process = ProcThreads.of(pid);
        final int[] threads = process.threadIds();
        if (threads.length == 0)
        {
            return -1; // a live process has a thread, even a zombie its leader
        }
        long total = 0;
        for (final int tid : threads)
        {
            total += threadCpuNs(process, tid);
        }
        return total;
    }

    /** @return nanoseconds the JIT compiler threads ({@code C1/C2 CompilerThre...}) of process {@code pid} ran so far. */
    static long compilerCpuNs(final long pid)
    {
        final ProcThreads process = ProcThreads.of(pid);
        long total = 0;
        for (final int tid : process.threadIds())
        {
            final String name = process.name(tid);
            if (name != null && name.contains("CompilerThre"))
            {
                total += threadCpuNs(process, tid);
            }
        }
        return total;
    }

    private static long threadCpuNs(final ProcThreads process, final int tid)
    {
        return Math.max(0, process.cpuNs(tid)); // a thread gone since the listing adds nothing
    }
}
