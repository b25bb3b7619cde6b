package io.pvnet.perf.latency;

import io.pvnet.ring.RingLayout;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RingLatencyPathTest
{
    @Test
    void shouldReturnEveryFrameWithItsStampsInOrderOfTime()
    {
        for (final RingLayout layout : RingLayout.values())
        {
            try (RingLatencyPath path = new RingLatencyPath(layout))
            {
                final int frames = 20_000;
                final long[] checked = new long[2];
                final LatencyPath.FrameReceiver receiver = (intendedNs, sendNs, stages) ->
                {
                    final long nowNs = System.nanoTime();
                    // each frame: its own numbers back, and sent <= picked up <= pushed <= received
                    assertEquals(checked[0], intendedNs);
                    assertEquals(intendedNs * 3, sendNs);
                    assertEquals(2, stages.length);
                    assertTrue(stages[0] <= stages[1] && stages[1] <= nowNs, layout.toString());
                    checked[0]++;
                };
                long next = 0;
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (checked[0] < frames && System.nanoTime() < deadline)
                {
                    while (next < frames && path.offer(next, next * 3))
                    {
                        next++;
                    }
                    path.poll(receiver);
                }
                assertEquals(frames, checked[0], layout.toString());
                assertEquals(0, path.protocolErrors());
            }
        }
    }

    @Test
    void shouldRefuseWhenEverySlotAwaitsItsResponse()
    {
        try (RingLatencyPath path = new RingLatencyPath(RingLayout.XEN))
        {
            assertEquals(256, path.size());
            for (int i = 0; i < path.size(); i++)
            {
                assertTrue(path.offer(i, i));
            }
            // the responses are there, but not consumed: their slots are not free yet
            assertFalse(path.offer(256, 256));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int polled = 0;
            while (polled < 256 && System.nanoTime() < deadline)
            {
                polled += path.poll((intendedNs, sendNs, stages) -> { });
            }
            assertEquals(256, polled);
            assertTrue(path.offer(256, 256));
        }
    }

    @Test
    void shouldTimeTheRingOnScheduleWithStageBreakdown()
    {
        try (RingLatencyPath path = new RingLatencyPath(RingLayout.XEN))
        {
            assertArrayEquals(new String[] {"tx ring", "backend", "rx ring"}, path.stageNames());
            final SingleWriterRecorder recorder = FixedRateSender.newRecorder();
            final SingleWriterRecorder[] stages = FixedRateSender.newStageRecorders(path);
            // a first run loads and compiles what the loop uses
            new FixedRateSender(path, new SystemNanoClock(), 50_000, FixedRateSender.newRecorder(), FixedRateSender.newStageRecorders(path))
                .run(System.nanoTime(), System.nanoTime(), System.nanoTime() + 100_000_000L, 1_000_000_000L);

            final FixedRateSender sender = new FixedRateSender(path, new SystemNanoClock(), 50_000, recorder, stages);
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
            final long allocatedBefore = threads.getThreadAllocatedBytes(Thread.currentThread().threadId());
            final long start = System.nanoTime();
            sender.run(start, start + 100_000_000L, start + 400_000_000L, 1_000_000_000L);
            final long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().threadId()) - allocatedBefore;
            // one object per frame would be at least 16 B x 8,000 = 128 KB; a few KB once (a deoptimisation, a late
            // class initialisation on this busy machine) is not the loop allocating
            assertTrue(allocated < 16_000, "the sender allocated " + allocated + " bytes for 8,000 frames through the ring");

            final Histogram h = recorder.getIntervalHistogram();
            assertEquals(6_000, sender.sent(), "300 ms at 20,000 frames/s after 100 ms of warm-up");
            assertEquals(6_000, h.getTotalCount());
            // the stages add up to the round trip, frame by frame
            double stageMeans = 0;
            for (final SingleWriterRecorder stage : stages)
            {
                final Histogram s = stage.getIntervalHistogram();
                assertEquals(6_000, s.getTotalCount());
                stageMeans += s.getMean();
            }
            assertEquals(h.getMean(), stageMeans, h.getMean() * 0.01 + 5);
        }
    }
}
