package io.pvnet.perf.ring;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The baseline: two volatile longs, 128 bytes apart off-heap (so on separate cache-line pairs), ping written by one
 * thread and pong by the other with volatile stores, each read with volatile loads.
 */
final class VolatilePingPong extends PingPong
{
    private static final int PING_OFFSET = 0;
    private static final int PONG_OFFSET = 128;

    private final UnsafeBuffer cells = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
    private long lastSeen;

    VolatilePingPong()
    {
        cells.putLongVolatile(PING_OFFSET, Long.MIN_VALUE);
        cells.putLongVolatile(PONG_OFFSET, Long.MIN_VALUE);
        lastSeen = Long.MIN_VALUE;
    }

    @Override
    public long roundTrip(final long value)
    {
        cells.putLongVolatile(PING_OFFSET, value);
        long answer;
        while ((answer = cells.getLongVolatile(PONG_OFFSET)) != value)
        {
            // spin
        }
        return answer;
    }

    @Override
    boolean echoOnce()
    {
        final long value = cells.getLongVolatile(PING_OFFSET);
        if (value == lastSeen)
        {
            return false;
        }
        lastSeen = value;
        cells.putLongVolatile(PONG_OFFSET, value);
        return true;
    }
}
