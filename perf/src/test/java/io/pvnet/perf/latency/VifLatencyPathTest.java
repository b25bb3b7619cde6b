package io.pvnet.perf.latency;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VifLatencyPathTest
{
    @Test
    void shouldBringEveryFrameBackThroughNetfrontAndXnbWithStampsInOrder()
    {
        for (final int size : new int[] {64, 1500, 9000})
        {
            try (VifLatencyPath path = new VifLatencyPath(size))
            {
                checkEveryFrameComesBack(path, size, path::drops);
            }
        }
    }

    @Test
    void shouldBringEveryFrameBackThroughTheSwitchAndGuestBsEcho()
    {
        for (final int size : new int[] {64, 1500})
        {
            try (SwitchLatencyPath path = new SwitchLatencyPath(size))
            {
                assertEquals(8, path.stageNames().length);
                assertEquals("bridge A>B", path.stageNames()[2]);
                checkEveryFrameComesBack(path, size, path::drops);
            }
        }
        try (SwitchLatencyPath path = new SwitchLatencyPath(64))
        {
            // eight stages (tx ring, xnb, bridge, rx per direction) that add up to the round trip frame by frame
            timeOnScheduleWithStages(path, 100_000_000L);
        }
        assertThrows(IllegalArgumentException.class, () -> new SwitchLatencyPath(VifLatencyPath.MIN_FRAME_BYTES - 1));
    }

    private static void checkEveryFrameComesBack(
        final LatencyPath path, final int size, final java.util.function.LongSupplier drops)
    {
        final int frames = 5_000;
        final long[] checked = new long[1];
        final LatencyPath.FrameReceiver receiver = (intendedNs, sendNs, stages) ->
        {
            final long nowNs = System.nanoTime();
            assertEquals(checked[0], intendedNs, "frames come back in order, size " + size);
            assertEquals(-intendedNs, sendNs);
            assertEquals(path.stageNames().length - 1, stages.length);
            long previous = -intendedNs;
            for (final long stage : stages)
            {
                assertTrue(stage <= nowNs);
                if (path instanceof SwitchLatencyPath)
                {
                    assertTrue(stage >= previous, "stamps in stage order");
                    previous = stage;
                }
            }
            checked[0]++;
        };
        long next = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (checked[0] < frames && System.nanoTime() < deadline)
        {
            // at most 16 out: the backend's 512 KiB rx queue holds 58 frames of 9000 B, and drops beyond
            while (next < frames && next - checked[0] < 16 && path.offer(next, -next))
            {
                next++;
            }
            path.poll(receiver);
        }
        assertEquals(frames, checked[0], path.name() + ", size " + size);
        assertEquals(0, drops.getAsLong());
    }

    @Test
    void shouldTimeTheVifOnScheduleWithStages()
    {
        try (VifLatencyPath path = new VifLatencyPath(64))
        {
            assertArrayEquals(new String[] {"tx to host", "host to rx"}, path.stageNames());
            timeOnScheduleWithStages(path, 100_000_000L);
        }
        assertThrows(IllegalArgumentException.class, () -> new VifLatencyPath(VifLatencyPath.MIN_FRAME_BYTES - 1));
    }

    /**
     * Times {@code path} at 10,000 frames/s for 300 ms after {@code warmupNs}, checks every frame was sent, came back
     * and was recorded, and that the stages add up to the round trip.
     *
     * @return the round trips.
     */
    static Histogram timeOnScheduleWithStages(final LatencyPath path, final long warmupNs)
    {
        final SingleWriterRecorder recorder = FixedRateSender.newRecorder();
        final SingleWriterRecorder[] stages = FixedRateSender.newStageRecorders(path);
        final FixedRateSender sender = new FixedRateSender(path, new SystemNanoClock(), 100_000, recorder, stages);
        final long start = System.nanoTime();
        sender.run(start, start + warmupNs, start + warmupNs + 300_000_000L, 1_000_000_000L);
        final Histogram h = recorder.getIntervalHistogram();
        assertEquals(3_000, sender.sent(), "300 ms at 10,000 frames/s after the warm-up");
        assertEquals(3_000, h.getTotalCount(), "every frame came back and was recorded");
        double stageMeans = 0;
        for (final SingleWriterRecorder stage : stages)
        {
            stageMeans += stage.getIntervalHistogram().getMean();
        }
        assertEquals(h.getMean(), stageMeans, h.getMean() * 0.01 + 5, "stages add up to the round trip");
        return h;
    }
}
