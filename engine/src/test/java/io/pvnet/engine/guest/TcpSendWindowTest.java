package io.pvnet.engine.guest;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TcpSendWindow}: the FIN after the highest byte sent, resent with the timeout; sequence numbers that wrap; resent
 * segments apart from new ones; RFC 6298's timer as the window drives it (Karn's rule, started by a send, stopped when
 * everything is acknowledged). Time is set by hand.
 */
class TcpSendWindowTest
{
    private static final long MASK = TcpSendWindow.SEQUENCE_MASK;
    private static final int MSS = 1000;
    private static final long FIRST = 0xFFFF_F000L; // wraps after 4096 bytes
    private static final long RTO = TcpRetransmissionTimer.MIN_RTO_NS;

    private final TcpSendWindow window = new TcpSendWindow();

    private void send(final int bytes)
    {
        send(bytes, 0);
    }

    private void send(final int bytes, final long nowNs)
    {
        window.sent(window.nextLength(bytes, Long.MAX_VALUE, MSS), nowNs);
    }

    @Test
    void shouldPutTheFinAfterTheHighestByteSentAfterAGoBack()
    {
        window.start(FIRST, 65535, 0, MSS, 0); // a handshake of 0 ns: the RTO is its lower bound
        send(MSS);
        send(MSS);
        send(MSS);
        assertEquals((FIRST + 3 * MSS) & MASK, window.sndMax());
        assertTrue(window.checkTimeout(RTO), "no acknowledgment: back to the first byte");
        assertEquals(FIRST, window.sndNxt());
        assertEquals((FIRST + 3 * MSS) & MASK, window.sndMax(), "the highest byte sent stays");
        window.close();
        assertEquals((FIRST + 3 * MSS) & MASK, window.finSequence());
        assertFalse(window.finDue(), "the data before the FIN goes first");
        assertEquals(MSS, window.nextLength(MSS, Long.MAX_VALUE, MSS));
        window.sent(MSS, RTO);
        window.sent(MSS, RTO);
        window.sent(MSS, RTO);
        assertEquals(0, window.nextLength(MSS, Long.MAX_VALUE, MSS), "nothing past the FIN");
        assertTrue(window.finDue());
    }

    @Test
    void shouldResendTheFinWithTheTimeoutAndCountOnlyTheDataItAcknowledges()
    {
        window.start(FIRST, 65535, 0, MSS, 0); // a handshake of 0 ns: the RTO is its lower bound
        send(2 * MSS);
        window.close();
        window.finSent(10);
        assertFalse(window.finDue(), "in flight");
        assertFalse(window.checkTimeout(RTO - 1), "the timer runs from the data's send, not the FIN's");
        assertTrue(window.checkTimeout(RTO));
        assertFalse(window.finDue(), "the data before it again first");
        assertEquals(MSS, window.nextLength(2 * MSS, Long.MAX_VALUE, MSS), "one MSS after a timeout");
        window.sent(MSS, RTO + 1);
        window.sent(MSS, RTO + 1); // past the congestion window: as if an ACK had opened it
        assertTrue(window.finDue(), "then the FIN again");
        window.finSent(RTO + 2);
        final long finAck = (FIRST + 2 * MSS + 1) & MASK;
        assertEquals(2 * MSS, window.onAck(finAck, 65535, true, RTO + 3),
            "the data's bytes, not the FIN's sequence number");
        assertTrue(window.finAcknowledged());
        assertEquals(0, window.unacknowledged());
        assertEquals(0, window.onAck(finAck, 65535, false, RTO + 4), "the peer's FIN with the same ACK");
        assertEquals(finAck, window.nextSequence(), "an ACK now goes after the FIN");
        assertFalse(window.checkTimeout(Long.MAX_VALUE / 2), "nothing left to resend");
    }

    @Test
    void shouldRefuseAnAcknowledgmentOfWhatWasNeverSentAfterGigabytes()
    {
        window.start(FIRST, 65535, 0, MSS, 0); // a handshake of 0 ns: the RTO is its lower bound
        send(MSS);
        window.checkTimeout(RTO); // a go-back leaves its recovery point here
        long now = RTO + 1;
        long acked = 0;
        while (acked < (5L << 30)) // 5 GiB: past 2^31 and 2^32 bytes from the recovery point
        {
            send(60_000, now);
            acked += window.onAck(window.sndNxt(), 65535, true, ++now);
        }
        final long bogus = (window.sndNxt() + (1L << 30)) & MASK; // a gigabyte beyond what was sent
        assertEquals(0, window.onAck(bogus, 65535, true, ++now));
        assertEquals(window.sndNxt(), window.sndUna());
        assertEquals(window.sndNxt(), window.sndMax());
    }

