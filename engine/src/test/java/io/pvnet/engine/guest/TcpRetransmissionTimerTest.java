package io.pvnet.engine.guest;

import org.junit.jupiter.api.Test;

import static io.pvnet.engine.guest.TcpRetransmissionTimer.GRANULARITY_NS;
import static io.pvnet.engine.guest.TcpRetransmissionTimer.MAX_RTO_NS;
import static io.pvnet.engine.guest.TcpRetransmissionTimer.MIN_RTO_NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TcpRetransmissionTimer} rule by rule as RFC 6298 numbers them, on a clock set by hand, against a reference
 * computed here in doubles from the RFC's formulas.
 */
class TcpRetransmissionTimerTest
{
    private static final long MS = 1_000_000L;

    private final TcpRetransmissionTimer timer = new TcpRetransmissionTimer();

    @Test
    void shouldStartWithOneSecondUntilTheFirstSample()
    {
        timer.begin(TcpRetransmissionTimer.NO_SAMPLE);
        assertEquals(1000 * MS, timer.rtoNs(), "2.1: 1 s");
        assertFalse(timer.running());
        assertEquals(Long.MAX_VALUE, timer.nanosToExpiry(0));
    }

    @Test
    void shouldTakeTheFirstSampleAsSrttAndHalfOfItAsRttvar()
    {
        timer.begin(TcpRetransmissionTimer.NO_SAMPLE);
        timer.onSample(300 * MS);
        assertEquals(300 * MS, timer.srttNs(), "2.2: SRTT = R");
        assertEquals(150 * MS, timer.rttvarNs(), "2.2: RTTVAR = R/2");
        assertEquals(900 * MS, timer.rtoNs(), "2.2: SRTT + max(G, 4 RTTVAR)");
    }

    @Test
    void shouldSmoothLaterSamplesWithAnEighthAndAQuarterAsTheRfcsReference()
    {
        timer.begin(TcpRetransmissionTimer.NO_SAMPLE);
        final long[] samples = {300 * MS, 500 * MS, 100 * MS, 100 * MS, 2000 * MS, 350 * MS, 350 * MS, 351 * MS};
        double srtt = 0;
        double rttvar = 0;
        for (int i = 0; i < samples.length; i++)
        {
            final double r = samples[i];
            if (i == 0)
            {
                srtt = r;
                rttvar = r / 2;
            }
            else
            {
                rttvar = 0.75 * rttvar + 0.25 * Math.abs(srtt - r); // 2.3: RTTVAR first, with the old SRTT
                srtt = 0.875 * srtt + 0.125 * r;
            }
            timer.onSample(samples[i]);
            assertEquals(srtt, timer.srttNs(), 32, "SRTT after sample " + i);
            assertEquals(rttvar, timer.rttvarNs(), 32, "RTTVAR after sample " + i);
            final double rto = Math.min(MAX_RTO_NS, Math.max(MIN_RTO_NS, srtt + Math.max(GRANULARITY_NS, 4 * rttvar)));
            assertEquals(rto, timer.rtoNs(), 200, "RTO after sample " + i);
        }
    }

    @Test
    void shouldUseTheGranularityWhenTheRoundTripsDoNotVary()
    {
        timer.begin(TcpRetransmissionTimer.NO_SAMPLE);
        for (int i = 0; i < 200; i++)
        {
            timer.onSample(400 * MS); // RTTVAR decays towards 0
        }
        assertTrue(timer.rttvarNs() * 4 < GRANULARITY_NS, "RTTVAR " + timer.rttvarNs());
        assertEquals(400 * MS + GRANULARITY_NS, timer.rtoNs(), "SRTT + G when 4 RTTVAR is below G");
    }

    @Test
    void shouldKeepTheRtoAtTheLowerBoundForMicrosecondRoundTrips()
    {
        timer.begin(30_000L); // a 30 us handshake, the first sample
        assertEquals(30_000L, timer.srttNs());
        assertEquals(MIN_RTO_NS, timer.rtoNs(), "2.4: 200 ms (Linux's TCP_RTO_MIN), not 90 us");
    }

    @Test
    void shouldDoubleOnEachExpiryUpToTheUpperBoundAndRestartWithTheDoubledRto()
    {
        timer.begin(30_000L);
        timer.startIfStopped(0);
        long now = 0;
        long rto = MIN_RTO_NS;
        for (int expiry = 1; expiry <= 12; expiry++)
        {
            assertFalse(timer.expired(now + rto - 1));
            assertTrue(timer.expired(now + rto), "5.4: expires after the RTO in force");
            now += rto;
            timer.backOff(now);
            rto = Math.min(MAX_RTO_NS, rto * 2);
            assertEquals(rto, timer.rtoNs(), "5.5: doubled, at most 60 s (2.5), after " + expiry + " expiries");
            assertEquals(rto, timer.nanosToExpiry(now), "5.6: restarted with the doubled RTO");
        }
        assertEquals(MAX_RTO_NS, timer.rtoNs());
        assertEquals(12, timer.backOffs());
    }

    @Test
    void shouldKeepTheBackOffThroughAnAckOfNewDataUntilANewSample()
    {
        timer.begin(100 * MS);
        final long base = timer.rtoNs();
        timer.startIfStopped(0);
        timer.backOff(base);
        timer.backOff(3 * base);
        assertEquals(4 * base, timer.rtoNs());
        timer.onNewAck(10 * base);
        assertEquals(4 * base, timer.rtoNs(), "an ACK without a sample (Karn): the backed-off RTO stays");
        assertEquals(2, timer.backOffs());
        assertEquals(4 * base, timer.nanosToExpiry(10 * base), "5.3: restarted for the RTO in force");
        timer.onSample(100 * MS);
        assertEquals(0, timer.backOffs(), "a new round-trip sample takes the back-off away");
        assertEquals(100 * MS + 4 * 37_500_000L, timer.rtoNs(), "the RTO of SRTT and RTTVAR again, not doubled");
        timer.onNewAck(20 * base);
        assertEquals(timer.rtoNs(), timer.nanosToExpiry(20 * base));
    }

    @Test
    void shouldNotRestartARunningTimerWhenMoreDataGoesOut()
    {
        timer.begin(100 * MS);
        timer.startIfStopped(0);
        timer.startIfStopped(150 * MS); // 5.1: only a stopped timer starts
        assertTrue(timer.expired(timer.rtoNs()), "it runs from the first send");
        timer.stop();
        assertFalse(timer.expired(Long.MAX_VALUE / 2), "5.2: stopped, it never expires");
        timer.startIfStopped(1000 * MS);
        assertEquals(timer.rtoNs(), timer.nanosToExpiry(1000 * MS), "started again from this send");
    }

    @Test
    void shouldUseThreeSecondsWhenTheSynHadToBeResent()
    {
        timer.begin(TcpRetransmissionTimer.SYN_RESENT);
        assertEquals(3000 * MS, timer.rtoNs(), "5.7: 3 s once data begins");
        timer.onSample(100 * MS);
        assertEquals(300 * MS, timer.rtoNs(), "the first sample replaces it (2.2)");
    }
}
