package io.pvnet.perf.latency;

import org.agrona.concurrent.NanoClock;

/**
 * A path with no thread that answers frames at a limited rate of a given clock: {@code slowRate} frames/s while fewer
 * than {@code deepFrames} are queued, {@code fastRate} when at least that many are (a path that only reaches its best
 * rate on full batches). Holds up to {@code capacity} frames; a full path refuses. Allocates nothing after construction.
 */
final class RateLimitedEchoPath implements LatencyPath
{
    private static final int MAX_CREDIT = 64;

    private final long[] intended;
    private final long[] sent;
    private final long[] stamps = new long[0];
    private final double slowRate;
    private final double fastRate;
    private final int deepFrames;
    private long head;
    private long tail;
    private final NanoClock clock;
    private long lastNs;
    private double credit;

    RateLimitedEchoPath(
        final NanoClock clock, final double slowRate, final double fastRate, final int deepFrames, final int capacity)
    {
        this.clock = clock;
        this.lastNs = clock.nanoTime();
        this.slowRate = slowRate;
        this.fastRate = fastRate;
        this.deepFrames = deepFrames;
        this.intended = new long[capacity];
        this.sent = new long[capacity];
    }

    @Override
    public String name()
    {
        return "rate-limited";
    }

    @Override
    public boolean offer(final long intendedSendNs, final long sendNs)
    {
        if (tail - head == intended.length)
        {
            return false;
        }
        intended[(int)(tail % intended.length)] = intendedSendNs;
        sent[(int)(tail % intended.length)] = sendNs;
        tail++;
        return true;
    }

    @Override
    public int poll(final FrameReceiver receiver)
    {
        final long nowNs = clock.nanoTime();
        final double rate = tail - head >= deepFrames ? fastRate : slowRate;
        credit = Math.min(MAX_CREDIT, credit + (nowNs - lastNs) * rate / 1e9);
        lastNs = nowNs;
        int count = 0;
        while (credit >= 1 && head < tail)
        {
            credit -= 1;
            receiver.onFrame(intended[(int)(head % intended.length)], sent[(int)(head % intended.length)], stamps);
            head++;
            count++;
        }
        return count;
    }

    @Override
    public void close()
    {
    }
}
