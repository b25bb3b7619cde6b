package io.pvnet.ring.region;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Which process a pid names: its start time as Linux records it, field 22 ({@code starttime}) of
 * {@code /proc/PID/stat}, in clock ticks since boot. A pid and this start time together name one process for the
 * machine's uptime: a pid the kernel hands to another process later comes with another start time. The value is the
 * kernel's own integer, so two readers in two processes compare it exactly (no tolerance, unlike a start instant
 * derived from it and the boot time).
 * <p>
 * {@link SectionTable} records it in each claim ({@link RegionDescriptor#SECTION_CLAIMER_START_OFFSET}) so that a claim
 * whose pid now belongs to another process is taken over as a dead claimer's is.
 * <p>
 * Threading: stateless but for this process's own start time, read once; any thread. Configuration-time calls: they
 * read a file and allocate.
 */
final class ProcessStart
{
    /** No start time known (no {@code /proc}, or a field this code cannot read). */
    static final long UNKNOWN = 0;

    private static final Path PROC = Path.of("/proc");
    private static final boolean HAS_PROC = Files.isReadable(PROC.resolve("self/stat"));
    private static final long SELF = HAS_PROC ? read(ProcessHandle.current().pid()) : UNKNOWN;

    private ProcessStart()
    {
    }

    /** {@return this process's start time in clock ticks since boot, or {@link #UNKNOWN}} */
    static long self()
    {
        return SELF;
    }

    /**
     * {@return whether process {@code pid} runs (not a zombie) and, when {@code recordedStart} is known, is the process
     * that recorded it: a reused pid is another process, and reads as not alive}
     * @param pid           the pid, as a claim holds it.
     * @param recordedStart the start time the claimer recorded, or {@link #UNKNOWN}.
     */
    static boolean alive(final long pid, final long recordedStart)
    {
        if (pid <= 0)
        {
            return false;
        }
        if (!HAS_PROC)
        {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
        final long liveStart = read(pid);
        if (liveStart < 0)
        {
            return false; // no such process, or a zombie: it will never publish anything
        }
        return recordedStart == UNKNOWN || liveStart == UNKNOWN || liveStart == recordedStart;
    }

    /**
     * {@return the start time of {@code pid}, {@link #UNKNOWN} when its stat line cannot be read, or -1 when there is
     * no such process or it is a zombie}
     * @param pid a process id in this process's pid namespace.
     */
    static long read(final long pid)
    {
        final String stat;
        try
        {
            stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.US_ASCII);
        }
        catch (final NoSuchFileException ex)
        {
            return -1;
        }
        catch (final IOException | RuntimeException ex)
        {
            // ESRCH while the process exits reads as an IOException too; a process that cannot be read is not
            // proof of death, so the caller falls back to the claim's age
            return Files.exists(PROC.resolve(Long.toString(pid))) ? UNKNOWN : -1;
        }
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields count from the last ')'
        final int commEnd = stat.lastIndexOf(')');
        if (commEnd < 0)
        {
            return UNKNOWN;
        }
        final String[] fields = stat.substring(commEnd + 1).trim().split(" ");
        // fields[0] is field 3 (state), so field 22 (starttime) is fields[19]
        if (fields.length < 20)
        {
            return UNKNOWN;
        }
        if ("Z".equals(fields[0]) || "X".equals(fields[0]))
        {
            return -1;
        }
        try
        {
            final long start = Long.parseLong(fields[19]);
            return start > 0 ? start : UNKNOWN;
        }
        catch (final NumberFormatException ex)
        {
            return UNKNOWN;
        }
    }
}
