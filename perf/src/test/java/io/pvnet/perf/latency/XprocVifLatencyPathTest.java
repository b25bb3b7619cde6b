package io.pvnet.perf.latency;

import io.pvnet.ring.event.IdleMode;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class XprocVifLatencyPathTest
{
    @Test
    void shouldTimeRoundTripsThroughANetfrontInASecondJvm() throws Exception
    {
        final XprocVifLatencyPath path = new XprocVifLatencyPath(64, IdleMode.NOOP);
        try
        {
            assertArrayEquals(new String[] {"host to guest", "guest to host"}, path.stageNames());
            final SingleWriterRecorder recorder = FixedRateSender.newRecorder();
            final SingleWriterRecorder[] stages = FixedRateSender.newStageRecorders(path);
            final FixedRateSender sender = new FixedRateSender(path, new SystemNanoClock(), 100_000, recorder, stages);
            final long start = System.nanoTime();
            sender.run(start, start + 200_000_000L, start + 500_000_000L, 1_000_000_000L);
            final Histogram h = recorder.getIntervalHistogram();
            assertEquals(3_000, sender.sent(), "300 ms at 10,000 frames/s after 200 ms of warm-up");
            assertEquals(3_000, h.getTotalCount(), "every frame came back from the guest JVM and was recorded");
            final long p50 = h.getValueAtPercentile(50);
            assertTrue(p50 > 0 && p50 <= h.getValueAtPercentile(99.9) && h.getValueAtPercentile(99.9) <= h.getMaxValue());
            assertTrue(h.getMaxValue() < 1_000_000_000L, "no frame took a second: " + h.getMaxValue());
            double stageMeans = 0;
            for (final SingleWriterRecorder stage : stages)
            {
                stageMeans += stage.getIntervalHistogram().getMean();
            }
            assertEquals(h.getMean(), stageMeans, h.getMean() * 0.01 + 5, "stages add up to the round trip");
            assertEquals(0, path.drops());
        }
        finally
        {
            path.close();
        }
        assertFalse(path.guestAlive(), "closing stops the guest JVM");
    }
}
