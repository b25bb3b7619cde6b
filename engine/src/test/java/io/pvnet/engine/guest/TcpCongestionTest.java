package io.pvnet.engine.guest;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TcpCongestion} as {@link TcpSendWindow} drives it, ACK by ACK on a clock set by hand: slow start by bytes
 * acknowledged (RFC 3465, L = 2 MSS), congestion avoidance from the threshold on, the fast retransmit on the third
 * duplicate ACK, NewReno's partial and full ACKs (RFC 6582), and the timeout's one MSS. Sequence numbers wrap within
 * the tests (they start 4 KiB below 2^32).
 */
class TcpCongestionTest
{
    private static final long MASK = TcpSendWindow.SEQUENCE_MASK;
    private static final int MSS = 1000;
    private static final long FIRST = 0xFFFF_F000L;
    private static final int RWND = 1 << 20;
    private static final long RTO = TcpRetransmissionTimer.MIN_RTO_NS;

    private final TcpSendWindow window = new TcpSendWindow();
    private long now;

    /** Sends one-MSS segments while the windows allow; {@return how many} */
    private int fill()
    {
        int segments = 0;
        int length;
        while ((length = window.nextLength(MSS, Long.MAX_VALUE, MSS)) > 0)
        {
            assertFalse(window.resending(), "new data only");
            window.sent(length, ++now);
            segments++;
        }
        return segments;
    }

    private long ack(final long bytesFromFirst)
    {
        return window.onAck((FIRST + bytesFromFirst) & MASK, RWND, true, ++now);
    }

    private void start()
    {
        window.start(FIRST, RWND, 0, MSS, 0); // a handshake of 0 ns: the RTO is its lower bound
    }

    /** Ten segments out, the first acknowledged, then three duplicates of that ACK: a fast retransmit. */
    private void lossOfTheSecondSegment()
    {
        start();
        assertEquals(10, fill());
        ack(MSS); // slow start: 11,000
        for (int i = 0; i < 3; i++)
        {
            ack(MSS);
        }
    }

    @Test
    void shouldStartWithRfc6928sInitialWindow()
    {
        assertEquals(10_000, TcpCongestion.initialWindow(1000));
        assertEquals(14_600, TcpCongestion.initialWindow(1460));
        assertEquals(17_896, TcpCongestion.initialWindow(8948), "two segments at least");
        start();
        assertEquals(10_000, window.congestionWindow());
        assertEquals(10, fill(), "the initial window and no more");
    }

    @Test
    void shouldGrowInSlowStartByTheBytesAcknowledgedUpToTwoSegmentsAnAck()
    {
        start();
        fill();
        ack(MSS);
        assertEquals(11_000, window.congestionWindow(), "one segment acknowledged: one more");
        ack(3 * MSS);
        assertEquals(13_000, window.congestionWindow(), "two acknowledged at once: two more");
        ack(7 * MSS);
        assertEquals(15_000, window.congestionWindow(), "four at once: L = 2 MSS, two more (RFC 3465)");
        assertEquals(15 - 3, fill(), "in flight: the window less what is unacknowledged");
    }

    @Test
    void shouldSwitchToCongestionAvoidanceAtTheThreshold()
    {
        start();
        fill(); // 10 segments
        now += RTO;
        assertTrue(window.checkTimeout(now));
        assertEquals(MSS, window.congestionWindow());
        assertEquals(5_000, window.congestion().threshold(), "half of what was in flight");
        long acked = 0;
        for (int expected = 2_000; expected <= 5_000; expected += 1_000)
        {
            final int length = window.nextLength(MSS, Long.MAX_VALUE, MSS);
            assertEquals(MSS, length);
            window.sent(length, ++now);
            acked += MSS;
            ack(acked);
            assertEquals(expected, window.congestionWindow(), "slow start below the threshold");
        }
        for (int i = 0; i < 4; i++)
        {
            window.sent(window.nextLength(MSS, Long.MAX_VALUE, MSS), ++now);
            acked += MSS;
            ack(acked);
            assertEquals(5_000, window.congestionWindow(), "at the threshold: one MSS per window acknowledged");
        }
        window.sent(window.nextLength(MSS, Long.MAX_VALUE, MSS), ++now);
        ack(acked + MSS);
        assertEquals(6_000, window.congestionWindow(), "a window's worth acknowledged: one MSS more");
    }

