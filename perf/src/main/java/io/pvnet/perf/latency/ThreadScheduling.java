package io.pvnet.perf.latency;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
    private static final Path TASKS = Path.of("/proc/self/task");

    /** Per thread id: name, wait ns and involuntary switches at the first and the latest sample. */
    private final Map<String, long[]> first = new HashMap<>();
    private final Map<String, long[]> last = new HashMap<>();
    private final Map<String, String> names = new HashMap<>();
    private boolean sampled;

    /** Reads every thread's counters now. */
    void sample()
    {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS))
        {
            for (final Path task : tasks)
            {
                final String tid = task.getFileName().toString();
                final long[] values = read(task);
                if (values == null)
                {
                    continue;
                }
                // a thread first seen now started after the first sample: it counts from its start
                first.putIfAbsent(tid, sampled ? new long[2] : values);
                last.put(tid, values);
                names.computeIfAbsent(tid, t -> readName(task));
            }
            sampled = true;
        }
        catch (final IOException | RuntimeException ex)
        {
            // not Linux, or /proc unreadable: the report says no data
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
            return String.format(Locale.ROOT, "  descheduling: no thread waited %.1f ms or more for a core%n", minWaitNs / 1e6);
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
        return text.toString();
    }

    /** @return {wait ns, involuntary switches}, or null when the thread is gone. */
    private static long[] read(final Path task)
    {
        try
        {
            final String[] schedstat = Files.readString(task.resolve("schedstat")).trim().split(" ");
            long switches = 0;
            for (final String line : Files.readAllLines(task.resolve("status")))
            {
                if (line.startsWith("nonvoluntary_ctxt_switches:"))
                {
                    switches = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                }
            }
            return new long[] {Long.parseLong(schedstat[1]), switches};
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
    }

    private static String readName(final Path task)
    {
        try
        {
            return Files.readString(task.resolve("comm")).trim();
        }
        catch (final IOException ex)
        {
            return "?";
        }
    }
}
