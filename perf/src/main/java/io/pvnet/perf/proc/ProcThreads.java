package io.pvnet.perf.proc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The threads (Linux tasks) of one process as {@code /proc/PID/task} shows them: their ids, names and scheduler
 * counters.
 * <pre>
 *   /proc/PID/task/TID/comm       the thread's name: raw bytes (15 at most for a user thread), then '\n'
 *   /proc/PID/task/TID/schedstat  "RUN_NS WAIT_NS TIMESLICES\n": ns on a CPU, ns runnable but waiting for one, ...
 *   /proc/PID/task/TID/status     "nonvoluntary_ctxt_switches:\tN" among other lines
 * </pre>
 * Threads come and go: one listed a moment ago may exit before its files are read (the JVM starts and ends compiler
 * and GC threads on its own). So no read throws: a thread that is gone (or a machine without {@code /proc}) reads as
 * {@link #GONE}, or null for a name, and a process that is gone lists no threads.
 * <p>
 * Threading: immutable; any thread. Off the hot path: every call opens a file and allocates.
 */
public final class ProcThreads
{
    /** What a counter reads as when the thread is gone, or the file has no value this class understands. */
    public static final long GONE = -1;

    private static final String INVOLUNTARY_SWITCHES = "nonvoluntary_ctxt_switches:";
    private static final ProcThreads SELF = new ProcThreads(Path.of("/proc/self/task"));

    private final Path tasks;

    private ProcThreads(final Path tasks)
    {
        this.tasks = tasks;
    }

    /**
     * This process, through {@code /proc/self}: that names it whichever pid namespace {@code /proc} belongs to.
     *
     * @return the threads of this process.
     */
    public static ProcThreads self()
    {
        return SELF;
    }

    /**
     * @param pid a process id as {@code /proc} numbers it.
     * @return the threads of process {@code pid}.
     */
    public static ProcThreads of(final long pid)
    {
        return new ProcThreads(Path.of("/proc", Long.toString(pid), "task"));
    }

    /** @return the ids of the process's threads now, in no set order; empty when it is gone or there is no /proc. */
    public int[] threadIds()
    {
        try (Stream<Path> list = Files.list(tasks))
        {
            return list.mapToInt(task -> Integer.parseInt(task.getFileName().toString())).toArray();
        }
        catch (final IOException | UncheckedIOException | NumberFormatException ex)
        {
            return new int[0]; // the process ended during the listing, or not Linux
        }
    }

    /**
     * @param tid a thread id of this process.
     * @return the thread's name ({@code comm}) as the kernel keeps it, without the line end, its bytes decoded as
     * UTF-8 (the JVM names its threads in UTF-8; a character the 15-byte limit cut in two reads as U+FFFD); null when
     * the thread is gone.
     */
    public String name(final int tid)
    {
        final String comm = read(tid, "comm");
        return comm == null || !comm.endsWith("\n") ? comm : comm.substring(0, comm.length() - 1);
    }

    /**
     * @param tid a thread id of this process.
     * @return nanoseconds the thread ran on a CPU so far (schedstat's first field), or {@link #GONE}.
     */
    public long cpuNs(final int tid)
    {
        return schedstat(tid, 0);
    }

    /**
     * @param tid a thread id of this process.
     * @return nanoseconds the thread was runnable but waited for a CPU so far (schedstat's second field), or
     * {@link #GONE}.
     */
    public long waitNs(final int tid)
    {
        return schedstat(tid, 1);
    }

    /**
     * @param tid a thread id of this process.
     * @return how many times the scheduler took a CPU from the thread while it could still run
     * ({@code nonvoluntary_ctxt_switches} of its status), or {@link #GONE}.
     */
    public long involuntarySwitches(final int tid)
    {
        final String status = read(tid, "status");
        for (final String line : status == null ? new String[0] : status.split("\n"))
        {
            if (line.startsWith(INVOLUNTARY_SWITCHES))
            {
                return parse(line.substring(INVOLUNTARY_SWITCHES.length()).strip());
            }
        }
        return GONE;
    }

    private long schedstat(final int tid, final int field)
    {
        final String line = read(tid, "schedstat");
        final String[] fields = line == null ? new String[0] : line.strip().split(" ");
        return field < fields.length ? parse(fields[field]) : GONE;
    }

    private static long parse(final String number)
    {
        try
        {
            return Long.parseLong(number);
        }
        catch (final NumberFormatException ex)
        {
            return GONE;
        }
    }

    /** @return the whole file of thread {@code tid}, or null when it cannot be read (the thread is gone). */
    private String read(final int tid, final String file)
    {
        try
        {
            return new String(Files.readAllBytes(tasks.resolve(Integer.toString(tid)).resolve(file)),
                StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return null;
        }
    }
}
