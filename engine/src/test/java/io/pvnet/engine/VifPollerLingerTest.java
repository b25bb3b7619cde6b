package io.pvnet.engine;

import io.pvnet.engine.vif.VifCounters;
import io.pvnet.ring.event.WaitPointIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A vif's linger follows {@link WaitPointIdleStrategy}'s streaming window: a vif with work for
 * {@link WaitPointIdleStrategy#STREAM_AFTER_NS} without a gap as long as its linger stays unarmed through gaps up to
 * the streaming window, a vif with sporadic work keeps the short linger, and no linger stays none. The poller runs on
 * this thread on a clock the test moves: a vif on the active list after a duty cycle that found it no work is
 * lingering with its port unarmed (a poll that finds nothing arms it, and the final check drops it from the list).
 */
final class VifPollerLingerTest
{
    /** As {@code pvnet switch}'s default {@code --spin-us}. */
    private static final long LINGER_NS = 50_000L;
    private static final long FRAME_EVERY_NS = 40_000L;
    private static final long GAP_NS = 500_000L;
    private static final long STEP_NS = 10_000L;
    private static final long STREAM_LINGER_NS = Math.max(LINGER_NS, WaitPointIdleStrategy.STREAM_WINDOW_NS);

    /** A clock that moves only when the test says so. */
    private static final class TestClock implements LongSupplier
    {
        long nowNs = TimeUnit.SECONDS.toNanos(1_000);

        @Override
        public long getAsLong()
        {
            return nowNs;
        }
    }

    private final TestClock clock = new TestClock();
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));

    @Test
    void shouldKeepAStreamingVifUnarmedThroughAGapShorterThanTheStreamWindow() throws Exception
    {
        assumeTrue(WaitPointIdleStrategy.STREAM_WINDOW_NS > GAP_NS + STEP_NS,
            "the streaming window is off or shorter than the gap (-Dpvnet.idle.stream.spin.us)");
        try (PolledSwitch sw = new PolledSwitch(1, LINGER_NS, true, clock))
        {
            connectAndSettle(sw);
            final long lastFrame = stream(sw, WaitPointIdleStrategy.STREAM_AFTER_NS + 1_000_000L);
            for (long gap = STEP_NS; gap <= GAP_NS; gap += STEP_NS)
            {
                idleRoundAt(sw, lastFrame + gap);
                assertEquals(1, sw.poller.activeCount(), "a streaming vif is polled unarmed " + gap / 1_000 +
                    " us into a gap (its guest needs no kick)");
            }
        }
    }

    @Test
    void shouldGiveTheTimeItsRoundReadThroughItsRoundClock() throws Exception
    {
        try (PolledSwitch sw = new PolledSwitch(1, LINGER_NS, true, clock))
        {
            connectAndSettle(sw);
            for (int round = 0; round < 3; round++)
            {
                clock.nowNs += 123_457L;
                final long roundNs = clock.nowNs;
                sw.poller.doWork();
                clock.nowNs += 1_000_000L; // the clock moves on; the round's time stays
                assertEquals(roundNs, sw.poller.roundClock().nanoTime(), "the time read at the round's start");
            }
        }
    }

    @Test
    void shouldArmAVifWithASingleFrameAfterTheShortLinger() throws Exception
    {
        try (PolledSwitch sw = new PolledSwitch(1, LINGER_NS, true, clock))
        {
            connectAndSettle(sw);
            assertShortLinger(sw, clock.nowNs + TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    @Test
    void shouldStartOverAtTheShortLingerOnceAStreamingVifWasArmed() throws Exception
    {
        try (PolledSwitch sw = new PolledSwitch(1, LINGER_NS, true, clock))
        {
            connectAndSettle(sw);
            final long lastFrame = stream(sw, WaitPointIdleStrategy.STREAM_AFTER_NS + 1_000_000L);
            // quiet for its (streaming) linger: armed, off the list
            idleRoundAt(sw, lastFrame + STREAM_LINGER_NS - STEP_NS);
            assertEquals(1, sw.poller.activeCount(), "still lingering before its streaming linger ends");
            idleRoundAt(sw, lastFrame + STREAM_LINGER_NS + STEP_NS);
            assertEquals(0, sw.poller.activeCount(), "armed once quiet for its streaming linger");
            // the next frame, right after: a new run of work, the short linger again
            assertShortLinger(sw, clock.nowNs + STEP_NS);
        }
    }

    @Test
    void shouldNeverLingerWithoutALingerEvenStreaming() throws Exception
    {
        try (PolledSwitch sw = new PolledSwitch(1, 0L, true, clock))
        {
            connectAndSettle(sw);
            final long end = clock.nowNs + WaitPointIdleStrategy.STREAM_AFTER_NS + 1_000_000L;
            for (long t = clock.nowNs + FRAME_EVERY_NS; t - end <= 0; t += FRAME_EVERY_NS)
            {
                frameAt(sw, t);
                // the clock stands still: a vif that lingered at all would stay on the list
                for (int round = 0; round < 10 && sw.poller.activeCount() > 0; round++)
                {
                    sw.round();
                }
                assertEquals(0, sw.poller.activeCount(), "no linger: armed at its first empty poll, " +
                    (t - end + WaitPointIdleStrategy.STREAM_AFTER_NS + 1_000_000L) / 1_000 + " us into the stream");
            }
        }
    }

    /** One frame at {@code at}: polled unarmed for the short linger after it, then armed. */
    private void assertShortLinger(final PolledSwitch sw, final long at)
    {
        frameAt(sw, at);
        for (long gap = STEP_NS; gap < LINGER_NS; gap += STEP_NS)
        {
            idleRoundAt(sw, at + gap);
            assertEquals(1, sw.poller.activeCount(), "lingering " + gap / 1_000 + " us after a single frame");
        }
        idleRoundAt(sw, at + LINGER_NS + STEP_NS);
        assertEquals(0, sw.poller.activeCount(), "a single frame keeps the short linger: armed " +
            (LINGER_NS + STEP_NS) / 1_000 + " us after it");
    }

    /** Frames every {@link #FRAME_EVERY_NS} for {@code lengthNs} from now; returns the time of the last. */
    private long stream(final PolledSwitch sw, final long lengthNs)
    {
        final long start = clock.nowNs + TimeUnit.MILLISECONDS.toNanos(5);
        long last = start;
        for (long t = start; t - (start + lengthNs) <= 0; t += FRAME_EVERY_NS)
        {
            frameAt(sw, t);
            assertEquals(1, sw.poller.activeCount(), "the streaming vif is active");
            last = t;
        }
        return last;
    }

    /** At {@code at}, the guest sends a frame and the host handles it (rounds at that instant). */
    private void frameAt(final PolledSwitch sw, final long at)
    {
        clock.nowNs = at;
        final long sent = sw.backends[0].counters().get(VifCounters.TX_PACKETS);
        sw.send(0, 1, frame); // to a MAC behind no port: the bridge floods it to none
        for (int round = 0; round < 3; round++)
        {
            sw.round();
        }
        assertEquals(sent + 1, sw.backends[0].counters().get(VifCounters.TX_PACKETS), "the backend took the guest's frame");
    }

    /** A duty cycle at {@code at} that finds no work. */
    private void idleRoundAt(final PolledSwitch sw, final long at)
    {
        clock.nowNs = at;
        assertEquals(0, sw.poller.doWork(), "no work in the gap");
        sw.bridge.doWork();
        sw.guests();
    }

    /** Runs everything on this thread, the clock a millisecond on per round, until connected and idle (20 s). */
    private void connectAndSettle(final PolledSwitch sw) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!sw.connected() || sw.poller.activeCount() > 0 || sw.poller.timedCount() > 0)
        {
            assertTrue(System.nanoTime() < deadline, "the vif did not connect and settle");
            clock.nowNs += TimeUnit.MILLISECONDS.toNanos(1);
            sw.round();
            Thread.sleep(1);
        }
    }
}