    @Test
    void shouldResendOnlyUpToTheHighestByteSentSoAFrameIsAllResentOrAllNew()
    {
        window.start(FIRST, 1 << 20, 0, MSS, 0);
        send(3 * MSS); // one 3000-byte TSO frame
        assertFalse(window.resending(), "new data");
        assertTrue(window.checkTimeout(RTO));
        assertTrue(window.resending(), "after a go-back: below the highest byte sent");
        assertEquals(MSS, window.nextLength(10 * MSS, Long.MAX_VALUE, MSS), "the timeout left a window of one MSS");
        window.sent(MSS, RTO);
        window.onAck((FIRST + MSS) & MASK, 1 << 20, true, RTO + 1); // slow start to the threshold: 2 MSS
        window.sent(MSS, RTO + 1);
        window.onAck((FIRST + 2 * MSS) & MASK, 1 << 20, true, RTO + 1);
        assertEquals(MSS, window.nextLength(10 * MSS, Long.MAX_VALUE, MSS),
            "a larger frame stops at the highest byte sent");
        window.sent(MSS, RTO);
        assertFalse(window.resending(), "caught up: what follows is new");
        window.onAck((FIRST + 3 * MSS) & MASK, 65535, true, RTO + 1);
        assertEquals(3 * MSS, window.nextLength(4 * MSS, Long.MAX_VALUE, MSS),
            "new data in one frame, up to the congestion window (2 MSS, and one more after 2 MSS acknowledged)");
        assertEquals(1, window.goBackRounds());
    }

    @Test
    void shouldTimeOnlySegmentsSentOnceAsKarnsRuleHas()
    {
        final long ms = 1_000_000L;
        window.start(FIRST, 1 << 20, 0, MSS, TcpRetransmissionTimer.NO_SAMPLE);
        final TcpRetransmissionTimer timer = window.timer();
        assertEquals(TcpRetransmissionTimer.INITIAL_RTO_NS, timer.rtoNs(), "no sample yet: 1 s (RFC 6298 2.1)");
        assertFalse(timer.running(), "nothing sent: the timer is off");
        send(MSS, 0);
        assertEquals(1000 * ms, window.nanosToTimeout(0), "a send starts it (5.1)");
        window.onAck((FIRST + MSS) & MASK, 65535, true, 400 * ms);
        assertEquals(400 * ms, timer.srttNs(), "the first sample (2.2)");
        assertEquals(1200 * ms, timer.rtoNs(), "400 + 4 * 200 ms");
        assertFalse(timer.running(), "everything acknowledged: off (5.2)");

        send(MSS, 1000 * ms);
        assertFalse(window.checkTimeout(2200 * ms - 1));
        assertTrue(window.checkTimeout(2200 * ms), "1.2 s after the send");
        assertEquals(2400 * ms, timer.rtoNs(), "backed off (5.5)");
        send(MSS, 2200 * ms); // the same bytes again
        window.onAck((FIRST + 2 * MSS) & MASK, 65535, true, 2300 * ms);
        assertEquals(400 * ms, timer.srttNs(), "an ACK of a resent segment is no sample (Karn)");
        assertEquals(2400 * ms, timer.rtoNs(), "no sample, so the back-off stays (Karn)");

        send(MSS, 3000 * ms);
        send(MSS, 3010 * ms); // the first is timed, not this one
        window.onAck((FIRST + 3 * MSS) & MASK, 65535, true, 3100 * ms);
        assertEquals(362_500_000L, timer.srttNs(), "7/8 * 400 + 1/8 * 100 ms (2.3)");
        assertEquals(225 * ms, timer.rttvarNs(), "3/4 * 200 + 1/4 * |400 - 100| ms, from the SRTT before");
        assertEquals(1_362_500_000L, window.nanosToTimeout(3000 * ms),
            "restarted by the ACK of new data for the new RTO, 362.5 + 4 * 225 ms (5.3)");
        window.onAck((FIRST + 4 * MSS) & MASK, 65535, true, 3200 * ms);
        assertEquals(362_500_000L, timer.srttNs(), "the second segment was not timed");
    }

    @Test
    void shouldKeepTheDoubledRtoAfterAnAckOfResentDataAndDropItWithASampleOfANewSegment()
    {
        final long ms = 1_000_000L;
        window.start(FIRST, 1 << 20, 0, MSS, 100 * ms); // SRTT 100, RTTVAR 50: RTO 300 ms
        final TcpRetransmissionTimer timer = window.timer();
        assertEquals(300 * ms, timer.rtoNs());
        send(2 * MSS, 0);
        assertTrue(window.checkTimeout(300 * ms));
        assertEquals(600 * ms, timer.rtoNs(), "doubled (5.5)");
        send(MSS, 300 * ms); // the first segment again
        assertEquals(MSS, window.onAck((FIRST + MSS) & MASK, 65535, true, 350 * ms), "the resent segment's ACK");
        assertEquals(600 * ms, timer.rtoNs(), "an ACK of resent data is no sample: the RTO stays doubled");
        assertEquals(600 * ms, window.nanosToTimeout(350 * ms), "restarted (5.3) with the doubled RTO");
        send(MSS, 400 * ms); // the second segment again: still resent
        assertFalse(window.resending(), "caught up");
        send(MSS, 410 * ms); // new data, timed
        window.onAck((FIRST + 2 * MSS) & MASK, 65535, true, 450 * ms);
        assertEquals(600 * ms, timer.rtoNs(), "still no sample");
        window.onAck((FIRST + 3 * MSS) & MASK, 65535, true, 510 * ms); // the timed segment: 100 ms
        assertEquals(0, timer.backOffs(), "the timed new segment's sample took the back-off away");
        assertEquals(100 * ms, timer.srttNs());
        assertEquals(100 * ms + 4 * 37_500_000L, timer.rtoNs(), "SRTT 100 + 4 * RTTVAR 37.5 ms (2.3)");
    }
}
