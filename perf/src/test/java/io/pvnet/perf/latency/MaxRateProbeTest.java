package io.pvnet.perf.latency;

import org.agrona.concurrent.NanoClock;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The probe against paths of known limits, timed by a clock that advances a fixed step per read: the path's credit,
 * the sender's schedule and the probe's deadlines all follow that clock, so the figures are the same on a quiet and
 * on a loaded machine (on the real clock a descheduled test thread looked like a slow path).
 */
class MaxRateProbeTest
{
    private static final long WARMUP_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long DURATION_NS = TimeUnit.MILLISECONDS.toNanos(300);
    /** Virtual ns per clock read: small against the 2.5-10 us between frames of the paths below. */
    private static final long STEP_NS = 50;

    /** A clock that moves {@link #STEP_NS} on every read and never otherwise: time is the work done. */
    private static final class SteppingClock implements NanoClock
    {
        private long nowNs = 1_000_000_000L;

        @Override
        public long nanoTime()
        {
            nowNs += STEP_NS;
            return nowNs;
        }
    }

    @Test
    void shouldFindTheLimitOfARateLimitedPathAsBothBurstAndSustainedRate()
    {
        final double limit = 100_000;
        final SteppingClock clock = new SteppingClock();
        final MaxRateProbe.Result result = MaxRateProbe.measure(
            new RateLimitedEchoPath(clock, limit, limit, Integer.MAX_VALUE, 256), clock, WARMUP_NS, DURATION_NS);
        assertTrue(result.burstRate() > 0.97 * limit && result.burstRate() < 1.03 * limit, result.toString());
        // bisection precision ~4%, plus the backlog allowed at the end of a trial (1 ms of schedule and 256 frames)
        assertTrue(result.sustainedRate() > 0.9 * limit && result.sustainedRate() < 1.05 * limit, result.toString());
    }

    @Test
    void shouldNotTakeARateOnlyReachedOnFullBatchesForTheSustainedRate()
    {
        // answers 400,000/s only with 512+ frames queued, 100,000/s otherwise: flat out keeps it full and fast, but a
        // schedule above 100,000/s builds a backlog of 512 frames before the path speeds up
        final SteppingClock clock = new SteppingClock();
        final MaxRateProbe.Result result = MaxRateProbe.measure(
            new RateLimitedEchoPath(clock, 100_000, 400_000, 512, 1024), clock, WARMUP_NS, DURATION_NS);
        assertTrue(result.burstRate() > 0.97 * 400_000 && result.burstRate() < 1.03 * 400_000, result.toString());
        assertTrue(result.sustainedRate() > 90_000 && result.sustainedRate() < 105_000, result.toString());
    }
}
