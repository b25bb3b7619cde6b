package io.pvnet.engine.guest;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link StreamCounter}: a receiver's count of a numbered stream as iperf3's server keeps it (received, lost from
 * gaps, late arrivals that fill a gap, duplicates), with 32-bit sequences taken as the nearest 64-bit one and a base
 * below which datagrams belong to an earlier count.
 */
class StreamCounterTest
{
    private final StreamCounter counter = new StreamCounter();

    @Test
    void shouldCountAnInOrderStreamWithoutLoss()
    {
        for (int sequence = 0; sequence < 10_000; sequence++)
        {
            counter.onDatagram(sequence, 64);
        }
        assertEquals(10_000, counter.received());
        assertEquals(640_000, counter.payloadBytes());
        assertEquals(10_000, counter.expected());
        assertEquals(0, counter.lost());
        assertEquals(0, counter.outOfOrder());
        assertEquals(0, counter.duplicates());
    }

    @Test
    void shouldCountAGapAsLostUntilItsDatagramsComeLate()
    {
        counter.onDatagram(0, 10);
        counter.onDatagram(1, 10);
        counter.onDatagram(5, 10); // 2, 3, 4 missing
        assertEquals(6, counter.expected());
        assertEquals(3, counter.lost());
        counter.onDatagram(3, 10); // late: fills one
        assertEquals(2, counter.lost());
        assertEquals(1, counter.outOfOrder());
        assertEquals(0, counter.duplicates());
        assertEquals(6, counter.expected(), "a late datagram does not move the highest");
    }

    @Test
    void shouldTellADuplicateFromALateDatagram()
    {
        counter.onDatagram(0, 10);
        counter.onDatagram(2, 10);
        counter.onDatagram(1, 10); // late
        counter.onDatagram(1, 10); // now a duplicate
        counter.onDatagram(2, 10); // duplicate of an in-order one
        counter.onDatagram(2, 10);
        assertEquals(6, counter.received(), "every datagram counts as received, as iperf3 counts packets");
        assertEquals(1, counter.outOfOrder());
        assertEquals(3, counter.duplicates());
        assertEquals(0, counter.lost(), "duplicates do not hide a loss nor make one");
        counter.onDatagram(4, 10);
        assertEquals(1, counter.lost(), "3 missing");
    }

    @Test
    void shouldRememberArrivalsAcrossAJumpLongerThanItsHistory()
    {
        counter.onDatagram(0, 1);
        counter.onDatagram(StreamCounter.HISTORY * 3, 1); // everything between lost, the bitmap cleared
        assertEquals(StreamCounter.HISTORY * 3 - 1, counter.lost());
        counter.onDatagram(StreamCounter.HISTORY * 3 - 1, 1);
        assertEquals(1, counter.outOfOrder(), "inside the history: late, not a duplicate");
        counter.onDatagram(StreamCounter.HISTORY * 3 - 1, 1);
        assertEquals(1, counter.duplicates());
        counter.onDatagram(5, 1);
        assertEquals(2, counter.outOfOrder(), "older than the history: counted late (it cannot be told)");
    }

    @Test
    void shouldExtendSequencesAcrossTheirThirtyTwoBitWrap()
    {
        counter.start(0xFFFF_FFF0L);
        for (long number = 0xFFFF_FFF0L; number < 0x1_0000_0010L; number++)
        {
            counter.onDatagram((int)number, 1);
        }
        assertEquals(0x1_0000_0010L, counter.expected());
        assertEquals(32, counter.received());
        assertEquals(0, counter.lost());
        assertEquals(0, counter.outOfOrder());
    }

    @Test
    void shouldLeaveOutDatagramsOfAnEarlierCountAndRestartItsFigures()
    {
        for (int sequence = 0; sequence < 100; sequence++)
        {
            counter.onDatagram(sequence, 1);
        }
        counter.reported();
        counter.start(100);
        assertEquals(0, counter.received());
        assertEquals(0, counter.unreported());
        counter.onDatagram(99, 1); // a warm-up datagram arriving after the new count began
        counter.onDatagram(100, 1);
        counter.onDatagram(101, 1);
        assertEquals(1, counter.stale());
        assertEquals(2, counter.received());
        assertEquals(102, counter.expected());
        assertEquals(0, counter.lost());
        assertEquals(2, counter.unreported());
        counter.reported();
        assertEquals(0, counter.unreported());
    }