    @Test
    void shouldResendOneSegmentOnTheThirdDuplicateAck()
    {
        start();
        assertEquals(10, fill());
        ack(MSS);
        ack(MSS);
        ack(MSS);
        assertFalse(window.resending(), "two duplicates are no loss yet");
        ack(MSS);

        assertTrue(window.resending(), "the third: a fast retransmit");
        assertTrue(window.congestion().recovering());
        assertEquals((FIRST + MSS) & MASK, window.sendSequence(), "the hole at the first unacknowledged byte");
        assertEquals(MSS, window.nextLength(MSS, Long.MAX_VALUE, MSS), "one segment, not the window");
        window.sent(MSS, ++now);
        assertFalse(window.resending(), "sent once");
        assertEquals((FIRST + 10 * MSS) & MASK, window.sendSequence(), "new data goes on where it was");
        assertEquals(4_500, window.congestion().threshold(), "max(FlightSize / 2, 2 MSS) of 9,000 bytes");
        assertEquals(4_500 + 3 * MSS, window.congestionWindow(), "ssthresh + 3 MSS");
        assertEquals(1, window.goBackRounds());

        ack(MSS);
        assertEquals(4_500 + 4 * MSS, window.congestionWindow(), "each further duplicate inflates it by one MSS");
        assertFalse(window.resending(), "and resends nothing");
        assertEquals(1, window.goBackRounds());
    }

    @Test
    void shouldResendTheNextHoleOnAPartialAckAndStayInRecovery()
    {
        lossOfTheSecondSegment();
        window.sent(window.nextLength(MSS, Long.MAX_VALUE, MSS), ++now); // the fast retransmit
        ack(MSS); // a fourth duplicate: 8,500

        assertEquals(2 * MSS, ack(3 * MSS), "a partial ACK: below the recovery point (10 segments)");

        assertTrue(window.congestion().recovering());
        assertTrue(window.resending(), "the next hole");
        assertEquals((FIRST + 3 * MSS) & MASK, window.sendSequence());
        assertEquals(8_500 - 2 * MSS + MSS, window.congestionWindow(), "deflated by what it acknowledged, plus one MSS");
        window.sent(window.nextLength(MSS, Long.MAX_VALUE, MSS), ++now);
        assertFalse(window.resending());
        assertEquals(1, window.goBackRounds(), "one recovery");
    }

    @Test
    void shouldGoBackWhenThePeerKeptNothingAfterTwoResentHolesInARow()
    {
        lossOfTheSecondSegment();
        window.sent(window.nextLength(MSS, Long.MAX_VALUE, MSS), ++now); // the fast retransmit: bytes 1000..2000
        assertEquals(MSS, ack(2 * MSS), "exactly the resent segment: once may be two adjacent losses");
        assertTrue(window.congestion().recovering(), "once: the next hole");
        assertEquals((FIRST + 2 * MSS) & MASK, window.sendSequence());
        window.sent(window.nextLength(MSS, Long.MAX_VALUE, MSS), ++now); // bytes 2000..3000

        assertEquals(MSS, ack(3 * MSS), "exactly the resent segment again: the peer dropped what followed each hole");

        assertFalse(window.congestion().recovering(), "no hole a round trip: a receiver without an out-of-order queue");
        assertEquals(4_500, window.congestionWindow(), "cwnd = ssthresh");
        assertEquals((FIRST + 3 * MSS) & MASK, window.sndNxt(), "everything after it goes again");
        assertTrue(window.resending());
        assertEquals(4, window.nextLength(4 * MSS, Long.MAX_VALUE, MSS) / MSS, "within the congestion window");
        for (int i = 0; i < 3; i++)
        {
            ack(3 * MSS);
        }
        assertFalse(window.congestion().recovering(), "duplicates below the recovery point start no recovery");
        assertEquals(1, window.goBackRounds(), "one recovery");
    }

