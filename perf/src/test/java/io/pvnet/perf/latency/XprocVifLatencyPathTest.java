package io.pvnet.perf.latency;

import io.pvnet.ring.event.IdleMode;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class XprocVifLatencyPathTest
{
    @Test
    void shouldTimeRoundTripsThroughAnIsolatedNetfrontInASecondJvm() throws Exception
    {
        final XprocVifLatencyPath path = new XprocVifLatencyPath(64, IdleMode.NOOP, 2_000);
        try
        {
            assertArrayEquals(new String[] {"host to guest", "guest to host"}, path.stageNames());
            assertEquals(1, path.guestAttaches(), "the guest attached through the control socket (isolated path)");
            final Histogram h = VifLatencyPathTest.timeOnScheduleWithStages(path, 200_000_000L);
            final long p50 = h.getValueAtPercentile(50);
            assertTrue(p50 > 0 && p50 <= h.getValueAtPercentile(99.9) && h.getValueAtPercentile(99.9) <= h.getMaxValue());
            assertTrue(h.getMaxValue() < 1_000_000_000L, "no frame took a second: " + h.getMaxValue());
            assertEquals(0, path.drops());
        }
        finally
        {
            path.close();
        }
        assertFalse(path.guestAlive(), "closing stops the guest JVM");
    }
}