    @Test
    void shouldCountDatagramsTooShortForAProbeAsTheNextInOrder()
    {
        counter.onUnnumbered(8);
        counter.onUnnumbered(8);
        assertEquals(2, counter.received());
        assertEquals(2, counter.expected());
        assertEquals(16, counter.payloadBytes());
        assertEquals(0, counter.lost());
    }

    @Test
    void shouldForgetExactlyTheSequencesAJumpSkipsAtUnalignedEdges()
    {
        for (int sequence = 0; sequence <= 200; sequence++)
        {
            counter.onDatagram(sequence, 10);
        }
        counter.onDatagram(3201, 10); // 201..3200 missing: their history bits are cleared, 0..200's kept
        assertEquals(3000, counter.lost());
        counter.onDatagram(195, 10); // shares its history word with 201..255: still remembered
        assertEquals(1, counter.duplicates());
        counter.onDatagram(201, 10); // the first skipped: late, not a duplicate
        counter.onDatagram(3200, 10); // the last skipped
        assertEquals(2, counter.outOfOrder());
        assertEquals(1, counter.duplicates());
        counter.onDatagram(3200, 10);
        assertEquals(2, counter.duplicates());
        assertEquals(2998, counter.lost());
    }

    @Test
    void shouldForgetAJumpOfNearlyTheWholeHistoryAcrossTheRingsWrap()
    {
        for (int sequence = 0; sequence < 5000; sequence++)
        {
            counter.onDatagram(sequence, 10);
        }
        final int jump = StreamCounter.HISTORY - 1;
        counter.onDatagram(5000 + jump, 10); // 5000..9094 missing: the ring's slots of 904..4095 and 0..903
        for (int sequence = 5000; sequence < 5000 + jump; sequence++)
        {
            counter.onDatagram(sequence, 10);
        }
        assertEquals(jump, counter.outOfOrder(), "every skipped sequence came late, none taken for a duplicate");
        assertEquals(0, counter.duplicates());
        assertEquals(0, counter.lost());
        counter.onDatagram(5000, 10);
        assertEquals(1, counter.duplicates());
    }

    @Test
    void shouldClearAJumpsHistoryByWordsSoLongJumpsCostLittle()
    {
        // a datagram per jump of HISTORY - 1 clears 4,095 history bits: one by one that is about a thousand times an
        // in-order datagram's cost, by words (64 of them) some tens; the best of a few rounds of each, so load on the
        // machine slows both alike
        long inOrder = Long.MAX_VALUE;
        long jumps = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++)
        {
            inOrder = Math.min(inOrder, costOf(1));
            jumps = Math.min(jumps, costOf(StreamCounter.HISTORY - 1));
        }
        assertTrue(jumps < 200 * inOrder, "long jumps cost " + jumps + " ns, in-order " + inOrder + " ns");
    }

    /** {@return the nanoseconds 100,000 datagrams take, each {@code step} sequences after the last} */
    private static long costOf(final int step)
    {
        final StreamCounter counter = new StreamCounter();
        final long start = System.nanoTime();
        long sequence = 0;
        for (int i = 0; i < 100_000; i++)
        {
            sequence += step;
            counter.onDatagram((int)sequence, 10);
        }
        final long elapsed = System.nanoTime() - start;
        assertEquals(100_000, counter.received());
        return elapsed;
    }

    @Test
    void shouldEstimateInterarrivalJitterAsRfc3550FromTransitDifferences()
    {
        assertEquals(-1, counter.jitterNs(), "none before two timed datagrams");
        counter.onDatagram(0, 64, 1_000);
        assertEquals(-1, counter.jitterNs());
        counter.onDatagram(1, 64, 2_600); // D = 1600: J = 0 + (1600 - 0) / 16
        assertEquals(100, counter.jitterNs());
        counter.onDatagram(2, 64, 1_000); // D = 1600: J = 100 + (1600 - 100) / 16 = 193.75
        assertEquals(193, counter.jitterNs());
        for (int sequence = 3; sequence < 400; sequence++)
        {
            counter.onDatagram(sequence, 64, 5_000_000 + 10_000); // a constant offset between the clocks: no jitter
        }
        assertTrue(counter.jitterNs() < 10, "decays towards 0 on a steady path: " + counter.jitterNs());
        counter.start(400);
        assertEquals(-1, counter.jitterNs(), "a new count estimates again");
        counter.onDatagram(10, 64, 0); // an earlier count's, late: no part of it
        counter.onDatagram(400, 64, 0);
        counter.onDatagram(401, 64, 800);
        assertEquals(50, counter.jitterNs());
    }
}
