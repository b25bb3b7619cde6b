package io.pvnet.perf.latency;

import org.agrona.concurrent.SystemNanoClock;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures the highest rate a {@link LatencyPath} sustains, for {@code ./pvnet latency --rate 50%}: runs the
 * {@link FixedRateSender}'s own loop with a schedule that is always due, so it sends as fast as the path takes frames
 * and the sender itself keeps up (clock reads, bursts of {@link FixedRateSender#MAX_BURST}, polls), and counts the
 * frames that come back per second after a warm-up. Then waits for the frames still out, so the latency run that
 * follows starts empty.
 * <p>
 * Threading: one thread runs {@link #measure}; it becomes the path's sender thread for that time. Busy-spins, without
 * PAUSE.
 */
final class MaxRateProbe implements LatencyPath.FrameReceiver
{
    private static final long DRAIN_NS = TimeUnit.SECONDS.toNanos(1);

    private long received;

    private MaxRateProbe()
    {
    }

    /**
     * @param path       the path, idle (nothing in flight).
     * @param warmupNs   time sent but not counted (JIT, caches).
     * @param durationNs time counted.
     * @return frames per second that came back during the counted time.
     */
    static double measure(final LatencyPath path, final long warmupNs, final long durationNs)
    {
        // the sender's own loop (clock reads, bursts, polls) with a schedule always due: what it sustains flat out
        final FixedRateSender sender = new FixedRateSender(path, new SystemNanoClock(), 1, FixedRateSender.newRecorder(), null);
        final long startNs = System.nanoTime();
        final long endNs = startNs + warmupNs + durationNs;
        final long[] receivedAtWarmupEnd = {-1};
        final Thread sampler = Thread.ofPlatform().daemon().name("pvnet-latency-max-rate-sample").start(() ->
        {
            LockSupport.parkNanos(warmupNs);
            receivedAtWarmupEnd[0] = sender.received();
        });
        sender.run(startNs, startNs, endNs, 0);
        final long receivedAtEnd = sender.received();
        final long actualEndNs = System.nanoTime();
        try
        {
            sampler.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        final long countedNs = Math.max(1, actualEndNs - (startNs + warmupNs));
        final double rate = (receivedAtEnd - Math.max(0, receivedAtWarmupEnd[0])) * 1e9 / countedNs;
        // wait for the frames still out
        final MaxRateProbe probe = new MaxRateProbe();
        final long outstanding = sender.sent() - receivedAtEnd;
        final long drainEndNs = System.nanoTime() + DRAIN_NS;
        while (probe.received < outstanding && drainEndNs - System.nanoTime() > 0)
        {
            path.poll(probe);
        }
        return rate;
    }

    @Override
    public void onFrame(final long intendedSendNs, final long sendNs, final long[] stageNs)
    {
        received++;
    }
}
