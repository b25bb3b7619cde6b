package io.pvnet.perf.cli.engine;

import io.pvnet.engine.VifBackend;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.control.GuestShare;
import io.pvnet.engine.vif.VifConfig;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What {@code switch --vifs N --queues Q} will need at most, checked before anything is created against what this
 * process may take, so that a switch too large for its JVM or machine stops at start with one line naming the limit
 * and the flag that changes it, never with an exception mid-run (a guest connecting its sixteenth queue, the
 * thousandth guest attaching):
 * <ul>
 * <li>direct memory: each offered queue's backend buffers ({@link VifBackend#directMemoryBytes}), against the JVM's
 * {@code -XX:MaxDirectMemorySize} (by default the heap's maximum);</li>
 * <li>memory: the direct memory, the switch's private region and counters, and every guest's share, against the
 * machine's RAM;</li>
 * <li>open files: three per attached guest (its control socket, its share's memfd, its kick eventfd), against
 * {@code ulimit -n}.</li>
 * </ul>
 * The store, the section table and the counters are sized from the vif count ({@link VifRegion}), so they are no
 * limit of their own. Main thread, at start.
 */
final class SwitchLimits
{
    /** File descriptors the switch's host side holds per attached guest. */
    static final int FDS_PER_GUEST = 3;
    /** Descriptors the JVM and the switch hold besides its guests (jars, epoll, the status file, sockets). */
    static final int FDS_BASE = 256;
    /** Direct memory kept for everything besides the vifs (bridge, router, ports, captures): 64 MiB. */
    static final long DIRECT_BASE_BYTES = 64L << 20;

    /**
     * What the process may take.
     *
     * @param maxDirectBytes the JVM's direct memory limit.
     * @param ramBytes       the machine's memory.
     * @param maxOpenFiles   the soft limit on open files ({@code ulimit -n}), or -1 when unknown.
     */
    record Available(long maxDirectBytes, long ramBytes, long maxOpenFiles)
    {
        /** {@return what this process may take} */
        static Available ofThisProcess()
        {
            return new Available(maxDirectMemory(), ram(), SwitchLimits.maxOpenFiles());
        }
    }

    private SwitchLimits()
    {
    }

    /**
     * {@return the direct memory a switch of {@code vifs} vifs offering {@code queues} queues each takes at most}
     *
     * @param vifs   vifs.
     * @param queues queues offered per vif.
     */
    static long directBytes(final int vifs, final int queues)
    {
        return vifs * VifBackend.directMemoryBytes(VifConfig.of(1, 0).withQueues(queues)) + DIRECT_BASE_BYTES;
    }

    /**
     * Checks a switch's size against what is available.
     *
     * @param vifs      {@code --vifs}.
     * @param queues    {@code --queues}.
     * @param available what the process may take.
     * @throws IllegalArgumentException naming the first limit it would hit, what it needs and the flag to change.
     */
    static void check(final int vifs, final int queues, final Available available)
    {
        final String size = "--vifs=" + vifs + (queues > 1 ? " --queues=" + queues : "");
        final long direct = directBytes(vifs, queues);
        final long memory = direct + VifRegion.hostRegionBytes(vifs, queues) + VifRegion.countersBytes(vifs, queues) +
            vifs * GuestShare.lengthBytes(queues);
        if (memory > available.ramBytes())
        {
            throw new IllegalArgumentException(size + " needs up to " + bytes(memory) + " of memory (" +
                bytes(memory / vifs) + " per vif with every guest attached) and this machine has " +
                bytes(available.ramBytes()) + ": lower --vifs" + (queues > 1 ? " or --queues" : ""));
        }
        if (direct > available.maxDirectBytes())
        {
            throw new IllegalArgumentException(size + " needs up to " + bytes(direct) + " of direct memory (" +
                bytes(VifBackend.directMemoryBytes(VifConfig.of(1, 0))) + " per queue) and this JVM may use " + bytes(available.maxDirectBytes()) +
                " (-XX:MaxDirectMemorySize, by default -Xmx): lower --vifs" + (queues > 1 ? " or --queues" : "") +
                ", or raise it (PVNET_JAVA_OPTS=-XX:MaxDirectMemorySize=" + (direct + (1L << 30) - 1 >> 30) + "g)");
        }
        final long fds = (long)vifs * FDS_PER_GUEST + FDS_BASE;
        if (available.maxOpenFiles() >= 0 && fds > available.maxOpenFiles())
        {
            throw new IllegalArgumentException(size + " needs up to " + fds + " open files (" + FDS_PER_GUEST +
                " per attached guest) and this process may open " + available.maxOpenFiles() +
                " (ulimit -n): lower --vifs, or raise it (ulimit -n " + fds + ")");
        }
    }

    /** {@return a size in binary units: {@code 1.4 MiB}, {@code 85.0 GiB}} */
    static String bytes(final long bytes)
    {
        if (bytes >= 1L << 30)
        {
            return String.format(Locale.ROOT, "%.1f GiB", bytes / (double)(1L << 30));
        }
        if (bytes >= 1L << 20)
        {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double)(1L << 20));
        }
        return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }

    /** {@return the JVM's direct memory limit: {@code -XX:MaxDirectMemorySize}, or the heap's maximum when unset} */
    static long maxDirectMemory()
    {
        try
        {
            final var hotspot = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            final long set = Long.parseLong(hotspot.getVMOption("MaxDirectMemorySize").getValue());
            return set > 0 ? set : Runtime.getRuntime().maxMemory();
        }
        catch (final RuntimeException ex)
        {
            return Runtime.getRuntime().maxMemory();
        }
    }

    private static long ram()
    {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
        {
            return os.getTotalMemorySize();
        }
        return Long.MAX_VALUE;
    }

    /** {@return the soft limit on open files from {@code /proc/self/limits}, or -1 when unknown or unlimited} */
    static long maxOpenFiles()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/limits")))
            {
                if (line.startsWith("Max open files"))
                {
                    final String[] words = line.substring("Max open files".length()).trim().split("\\s+");
                    return words[0].equals("unlimited") ? -1 : Long.parseLong(words[0]);
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // not Linux, or an unexpected format: no check
        }
        return -1;
    }
}
