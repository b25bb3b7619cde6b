package io.pvnet.perf.latency;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

class MaxRateProbeTest
{
    private static final long WARMUP_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long DURATION_NS = TimeUnit.MILLISECONDS.toNanos(300);

    @Test
    void sustainedRateOfARateLimitedPathIsItsLimit()
    {
        final double limit = 100_000;
        final MaxRateProbe.Result result =
            MaxRateProbe.measure(new RateLimitedEchoPath(limit, limit, Integer.MAX_VALUE, 256), WARMUP_NS, DURATION_NS);
        assertTrue(result.burstRate() > 0.8 * limit && result.burstRate() < 1.1 * limit, result.toString());
        // bisection precision ~4%; a descheduled trial only lowers the figure
        assertTrue(result.sustainedRate() > 0.5 * limit && result.sustainedRate() < 1.1 * limit, result.toString());
    }

    @Test
    void aRateOnlyReachedOnFullBatchesIsNotTheSustainedRate()
    {
        // answers 400,000/s only with 512+ frames queued, 100,000/s otherwise: flat out keeps it full and fast, but a
        // schedule above 100,000/s builds a backlog of 512 frames before the path speeds up
        final MaxRateProbe.Result result =
            MaxRateProbe.measure(new RateLimitedEchoPath(100_000, 400_000, 512, 1024), WARMUP_NS, DURATION_NS);
        assertTrue(result.burstRate() > 300_000, result.toString());
        assertTrue(result.sustainedRate() < 110_000 && result.sustainedRate() > 50_000, result.toString());
    }
}
