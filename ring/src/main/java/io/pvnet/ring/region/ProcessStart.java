package io.pvnet.ring.region;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Which process a pid names: its start time as Linux records it, field 22 ({@code starttime}) of
 * {@code /proc/PID/stat}, in clock ticks since boot. A pid and this start time together name one process for the
 * machine's uptime: a pid the kernel hands to another process later comes with another start time. The value is the
 * kernel's own integer, so two readers in two processes compare it exactly (no tolerance, unlike a start instant
 * derived from it and the boot time).
 * <p>
 * {@link SectionTable} records it in each claim ({@link RegionDescriptor#SECTION_CLAIMER_START_OFFSET}) so that a claim
 * whose pid now belongs to another process is taken over as a dead claimer's is. {@link #alive} is the one rule of
 * whether a pid runs; {@link RegionFiles} asks it about a region's creator too.
 * <p>
 * Threading: stateless but for this process's own start time, read once (from {@code /proc/self/stat}, which names
 * this process whatever pid namespace {@code /proc} belongs to); any thread. Configuration-time calls: they read a
 * file and allocate.
 */
final class ProcessStart
{
    /** No start time known (no {@code /proc}, or a field this code cannot read). */
    static final long UNKNOWN = 0;

    private static final Path PROC = Path.of("/proc");
    private static final boolean HAS_PROC = Files.isReadable(PROC.resolve("self/stat"));
    /**
     * Read through {@code /proc/self}, not {@code /proc/<our pid>}: where {@code /proc} belongs to another pid
     * namespace, our pid there is no process (-1) or another one (its start time), and every claim would carry it.
     * There {@code /proc/self} is this process or nothing, so the value is ours or {@link #UNKNOWN}.
     */
    private static final long SELF = HAS_PROC ? Math.max(UNKNOWN, read(PROC.resolve("self"))) : UNKNOWN;

    private ProcessStart()
    {
    }

    /** {@return this process's start time in clock ticks since boot, or {@link #UNKNOWN}} */
    static long self()
    {
        return SELF;
    }

    /**
     * {@return whether process {@code pid} runs (not a zombie, unless only its main thread ended) and, when
     * {@code recordedStart} is known, is the process that recorded it: a reused pid is another process, and reads as
     * not alive}
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
        return read(PROC.resolve(Long.toString(pid)));
    }

    /**
     * {@link #read(long)} of the process whose {@code /proc} directory is {@code process} (a stand-in tree in tests).
     * A zombie ({@code Z}) whose {@code task} directory lists more than one thread is a thread-group leader whose main
     * thread ended ({@code pthread_exit}) while its other threads run: alive, with its start time.
     */
    static long read(final Path process)
    {
        final byte[] stat;
        try
        {
            // bytes, not text: the kernel writes comm as the raw bytes of the executable's name (a process started as
            // "dämon" shows "(d\303\244mon)"), which no charset decoder is obliged to accept
            stat = Files.readAllBytes(process.resolve("stat"));
        }
        catch (final NoSuchFileException ex)
        {
            return -1;
        }
        catch (final IOException | RuntimeException ex)
        {
            // ESRCH while the process exits reads as an IOException too; a process that cannot be read is not
            // proof of death, so the caller falls back to the claim's age
            return Files.exists(process) ? UNKNOWN : -1;
        }
        // "pid (comm) state ppid ...": comm may hold any byte, spaces and parentheses too, so fields count from the
        // last ')'; what follows it is ASCII
        int commEnd = stat.length - 1;
        while (commEnd >= 0 && stat[commEnd] != ')')
        {
            commEnd--;
        }
        if (commEnd < 0)
        {
            return UNKNOWN;
        }
        final String[] fields = new String(stat, commEnd + 1, stat.length - commEnd - 1, StandardCharsets.US_ASCII)
            .trim().split(" ");
        // fields[0] is field 3 (state), so field 22 (starttime) is fields[19]
        if (fields.length < 20)
        {
            return UNKNOWN;
        }
        final long start = startTime(fields[19]);
        return switch (fields[0])
        {
            case "X" -> -1;
            case "Z" -> threads(process) > 1 ? start : -1;
            default -> start;
        };
    }

    private static long startTime(final String field)
    {
        try
        {
            final long start = Long.parseLong(field);
            return start > 0 ? start : UNKNOWN;
        }
        catch (final NumberFormatException ex)
        {
            return UNKNOWN;
        }
    }

    /** {@return how many threads {@code process/task} lists, 0 when it cannot be read (the process is gone)} */
    private static long threads(final Path process)
    {
        try (Stream<Path> tasks = Files.list(process.resolve("task")))
        {
            return tasks.count();
        }
        catch (final IOException | RuntimeException ex)
        {
            return 0;
        }
    }
}
