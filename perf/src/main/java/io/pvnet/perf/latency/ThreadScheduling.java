package io.pvnet.perf.latency;

import io.pvnet.perf.proc.ProcThreads;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How long each thread of this process waited for a core (runnable but not running: descheduled by other threads or
 * processes) between the first and the last {@link #sample()}, from Linux's {@code /proc/self/task/TID/schedstat}
 * (second field: ns spent waiting on a run queue) and {@code status} ({@code nonvoluntary_ctxt_switches}). It tells a
 * latency tail caused by descheduling from one caused by the path: a spinning thread that never waits shows 0.
 * A thread that ended before the last sample keeps its values from the sample before it ended.
 * <p>
 * Threading: one thread calls {@link #sample()} and {@link #report}; off the hot path (reads files, allocates). Where
 * {@code /proc} is missing (not Linux), samples are empty and the report says so.
 */
final class ThreadScheduling
{
    private static final Path PROC = Path.of("/proc");
    /** Linux's USER_HZ: the unit of /proc/stat's CPU times. */
    private static final long NS_PER_JIFFY = 10_000_000L;

    /** Per thread id: name, wait ns and involuntary switches at the first and the latest sample. */
    private final Map<String, long[]> first = new HashMap<>();
    private final Map<String, long[]> last = new HashMap<>();
    private final Map<String, String> names = new HashMap<>();
    /** Other tasks of the machine (processes' main threads, kernel threads): ns on a CPU at the first and latest sample. */
    private final Map<String, Long> othersFirst = new HashMap<>();
    private final Map<String, Long> othersLast = new HashMap<>();
    private final Map<String, String> otherNames = new HashMap<>();
    /** {busy jiffies of every CPU, steal jiffies, this process's jiffies} at the first and the latest sample. */
    private long[] cpuFirst;
    private long[] cpuLast;
    private boolean sampled;

    /** Reads every thread's counters now. */
    void sample()
    {
        final ProcThreads self = ProcThreads.self();
        final int[] threadIds = self.threadIds();
        for (final int id : threadIds)
        {
            final long waitNs = self.waitNs(id);
            final long switches = self.involuntarySwitches(id);
            if (waitNs == ProcThreads.GONE || switches == ProcThreads.GONE)
            {
                continue;
            }
            final String tid = Integer.toString(id);
            final long[] values = {waitNs, switches};
            // a thread first seen now started after the first sample: it counts from its start
            first.putIfAbsent(tid, sampled ? new long[2] : values);
            last.put(tid, values);
            names.computeIfAbsent(tid, t -> nameOf(self, id));
        }
        sampled |= threadIds.length > 0; // none: not Linux, or /proc unreadable, and the report says no data
        sampleMachine();
    }

    /** Reads the machine's CPU time (/proc/stat), this process's (/proc/self/stat) and each other task's. */
    private void sampleMachine()
    {
        try
        {
            final String[] cpu = Files.readAllLines(PROC.resolve("stat")).get(0).trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...
            final long busy = Long.parseLong(cpu[1]) + Long.parseLong(cpu[2]) + Long.parseLong(cpu[3]) +
                Long.parseLong(cpu[6]) + Long.parseLong(cpu[7]);
            final String self = Files.readString(PROC.resolve("self/stat"));
            // fields after the command's closing parenthesis: state is field 3, utime 14, stime 15
            final String[] fields = self.substring(self.lastIndexOf(')') + 2).trim().split(" ");
            final long own = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            final boolean firstSample = cpuFirst == null;
            cpuLast = new long[] {busy, Long.parseLong(cpu[8]), own};
            if (firstSample)
            {
                cpuFirst = cpuLast;
            }
            final String selfPid = Long.toString(ProcessHandle.current().pid());
            try (DirectoryStream<Path> tasks = Files.newDirectoryStream(PROC, "[0-9]*"))
            {
                for (final Path task : tasks)
                {
                    final String pid = task.getFileName().toString();
                    if (pid.equals(selfPid))
                    {
                        continue;
                    }
                    // /proc/PID/schedstat and comm are those of the main thread, /proc/PID/task/PID
                    final int id = Integer.parseInt(pid);
                    final ProcThreads other = ProcThreads.of(id);
                    final long runNs = other.cpuNs(id);
                    if (runNs == ProcThreads.GONE)
                    {
                        continue; // the task ended
                    }
                    // a task first seen now started after the first sample: it counts from its start
                    othersFirst.putIfAbsent(pid, firstSample ? runNs : 0L);
                    othersLast.put(pid, runNs);
                    otherNames.computeIfAbsent(pid, t -> nameOf(other, id));
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // not Linux: no machine line in the report
        }
    }

    /**
     * @param minWaitNs threads that waited less are left out.
     * @return one line per thread that waited at least {@code minWaitNs}, most first, or a line saying none did.
     */
    String report(final long minWaitNs)
    {
        if (last.isEmpty())
        {
            return "  descheduling: no data (/proc/self/task unreadable)\n";
        }
        final List<String[]> rows = new ArrayList<>();
        final List<long[]> waits = new ArrayList<>();
        for (final Map.Entry<String, long[]> entry : last.entrySet())
        {
            final long[] start = first.get(entry.getKey());
            final long waitNs = entry.getValue()[0] - start[0];
            final long switches = entry.getValue()[1] - start[1];
            if (waitNs >= minWaitNs)
            {
                rows.add(new String[] {names.get(entry.getKey()), Long.toString(switches)});
                waits.add(new long[] {waitNs, rows.size() - 1});
            }
        }
        if (rows.isEmpty())
        {
            return String.format(Locale.ROOT, "  descheduling: no thread waited %.1f ms or more for a core%n", minWaitNs / 1e6) +
                machineReport();
        }
        waits.sort((a, b) -> Long.compare(b[0], a[0]));
        final StringBuilder text = new StringBuilder(
            "  descheduling (time runnable but waiting for a core in the measured period; /proc/self/task/*/schedstat):\n");
        for (final long[] wait : waits)
        {
            final String[] row = rows.get((int)wait[1]);
            text.append(String.format(Locale.ROOT, "    %-28s %10.2f ms in %s involuntary switches%n",
                row[0], wait[0] / 1e6, row[1]));
        }
        return text.append(machineReport()).toString();
    }

    /**
     * @return what ran on this machine's CPUs besides this process in the same period: CPU time of everything else
     * (other processes, kernel threads, interrupts; /proc/stat, 10 ms resolution), steal, and the visible other tasks
     * that ran most; empty when not sampled.
     */
    String machineReport()
    {
        if (cpuFirst == null || cpuLast == cpuFirst)
        {
            return "";
        }
        final long outsideNs = ((cpuLast[0] - cpuFirst[0]) - (cpuLast[2] - cpuFirst[2])) * NS_PER_JIFFY;
        final long stealNs = (cpuLast[1] - cpuFirst[1]) * NS_PER_JIFFY;
        final List<long[]> runs = new ArrayList<>();
        final List<String> pids = new ArrayList<>();
        for (final Map.Entry<String, Long> entry : othersLast.entrySet())
        {
            final long runNs = entry.getValue() - othersFirst.getOrDefault(entry.getKey(), entry.getValue());
            if (runNs > 0)
            {
                pids.add(entry.getKey());
                runs.add(new long[] {runNs, pids.size() - 1});
            }
        }
        runs.sort((a, b) -> Long.compare(b[0], a[0]));
        final StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
            "  CPU time outside this process in that period: %d ms (other processes, kernel threads, interrupts; " +
            "10 ms resolution), steal %d ms", outsideNs / 1_000_000, stealNs / 1_000_000));
        for (int i = 0; i < Math.min(3, runs.size()); i++)
        {
            final long[] run = runs.get(i);
            text.append(i == 0 ? "; visible tasks that ran most: " : ", ")
                .append(otherNames.get(pids.get((int)run[1]))).append(String.format(Locale.ROOT, " %.1f ms", run[0] / 1e6));
        }
        return text.append('\n').toString();
    }

    private static String nameOf(final ProcThreads process, final int tid)
    {
        return Objects.requireNonNullElse(process.name(tid), "?");
    }
}