    @Test
    void shouldResendOnlyTheTwoHolesWhenTwoAdjacentSegmentsAreLostAndThePeerHoldsTheRest()
    {
        start();
        assertEquals(10, fill());
        ack(MSS); // segments 1 and 2 (bytes 1000..3000) lost, 3..9 held by the peer: 7 duplicates
        long resent = 0;
        for (int i = 0; i < 7; i++)
        {
            ack(MSS);
            if (window.resending())
            {
                final int length = window.nextLength(MSS, Long.MAX_VALUE, MSS);
                resent += length;
                window.sent(length, ++now);
            }
        }
        assertEquals(MSS, ack(2 * MSS), "segment 1 resent: a partial ACK exactly at its end");
        assertTrue(window.congestion().recovering());
        assertTrue(window.resending(), "segment 2: the next hole, nothing after it");
        assertEquals((FIRST + 2 * MSS) & MASK, window.sendSequence());
        final int length = window.nextLength(MSS, Long.MAX_VALUE, MSS);
        resent += length;
        window.sent(length, ++now);
        assertFalse(window.resending(), "no go-back: the peer holds 3..9");

        assertEquals(8 * MSS, ack(10 * MSS), "the full ACK");

        assertEquals(2 * MSS, resent, "two segments resent (iperf3's Retr), not eight");
        assertFalse(window.congestion().recovering());
        assertEquals(1, window.goBackRounds());
    }

    @Test
    void shouldLeaveRecoveryOnTheFullAckWithTheWindowAtTheThreshold()
    {
        lossOfTheSecondSegment();
        window.sent(window.nextLength(MSS, Long.MAX_VALUE, MSS), ++now);

        assertEquals(9 * MSS, ack(10 * MSS), "everything up to the recovery point");

        assertFalse(window.congestion().recovering());
        assertFalse(window.resending());
        assertEquals(4_500, window.congestionWindow(), "cwnd = ssthresh");
        assertEquals(4, fill(), "congestion avoidance from 4,500 bytes: four whole segments");
    }

    @Test
    void shouldFastRetransmitTheFirstSegmentSentAfterTheRecoveryPoint()
    {
        lossOfTheSecondSegment();
        window.sent(window.nextLength(MSS, Long.MAX_VALUE, MSS), ++now);
        ack(10 * MSS); // the full ACK: exactly the byte after the highest sent when the recovery began
        assertEquals(4, fill(), "bytes 10,000..14,000");

        for (int i = 0; i < 3; i++)
        {
            ack(10 * MSS); // the first of them was lost
        }

        assertTrue(window.congestion().recovering(), "it covers all of the last recovery (RFC 6582 3.2 step 2)");
        assertTrue(window.resending());
        assertEquals((FIRST + 10 * MSS) & MASK, window.sendSequence());
        assertEquals(2, window.goBackRounds());
    }

    @Test
    void shouldFastRetransmitTheFirstSegmentSentAfterATimeoutsRecoveryPoint()
    {
        start();
        fill();
        ack(MSS);
        assertTrue(window.checkTimeout(now + RTO));
        now += RTO;
        ack(10 * MSS); // everything before the timeout arrived after all
        assertEquals(3, fill(), "slow start from 1 MSS, 2 MSS more: bytes 10,000..13,000");
        for (int i = 0; i < 3; i++)
        {
            ack(10 * MSS); // the first of them was lost
        }

        assertTrue(window.congestion().recovering(), "the timeout's recovery point is covered");
        assertEquals((FIRST + 10 * MSS) & MASK, window.sendSequence());
    }

    @Test
    void shouldForgetTheDueResendWhenTheFullAckComesBeforeIt()
    {
        lossOfTheSecondSegment(); // the resend is due, not sent yet

        ack(10 * MSS); // the "lost" segment was only late: everything arrived

        assertFalse(window.resending(), "nothing left to resend");
        assertEquals(0, window.unacknowledged());
        assertEquals(4, fill(), "new data goes on: congestion avoidance from 4,500 bytes");
        assertEquals((FIRST + 14 * MSS) & MASK, window.sndNxt());
    }

