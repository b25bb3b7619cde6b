package io.pvnet.perf.bench;

import io.pvnet.perf.harness.BenchOptions;
import io.pvnet.perf.harness.Scenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The facts about this machine that a benchmark figure depends on.
 *
 * @param cpuModel the CPU model name from {@code /proc/cpuinfo}, or {@code unknown}.
 * @param cores    processors available to this JVM.
 * @param jdk      the running JDK's version and VM name.
 * @param os       the operating system, kernel version and architecture, or {@code unknown}.
 * @param host     the host name, or {@code unknown}.
 */
public record MachineInfo(String cpuModel, int cores, String jdk, String os, String host)
{
    /** A machine described by CPU, cores and JDK only (files written before os and host were recorded). */
    public MachineInfo(final String cpuModel, final int cores, final String jdk)
    {
        this(cpuModel, cores, jdk, "unknown", "unknown");
    }

    /** @return the facts of the machine this JVM runs on. */
    public static MachineInfo current()
    {
        return new MachineInfo(
            cpuModel(Path.of("/proc/cpuinfo")),
            Runtime.getRuntime().availableProcessors(),
            Runtime.version() + " (" + System.getProperty("java.vm.name") + ")",
            System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
            hostName());
    }

    /** @return the 1-minute load average now, or NaN when unknown (recorded beside each run's figures). */
    public static double loadAverageNow()
    {
        return loadAverage(Path.of("/proc/loadavg"));
    }

    private static String hostName()
    {
        try
        {
            final String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            return name.isEmpty() ? "unknown" : name;
        }
        catch (final IOException | RuntimeException ignore)
        {
            final String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "unknown" : env;
        }
    }

    static String cpuModel(final Path cpuinfo)
    {
        try
        {
            for (final String line : Files.readAllLines(cpuinfo))
            {
                if (line.startsWith("model name"))
                {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        }
        catch (final IOException | RuntimeException ignore)
        {
            // not Linux or not readable: the model stays unknown
        }
        return "unknown";
    }

    /**
     * @param machine   the machine.
     * @param scenarios the scenarios about to run.
     * @param options   the user's choices (copies are given to the scenarios).
     * @return one line per reason the figures may mislead: too few cores for the busy threads, a machine already busy,
     * SMT siblings.
     */
    public static List<String> warnings(final MachineInfo machine, final List<Scenario> scenarios, final BenchOptions options)
    {
        final List<String> warnings = new ArrayList<>();
        for (final Scenario scenario : scenarios)
        {
            final int busy = scenario.busyThreads(options.forScenario());
            if (busy > machine.cores())
            {
                warnings.add("scenario " + scenario.name() + " keeps " + busy + " threads busy but this machine has " +
                    machine.cores() + " core(s); its figures will be low and noisy");
            }
        }
        final String busy = busyWarningNow(machine);
        if (busy != null)
        {
            warnings.add(busy);
        }
        final int siblings = smtSiblings(Path.of("/sys/devices/system/cpu/cpu0/topology/thread_siblings_list"));
        if (siblings > 1)
        {
            warnings.add("cpu0 shares its core with " + (siblings - 1) + " SMT sibling(s): two threads on siblings " +
                "pass data faster than across cores, which flatters ring figures (pin with taskset to compare)");
        }
        return warnings;
    }

    /**
     * @param machine     the machine.
     * @param loadAverage the 1-minute load average, or NaN when unknown.
     * @return a warning when other work already keeps the cores busy, else {@code null}.
     */
    public static String busyWarning(final MachineInfo machine, final double loadAverage)
    {
        if (!(loadAverage >= machine.cores()))
        {
            return null;
        }
        return String.format(java.util.Locale.ROOT, "load average %.1f on %d core(s): other processes compete for " +
            "the cores, so rates will be low and latency tails long (threads descheduled for milliseconds)",
            loadAverage, machine.cores());
    }

    /** @return the 1-minute load average from {@code /proc/loadavg}, or NaN when unknown. */
    static double loadAverage(final Path loadavg)
    {
        try
        {
            return Double.parseDouble(Files.readString(loadavg).trim().split("\\s+")[0]);
        }
        catch (final IOException | RuntimeException ignore)
        {
            return Double.NaN;
        }
    }

    /** @return the warning {@link #busyWarning} gives for this machine now, or {@code null}. */
    public static String busyWarningNow(final MachineInfo machine)
    {
        return busyWarning(machine, loadAverage(Path.of("/proc/loadavg")));
    }

    /** @return how many logical CPUs share a core, read from a sysfs {@code thread_siblings_list}, or 0 if unknown. */
    static int smtSiblings(final Path siblingsList)
    {
        try
        {
            int count = 0;
            for (final String part : Files.readString(siblingsList).trim().split(","))
            {
                final int dash = part.indexOf('-');
                count += dash < 0 ? 1 : Integer.parseInt(part.substring(dash + 1)) - Integer.parseInt(part.substring(0, dash)) + 1;
            }
            return count;
        }
        catch (final IOException | RuntimeException ignore)
        {
            return 0;
        }
    }

    @Override
    public String toString()
    {
        return "CPU " + cpuModel + ", " + cores + " cores, JDK " + jdk;
    }
}
