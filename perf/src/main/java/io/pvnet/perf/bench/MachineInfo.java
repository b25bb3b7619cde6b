package io.pvnet.perf.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The facts about this machine that a benchmark figure depends on.
 *
 * @param cpuModel the CPU model name from {@code /proc/cpuinfo}, or {@code unknown}.
 * @param cores    processors available to this JVM.
 * @param jdk      the running JDK's version and VM name.
 */
public record MachineInfo(String cpuModel, int cores, String jdk)
{
    /** @return the facts of the machine this JVM runs on. */
    public static MachineInfo current()
    {
        return new MachineInfo(
            cpuModel(Path.of("/proc/cpuinfo")),
            Runtime.getRuntime().availableProcessors(),
            Runtime.version() + " (" + System.getProperty("java.vm.name") + ")");
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

    @Override
    public String toString()
    {
        return "CPU " + cpuModel + ", " + cores + " cores, JDK " + jdk;
    }
}
