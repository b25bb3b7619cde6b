package io.pvnet.perf.latency;

import io.pvnet.perf.proc.ProcThreads;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Pins threads to CPUs with Linux's {@code sched_setaffinity(2)} through the FFM API, as latency tools do (OpenHFT
 * Affinity, JLBH), so the kernel does not migrate a spinning thread between cores during a run. A thread pins itself
 * ({@link #pinCurrentThread}); threads of this process that a library started are found by their Linux thread ids
 * ({@link #threadIds()} before and after they started) and pinned by id ({@link #pin}).
 * <p>
 * Where the call is missing (not Linux) or refused, the methods return false and nothing changes. Off the hot path:
 * called once per thread before a run.
 */
final class CpuAffinity
{
    /** A cpu_set_t of 1024 CPUs, glibc's size. */
    private static final int CPU_SET_BYTES = 128;
    private static final MethodHandle SCHED_SETAFFINITY = lookup();
    /**
     * The CPUs this process may use, taken when this class is first used, before it pinned anything: a pinned thread
     * sees only its own CPU in {@code availableProcessors()}, and so do the threads it starts.
     */
    private static final int CPU_COUNT = Runtime.getRuntime().availableProcessors();

    private CpuAffinity()
    {
    }

    /** @return whether pinning can work here. */
    static boolean available()
    {
        return SCHED_SETAFFINITY != null;
    }

    /** @return how many CPUs the process could use before anything was pinned. */
    static int cpuCount()
    {
        return CPU_COUNT;
    }

    /**
     * Undoes {@link #pinCurrentThread}: the calling thread may run on every CPU of {@link #cpuCount()} again.
     *
     * @return whether the call succeeded.
     */
    static boolean unpinCurrentThread()
    {
        final int[] all = new int[CPU_COUNT];
        for (int i = 0; i < all.length; i++)
        {
            all[i] = i;
        }
        return allowCurrentThread(all);
    }

    /**
     * @param cpu the CPU the calling thread may run on from now, or -1 to leave it as it is.
     * @return whether the thread is now pinned to {@code cpu} ({@code true} for -1).
     */
    static boolean pinCurrentThread(final int cpu)
    {
        return pin(0, cpu);
    }

    /**
     * @param cpus the CPUs the calling thread may run on from now (all of them to undo a pin).
     * @return whether the call succeeded.
     */
    static boolean allowCurrentThread(final int... cpus)
    {
        return setAffinity(0, cpus);
    }

    /**
     * @param threadId a Linux thread id of this process (0: the calling thread).
     * @param cpu      the one CPU it may run on from now, or -1 to leave it as it is.
     * @return whether the thread is now pinned to {@code cpu} ({@code true} for -1).
     */
    static boolean pin(final int threadId, final int cpu)
    {
        return cpu < 0 || setAffinity(threadId, cpu);
    }

    /** @return the Linux thread ids of this process now, empty where {@code /proc} is missing. */
    static Set<Integer> threadIds()
    {
        final Set<Integer> ids = new HashSet<>();
        for (final int id : ProcThreads.self().threadIds())
        {
            ids.add(id);
        }
        return ids;
    }

    /**
     * @param before thread ids taken earlier with {@link #threadIds()}.
     * @return the ids of threads started since (and still running), except the JVM's own (garbage collector and JIT
     * compiler threads, which the JVM starts when it needs more of them).
     */
    static List<Integer> threadIdsSince(final Set<Integer> before)
    {
        final List<Integer> started = new ArrayList<>();
        for (final int id : threadIds())
        {
            if (!before.contains(id) && !isJvmThread(threadName(id)))
            {
                started.add(id);
            }
        }
        return started;
    }

    /** @return the thread's name as Linux shows it (15 bytes at most), or "?" when it is gone. */
    static String threadName(final int threadId)
    {
        return Objects.requireNonNullElse(ProcThreads.self().name(threadId), "?");
    }

    private static boolean isJvmThread(final String name)
    {
        return name.startsWith("GC ") || name.startsWith("G1 ") || name.startsWith("C1 ") || name.startsWith("C2 ") ||
            name.startsWith("VM ");
    }

    private static boolean setAffinity(final int threadId, final int... cpus)
    {
        if (SCHED_SETAFFINITY == null)
        {
            return false;
        }
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment mask = arena.allocate(CPU_SET_BYTES, 8);
            for (final int cpu : cpus)
            {
                if (cpu < 0 || cpu >= CPU_SET_BYTES * 8)
                {
                    return false;
                }
                final long offset = cpu / 8;
                mask.set(ValueLayout.JAVA_BYTE, offset, (byte)(mask.get(ValueLayout.JAVA_BYTE, offset) | (1 << (cpu % 8))));
            }
            return (int)SCHED_SETAFFINITY.invokeExact(threadId, (long)CPU_SET_BYTES, mask) == 0;
        }
        catch (final Throwable ex)
        {
            return false;
        }
    }

    private static MethodHandle lookup()
    {
        try
        {
            final Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("sched_setaffinity").map(address -> linker.downcallHandle(address,
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS)))
                .orElse(null);
        }
        catch (final RuntimeException | LinkageError ex)
        {
            return null;
        }
    }
}
