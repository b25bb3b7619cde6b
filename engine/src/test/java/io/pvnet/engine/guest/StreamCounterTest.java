package io.pvnet.engine.guest;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
