package io.pvnet.perf.latency;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FixedRateSenderTest
{
    private static final long INTERVAL_NS = 10_000; // 100,000 frames/s

    @Test
    void shouldSendExactlyTheScheduleAndTimeFromIntendedSendTime()
    {
        final FakeClock clock = new FakeClock();
        final InstantEchoPath path = new InstantEchoPath(clock, 100, 50);
        final SingleWriterRecorder recorder = FixedRateSender.newRecorder();
        final FixedRateSender sender = new FixedRateSender(path, clock, INTERVAL_NS, recorder, null);
        final long start = clock.nanoTime();
        sender.run(start, start, start + 100_000_000L, 1_000_000L);

        final Histogram h = recorder.getIntervalHistogram();
        assertEquals(10_000, sender.sent());
        assertEquals(10_000, sender.received());
        assertEquals(10_000, h.getTotalCount());
        // the sender polls right after sending: every round trip is the offer plus one poll, give or take the spin
        assertTrue(h.getMaxValue() < INTERVAL_NS, "max=" + h.getMaxValue());
        assertTrue(h.getMinValue() >= 150, "min=" + h.getMinValue());
    }

    @Test
    void shouldShowAStallInEveryFrameThatShouldHaveGoneOutDuringIt()
    {
        final FakeClock clock = new FakeClock();
        final InstantEchoPath path = new InstantEchoPath(clock, 100, 50);
        path.stallAtFrame = 5_000;
        path.stallNs = 10_000_000L; // 10 ms: 1,000 frames' worth at 100,000 frames/s
        final SingleWriterRecorder recorder = FixedRateSender.newRecorder();
        final FixedRateSender sender = new FixedRateSender(path, clock, INTERVAL_NS, recorder, null);
        final long start = clock.nanoTime();
        sender.run(start, start, start + 100_000_000L, 1_000_000L);

        final Histogram h = recorder.getIntervalHistogram();
        assertEquals(10_000, h.getTotalCount(), "no frame of the schedule is skipped");
        // timed from the actual send, only the stalled frame would be slow; from the intended time about a thousand
        // frames queued behind the stall are, in a ramp from 10 ms down to 0 (the catch-up burst adds ~1%)
        final long slowerThan1ms = h.getTotalCount() - h.getCountBetweenValues(0, 1_000_000);
        assertTrue(slowerThan1ms >= 890 && slowerThan1ms <= 930, "frames over 1 ms: " + slowerThan1ms);
        assertTrue(h.getValueAtPercentile(99) > 8_000_000, "p99=" + h.getValueAtPercentile(99));
        assertTrue(h.getValueAtPercentile(95) > 4_500_000 && h.getValueAtPercentile(95) < 5_500_000,
            "p95=" + h.getValueAtPercentile(95));
        // the stalled frame comes back after at most one burst of catch-up sends
        assertTrue(h.getMaxValue() >= 10_000_000 && h.getMaxValue() < 10_010_000, "max=" + h.getMaxValue());
        assertTrue(h.getValueAtPercentile(50) < 1_000, "p50=" + h.getValueAtPercentile(50));
    }

    @Test
    void shouldNeitherRecordNorCountFramesIntendedDuringWarmup()
    {
        final FakeClock clock = new FakeClock();
        final InstantEchoPath path = new InstantEchoPath(clock, 100, 50);
        path.stallAtFrame = 999; // the last warm-up frame stalls: the first measured ones queue behind it
        path.stallNs = 1_000_000L;
        final SingleWriterRecorder recorder = FixedRateSender.newRecorder();
        final FixedRateSender sender = new FixedRateSender(path, clock, INTERVAL_NS, recorder, null);
        final long start = clock.nanoTime();
        sender.run(start, start + 10_000_000L, start + 30_000_000L, 1_000_000L);
        final Histogram h = recorder.getIntervalHistogram();
        assertEquals(2_000, sender.sent());
        assertEquals(2_000, sender.received());
        assertEquals(2_000, h.getTotalCount());
        // the stalled warm-up frame itself is not recorded, the measured frames delayed by it are
        assertTrue(h.getMaxValue() < 1_000_000 && h.getMaxValue() > 900_000, "max=" + h.getMaxValue());
        // the warm-up's frames went through the same recording, into the warm-up's recorder: the stalled one too
        final Histogram warmup = sender.warmupRecorder().getIntervalHistogram();
        assertEquals(1_000, warmup.getTotalCount());
        assertTrue(warmup.getMaxValue() >= 1_000_000, "warm-up max=" + warmup.getMaxValue());
        assertEquals(2_000, LatencyRun.scheduled(start, start + 10_000_000L, start + 30_000_000L, INTERVAL_NS));
        assertEquals(3, LatencyRun.scheduled(0, 5, 31, 10));
        assertEquals(0, LatencyRun.scheduled(0, 40, 31, 10));
    }

    @Test
    void shouldRetryRefusedFramesWithTheirOriginalIntendedTime()
    {
        final FakeClock clock = new FakeClock();
        final InstantEchoPath path = new InstantEchoPath(clock, 100, 50);
        path.refuseEvery = 3;
        final SingleWriterRecorder recorder = FixedRateSender.newRecorder();
        final FixedRateSender sender = new FixedRateSender(path, clock, INTERVAL_NS, recorder, null);
        final long start = clock.nanoTime();
        sender.run(start, start, start + 10_000_000L, 1_000_000L);
        assertEquals(1_000, sender.sent());
        assertEquals(1_000, sender.received());
        assertTrue(sender.refused() >= 400, "refused=" + sender.refused());
        // a refused frame waits one poll (50 ns) before its retry: it shows up in its latency
        final Histogram h = recorder.getIntervalHistogram();
        assertTrue(h.getMaxValue() >= h.getMinValue() + 50, h.getMinValue() + " " + h.getMaxValue());
    }

    @Test
    void shouldRecordEachStageBetweenItsStamps()
    {
        final FakeClock clock = new FakeClock();
        final InstantEchoPath path = new InstantEchoPath(clock, 100, 50);
        final SingleWriterRecorder recorder = FixedRateSender.newRecorder();
        final SingleWriterRecorder[] stages = FixedRateSender.newStageRecorders(path);
        final FixedRateSender sender = new FixedRateSender(path, clock, INTERVAL_NS, recorder, stages);
        final long start = clock.nanoTime();
        sender.run(start, start, start + 1_000_000L, 1_000_000L);

        final Histogram total = recorder.getIntervalHistogram();
        final Histogram queue = stages[0].getIntervalHistogram();
        final Histogram out = stages[1].getIntervalHistogram();
        final Histogram turn = stages[2].getIntervalHistogram();
        final Histogram back = stages[3].getIntervalHistogram();
        assertEquals(100, total.getTotalCount());
        assertEquals(10, out.getMinValue());
        assertEquals(10, out.getMaxValue());
        assertEquals(20, turn.getMaxValue());
        // send queue + out + turn + back = round trip, frame by frame, so the means add up
        assertEquals(total.getMean(), queue.getMean() + out.getMean() + turn.getMean() + back.getMean(), 1.0);
        assertThrows(IllegalArgumentException.class,
            () -> new FixedRateSender(path, clock, INTERVAL_NS, recorder, new SingleWriterRecorder[2]));
        assertThrows(IllegalArgumentException.class, () -> new FixedRateSender(path, clock, 0, recorder, null));
    }

    @Test
    void shouldAllocateNothingWhileSendingAndRecording()
    {
        final FakeClock clock = new FakeClock();
        final InstantEchoPath path = new InstantEchoPath(clock, 100, 50);
        final SingleWriterRecorder recorder = FixedRateSender.newRecorder();
        final SingleWriterRecorder[] stages = FixedRateSender.newStageRecorders(path);
        final FixedRateSender sender = new FixedRateSender(path, clock, INTERVAL_NS, recorder, stages);
        // warm up so class loading and JIT do not count
        long start = clock.nanoTime();
        sender.run(start, start, start + 200_000_000L, 1_000_000L);

        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().threadId();
        final long before = threads.getThreadAllocatedBytes(threadId);
        start = clock.nanoTime();
        sender.run(start, start, start + 1_000_000_000L, 1_000_000L); // 100,000 frames
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;
        assertEquals(120_000, sender.sent());
        // one object per frame would be at least 16 B x 100,000 = 1.6 MB
        assertTrue(allocated < 16_000, "allocated " + allocated + " bytes for 100,000 frames");
    }
}
