package io.pvnet.perf.latency;

import org.HdrHistogram.Histogram;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The plain two-volatile ping-pong: the floor for any round trip between two threads on this machine, measured in the
 * same run as a path so the two can be compared ({@code baseline.rtt.p50}).
 * <pre>
 *  0        8                           128       136
 *  +--------+---------------------------+---------+
 *  |  ping  |       (own cache lines)   |  pong   |
 *  +--------+---------------------------+---------+
 * </pre>
 * The pinger writes a sequence number to {@code ping} (release) and spins until {@code pong} shows it (acquire); the
 * ponger spins on {@code ping} and copies what it sees to {@code pong}. The two longs sit 128 bytes apart (two cache
 * lines, against adjacent-line prefetch) in an off-heap buffer. The pinger records each round trip in ns.
 */
public final class VolatilePingPong
{
    static final int PING_OFFSET = 0;
    static final int PONG_OFFSET = 128;
    static final int LENGTH = 192;

    private VolatilePingPong()
    {
    }

    /**
     * Ping-pongs for {@code warmupNs}, then records round trips for {@code durationNs}. Starts and joins the ponger.
     *
     * @param warmupNs   time before recording starts.
     * @param durationNs time recorded.
     * @param histogram  receives each round trip in ns; the calling thread is its only writer.
     * @return round trips recorded.
     */
    public static long measure(final long warmupNs, final long durationNs, final Histogram histogram)
        throws InterruptedException
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(LENGTH, 128));
        buffer.putLongVolatile(PING_OFFSET, 0);
        buffer.putLongVolatile(PONG_OFFSET, 0);
        final Thread ponger = Thread.ofPlatform().daemon().name("pvnet-pong").start(() -> pong(buffer));
        long sequence = 0;
        long recorded = 0;
        try
        {
            final long startNs = System.nanoTime();
            final long recordFromNs = startNs + warmupNs;
            final long endNs = recordFromNs + durationNs;
            long nowNs = startNs;
            while (endNs - nowNs > 0)
            {
                sequence++;
                final long sentNs = System.nanoTime();
                buffer.putLongRelease(PING_OFFSET, sequence);
                while (buffer.getLongAcquire(PONG_OFFSET) != sequence)
                {
                    Thread.onSpinWait();
                }
                nowNs = System.nanoTime();
                if (sentNs - recordFromNs >= 0)
                {
                    histogram.recordValue(Math.min(nowNs - sentNs, histogram.getHighestTrackableValue()));
                    recorded++;
                }
            }
        }
        finally
        {
            buffer.putLongRelease(PING_OFFSET, -1);
            ponger.join();
        }
        return recorded;
    }

    private static void pong(final UnsafeBuffer buffer)
    {
        long last = 0;
        while (true)
        {
            final long ping = buffer.getLongAcquire(PING_OFFSET);
            if (ping == -1)
            {
                return;
            }
            if (ping != last)
            {
                last = ping;
                buffer.putLongRelease(PONG_OFFSET, ping);
            }
            else
            {
                Thread.onSpinWait();
            }
        }
    }
}
