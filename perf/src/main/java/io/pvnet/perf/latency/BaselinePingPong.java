package io.pvnet.perf.latency;

import io.pvnet.perf.ring.PingPong;
import org.HdrHistogram.Histogram;

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
        long recorded = 0;
        try (PingPong pingPong = PingPong.create("baseline"))
        {
            pingPong.start();
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
        return recorded;
    }
}
