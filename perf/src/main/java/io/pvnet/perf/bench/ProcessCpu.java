package io.pvnet.perf.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

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
        long total = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task")))
        {
            for (final Path task : tasks)
            {
                total += threadCpuNs(task);
            }
        }
        catch (final IOException ex)
        {
            return -1;
        }
        return total;
    }

    /** @return nanoseconds the JIT compiler threads ({@code C1/C2 CompilerThre...}) of process {@code pid} ran so far. */
    static long compilerCpuNs(final long pid)
    {
        long total = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task")))
        {
            for (final Path task : tasks)
            {
                try
                {
                    if (Files.readString(task.resolve("comm")).contains("CompilerThre"))
                    {
                        total += threadCpuNs(task);
                    }
                }
                catch (final IOException gone)
                {
                    // the thread ended
                }
            }
        }
        catch (final IOException ex)
        {
            return 0;
        }
        return total;
    }

    /** @return nanoseconds thread {@code tid} of process {@code pid} ran, or 0 when it is gone. */
    static long threadCpuNs(final long pid, final long tid)
    {
        return threadCpuNs(Path.of("/proc", Long.toString(pid), "task", Long.toString(tid)));
    }

    private static long threadCpuNs(final Path task)
    {
        try
        {
            final String line = Files.readString(task.resolve("schedstat")).trim();
            final int space = line.indexOf(' ');
            return Long.parseLong(space < 0 ? line : line.substring(0, space));
        }
        catch (final IOException | NumberFormatException ex)
        {
            return 0;
        }
    }
}
