package io.pvnet.perf.latency;

import io.pvnet.perf.ring.PingPong;
import org.HdrHistogram.Histogram;

import java.util.Set;

/**
 * The baseline of {@code ./pvnet latency}: the plain two-volatile ping-pong ({@link PingPong#create(String)}
 * {@code "baseline"}, the same one {@code ./pvnet bench --scenario ring-latency} reports as {@code baseline.rtt.*}),
 * free-running on the calling thread against its echo thread. Its p50 is one round trip between two cores of this
 * machine: the floor for any path, measured in the same run so the two can be compared.
 */
public final class BaselinePingPong
{
    private BaselinePingPong()
    {
    }

    /**
     * Ping-pongs for {@code warmupNs}, then records round trips for {@code durationNs}. Starts and stops the echo thread.
     *
     * @param warmupNs   time before recording starts.
     * @param durationNs time recorded.
     * @param histogram  receives each round trip in ns; the calling thread is its only writer.
     * @return round trips recorded.
     * @throws IllegalStateException when a value comes back wrong (a broken machine, not a slow one).
     */
    public static long measure(final long warmupNs, final long durationNs, final Histogram histogram)
    {
        return measure(warmupNs, durationNs, histogram, -1, -1);
    }

    /**
     * As {@link #measure(long, long, Histogram)}, with the calling thread pinned to {@code measureCpu} and the echo
     * thread to {@code echoCpu} (as the latency run pins its sender and its path's threads), unless they are -1; the
     * calling thread may run on every CPU again afterwards.
     */
    public static long measure(
        final long warmupNs, final long durationNs, final Histogram histogram, final int measureCpu, final int echoCpu)
    {
        long recorded = 0;
        final Set<Integer> threadsBefore = CpuAffinity.threadIds();
        try (PingPong pingPong = PingPong.create("baseline"))
        {
            pingPong.start();
            if (measureCpu >= 0)
            {
                CpuAffinity.pinCurrentThread(measureCpu);
                for (final int threadId : CpuAffinity.threadIdsSince(threadsBefore))
                {
                    CpuAffinity.pin(threadId, echoCpu);
                }
            }
            final long recordFromNs = System.nanoTime() + warmupNs;
            final long endNs = recordFromNs + durationNs;
            long sequence = 0;
            long beforeNs = System.nanoTime();
            while (endNs - beforeNs > 0)
            {
                if (pingPong.roundTrip(++sequence) != sequence)
                {
                    throw new IllegalStateException("baseline ping-pong: round trip " + sequence + " came back wrong");
                }
                final long afterNs = System.nanoTime();
                if (beforeNs - recordFromNs >= 0)
                {
                    histogram.recordValue(Math.min(afterNs - beforeNs, histogram.getHighestTrackableValue()));
                    recorded++;
                }
                beforeNs = afterNs;
            }
        }
        finally
        {
            if (measureCpu >= 0)
            {
                CpuAffinity.unpinCurrentThread();
            }
        }
        return recorded;
    }
}
