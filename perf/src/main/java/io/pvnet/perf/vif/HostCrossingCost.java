package io.pvnet.perf.vif;

import io.pvnet.engine.VifRegion;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.ring.region.Region;
import org.agrona.concurrent.Agent;

import java.util.Arrays;

/**
 * What the switch's host thread spends per frame crossing it, measured so that the machine's load hardly matters: the
 * {@code vif} or {@code switch} bench pipeline ({@link VifPipeline}) stepped on the calling thread, the guests' burst
 * then one duty cycle of the host's agents (vif poller, bridge), and only the host part timed, one clock read on each
 * side of it. A duty cycle that another process preempted is long; the median and the 10th percentile of the cycles
 * are not moved by such cycles, so two builds compare on a loaded 2-core machine (within about 2 %), which wall-clock
 * bench rates cannot. One thread: the lines the guest wrote are in this core's cache, so this is the host's own work
 * per frame (parsing, grant copies, bridge, responses, counters, clock reads), not the cross-core cache misses of the
 * two-thread bench. A burst of 1 gives the cost of a duty cycle that moves one frame, as a UDP echo's crossing does;
 * the default 32 is the bench guest's burst.
 * <pre>
 *   java $(cat perf/target/jvm.options) -cp perf/target/pvnet.jar io.pvnet.perf.vif.HostCrossingCost [switch|vif]
 *       [frameBytes] [seconds] [rounds] [burst]
 * </pre>
 * Prints per round: host ns per frame (mean, median and 10th percentile of the duty cycles, divided by the frames per
 * cycle), the guests' mean, and the share of the wall time this thread was on a CPU (low: the figures are from a
 * loaded machine, read the median and p10).
 */
public final class HostCrossingCost
{
    private HostCrossingCost()
    {
    }

    /**
     * @param args {@code switch} (learning bridge, default) or {@code vif} (crossover), frame bytes (64), seconds per
     *             round (2), rounds after one warm-up round (3), frames per guest burst (32).
     * @throws Exception from an agent's {@code doWork} (the pipeline's throw none).
     */
    public static void main(final String[] args) throws Exception
    {
        final String path = args.length > 0 ? args[0] : "switch";
        final int frameLength = (int)number(args, 1, "frame bytes", 64, 64, 65535, true);
        final double seconds = number(args, 2, "seconds per round", 2, 0.001, 3600, false);
        final int rounds = (int)number(args, 3, "rounds", 3, 1, 1000, true);
        final int burst = (int)number(args, 4, "frames per burst", 32, 1, 256, true);
        if (!"switch".equals(path) && !"vif".equals(path))
        {
            usage("path=" + path + " must be switch or vif");
        }
        final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        final long[] cycleNs = new long[4_000_000];
        for (int round = 0; round <= rounds; round++)
        {
            try (VifPipeline pipeline = new VifPipeline(Region.createAnonymous(VifRegion.regionBytes(2)), frameLength,
                0, 0, 0, ChecksumFrameOffload::new, VifConfig.of(2, 0), burst, VifPipeline.DEFAULT_IDLE,
                "switch".equals(path) ? 2 : 0))
            {
                final VifGuests guests = pipeline.guests();
                final Agent host = pipeline.hostAgent();
                final long framesBefore = guests.received();
                final long cpuBefore = threads.getCurrentThreadCpuTime();
                final long start = System.nanoTime();
                final long end = start + (long)(seconds * 1e9);
                long guestNs = 0;
                long hostNs = 0;
                int cycles = 0;
                long t0 = start;
                while (t0 - end < 0 && cycles < cycleNs.length)
                {
                    guests.step();
                    final long t1 = System.nanoTime();
                    host.doWork();
                    final long t2 = System.nanoTime();
                    guestNs += t1 - t0;
                    hostNs += t2 - t1;
                    cycleNs[cycles++] = t2 - t1;
                    t0 = t2;
                }
                if (cycles == cycleNs.length)
                {
                    System.out.printf("(round ended after %d duty cycles, %.2f s: the most it records)%n", cycles,
                        (t0 - start) / 1e9);
                }
                final long frames = guests.received() - framesBefore;
                final double onCpu = (threads.getCurrentThreadCpuTime() - cpuBefore) / (double)(System.nanoTime() - start);
                if (round == 0 || frames == 0)
                {
                    continue; // warm-up: the JIT compiles the path
                }
                Arrays.sort(cycleNs, 0, cycles);
                final double perCycle = frames / (double)cycles;
                System.out.printf("%s.%d burst %d: host ns/frame mean %.1f median %.1f p10 %.1f | guest mean %.1f | " +
                    "%.2f frames/cycle, on CPU %.2f, %.2f M frames%n", path, frameLength, burst, hostNs / (double)frames,
                    cycleNs[cycles / 2] / perCycle, cycleNs[cycles / 10] / perCycle, guestNs / (double)frames, perCycle,
                    onCpu, frames / 1e6);
            }
        }
    }

    /**
     * {@return argument {@code index} as a number in {@code min..max} (a whole one when {@code whole}), or
     * {@code fallback} when absent; anything else ends the run with one line}
     */
    private static double number(
        final String[] args, final int index, final String name, final double fallback, final double min,
        final double max, final boolean whole)
    {
        if (args.length <= index)
        {
            return fallback;
        }
        try
        {
            final double value = Double.parseDouble(args[index]);
            if (value >= min && value <= max && (!whole || value == Math.rint(value)))
            {
                return value;
            }
        }
        catch (final NumberFormatException ignored)
        {
            // refused below, as a value out of range is
        }
        usage(name + "=" + args[index] + " must be " + (whole ? "a whole number" : "a number") + " in " +
            plain(min) + ".." + plain(max));
        return fallback;
    }

    private static String plain(final double value)
    {
        return value == Math.rint(value) ? Long.toString((long)value) : Double.toString(value);
    }

    private static void usage(final String problem)
    {
        System.err.println("HostCrossingCost: " + problem + " (arguments: switch|vif, frame bytes, seconds per round, " +
            "rounds, frames per burst)");
        System.exit(2);
    }
}
