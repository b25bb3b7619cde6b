package io.pvnet.perf.latency;

import org.agrona.concurrent.NanoClock;

/** A clock that moves only when a test path moves it, so latencies are exact. */
final class FakeClock implements NanoClock
{
    long nowNs = 1_000_000_000L;

    @Override
    public long nanoTime()
    {
        return nowNs;
    }

    void advance(final long ns)
    {
        nowNs += ns;
    }
}