    @Test
    void shouldFastRetransmitOneSegmentNotATsoFrame()
    {
        start();
        final int frame = 60_000;
        window.sent(window.nextLength(frame, Long.MAX_VALUE, MSS), ++now); // nothing in flight: cut to 10,000
        ack(MSS);
        for (int i = 0; i < 3; i++)
        {
            ack(MSS);
        }
        assertTrue(window.resending(), "a fast retransmit");

        assertEquals(MSS, window.nextLength(frame, Long.MAX_VALUE, MSS), "one MSS (RFC 5681 3.2), outside cwnd");
        window.sent(MSS, ++now);
        assertEquals(MSS, ack(2 * MSS), "a partial ACK");
        assertEquals(MSS, window.nextLength(frame, Long.MAX_VALUE, MSS), "the next hole: one MSS too");
    }

    @Test
    void shouldCutATsoFrameToTheWholeSegmentsLeftInTheWindowWithDataInFlight()
    {
        start();
        final int frame = 60_000;
        assertEquals(10 * MSS, window.nextLength(frame, Long.MAX_VALUE, MSS), "nothing in flight: cut to cwnd");
        window.sent(10 * MSS, ++now);
        ack(4 * MSS); // slow start: cwnd 12,000, 6,000 in flight

        assertEquals(6 * MSS, window.nextLength(frame, Long.MAX_VALUE, MSS), "the 6,000 bytes left, not a round trip");
        window.sent(6 * MSS, ++now);
        assertEquals(0, window.nextLength(frame, Long.MAX_VALUE, MSS), "the window is full");
        window.onAck((FIRST + 4 * MSS + 1_500) & MASK, RWND, true, ++now); // cwnd 13,500, 10,500 in flight
        assertEquals(3 * MSS, window.nextLength(frame, Long.MAX_VALUE, MSS), "whole segments only");
    }

    @Test
    void shouldFallToOneSegmentOnATimeoutAndGoBack()
    {
        lossOfTheSecondSegment();
        window.sent(window.nextLength(MSS, Long.MAX_VALUE, MSS), now);

        assertTrue(window.checkTimeout(now + RTO), "the resent segment's answer never came");

        assertEquals(MSS, window.congestionWindow(), "one MSS (RFC 5681 3.1)");
        assertEquals(4_500, window.congestion().threshold(), "max(FlightSize / 2, 2 MSS) of 9,000 bytes");
        assertFalse(window.congestion().recovering(), "the timeout ends the fast recovery");
        assertEquals((FIRST + MSS) & MASK, window.sndNxt(), "back to the first unacknowledged byte");
        assertEquals(MSS, window.nextLength(10 * MSS, Long.MAX_VALUE, MSS), "one segment, however large the frame");
        assertEquals(2, window.goBackRounds());
    }

    @Test
    void shouldStartNoFastRetransmitForDuplicatesOfDataSentBeforeATimeout()
    {
        start();
        fill();
        ack(MSS);
        assertTrue(window.checkTimeout(now + RTO));
        now += RTO;
        window.sent(window.nextLength(MSS, Long.MAX_VALUE, MSS), ++now); // the go-back's first segment
        for (int i = 0; i < 3; i++)
        {
            ack(MSS); // the peer's answers to what it held from before the timeout
        }
        assertFalse(window.congestion().recovering(), "the ACK is not beyond the recovery point (RFC 6582 3.2 step 2)");
        assertEquals(1, window.goBackRounds());
    }

    @Test
    void shouldNeverHaveMoreInFlightThanThePeersWindow()
    {
        window.start(FIRST, 3 * MSS, 0, MSS, 0);
        assertEquals(3, fill(), "rwnd 3,000 below cwnd 10,000");
        window.onAck((FIRST + 3 * MSS) & MASK, 20 * MSS, true, ++now);
        assertEquals(12, fill(), "rwnd 20,000 above cwnd 12,000 (10,000 and two segments acknowledged at once)");
        window.onAck((FIRST + 15 * MSS) & MASK, 13 * MSS, true, ++now);
        assertEquals(13_000, window.congestionWindow(), "grown only up to the peer's window");
        window.onAck((FIRST + 15 * MSS) & MASK, 3 * MSS, false, ++now); // a window update
        window.onAck((FIRST + 16 * MSS) & MASK, 3 * MSS, true, ++now);
        assertEquals(13_000, window.congestionWindow(), "a smaller peer's window shrinks nothing");
    }
}
