package io.pvnet.engine.guest;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link StreamCredit}: the sender of a one-way stream keeps at most a window beyond its receiver's reports, halves
 * it once per window on a reported loss, grows it back, and goes on after a full window waited out its timeout.
 */
class StreamCreditTest
{
    private long nowNs = 1_000_000_000L;

    @Test
    void shouldHoldTheSenderAtAFullWindowUntilAReportFreesIt()
    {
        final StreamCredit credit = credit(64);
        final int sent = sendWhileAllowed(credit);
        assertEquals(64, sent);
        assertEquals(64, credit.inFlight());
        assertEquals(Long.MAX_VALUE, credit(64).nanosToTimeout(nowNs), "room: no timeout to wait for");
        assertEquals(StreamCredit.TIMEOUT_NS, credit.nanosToTimeout(nowNs));
        report(credit, 16, 0);
        assertEquals(48, credit.inFlight());
        assertEquals(16, sendWhileAllowed(credit), "16 reported, 16 more may go");
        report(credit, 200, 0);
        assertEquals(64, credit.inFlight(), "a report beyond what was sent is not believed");
    }

    @Test
    void shouldHalveTheWindowOncePerWindowOfLossAndGrowItBack()
    {
        final StreamCredit credit = credit(64);
        sendWhileAllowed(credit);
        report(credit, 32, 3); // 3 of the first 32 lost
        assertEquals(32, credit.window());
        assertEquals(1, credit.losses());
        report(credit, 40, 5); // more loss of the same window: no second halving
        assertEquals(32, credit.window());
        assertEquals(1, credit.losses());
        sendWhileAllowed(credit);
        // a whole window reported without loss grows it by one
        report(credit, credit.sent(), 5);
        assertEquals(33, credit.window());
        assertEquals(32, credit.smallest());
        for (int round = 0; round < 200; round++)
        {
            sendWhileAllowed(credit);
            report(credit, credit.sent(), 5);
        }
        assertEquals(64, credit.window(), "never above its largest");
    }

    @Test
    void shouldProbeBeyondAFullWindowAfterItsTimeoutAndGoOnWhenTheProbesArrive()
    {
        final StreamCredit credit = credit(64);
        sendWhileAllowed(credit);
        nowNs += StreamCredit.TIMEOUT_NS - 1;
        assertFalse(credit.maySend(nowNs), "a receiver pausing shorter than the timeout gets nothing more");
        nowNs += 1;
        assertEquals(StreamCredit.MIN, sendWhileAllowed(credit), "a few probes, not a second window");
        assertEquals(1, credit.timeouts());
        assertEquals(32, credit.window());
        assertFalse(credit.maySend(nowNs));
        // the tail 40..63 was lost; the probes 64..71 arrived: the receiver's highest passes the gap
        report(credit, 72, 24);
        assertEquals(0, credit.inFlight());
        assertEquals(33, sendWhileAllowed(credit), "the halved window, grown by one for a window reported");
        assertEquals(0, credit.losses(), "the tail's loss is the timeout's, not a second halving");
    }

    @Test
    void shouldSizeItsDefaultWindowToTheFramesOnTheWay()
    {
        assertEquals(StreamCredit.DEFAULT_MAX, StreamCredit.defaultWindow(106), "64-byte payloads");
        assertEquals(StreamCredit.DEFAULT_BYTES / 1042, StreamCredit.defaultWindow(1042), "1000-byte payloads");
        assertEquals(StreamCredit.MIN, StreamCredit.defaultWindow(65_000 * 8));
        assertThrows(IllegalArgumentException.class, () -> new StreamCredit(StreamCredit.MIN - 1));
    }

    @Test
    void shouldIgnoreAReportWhoseLossExceedsWhatWasNumberedSoItHidesNoLaterLoss()
    {
        final StreamCredit credit = credit(64);
        sendWhileAllowed(credit);
        // the right nonce from a spoofed source: more duplicates than datagrams, a loss of a million of 64 numbered
        assertFalse(credit.onReport(64, 0, 1_000_000, 0, nowNs));
        assertEquals(64, credit.window(), "not believed: no halving");
        assertEquals(64, credit.inFlight(), "nor any credit");
        assertEquals(1, credit.ignored());
        assertTrue(report(credit, 32, 3), "the real receiver's");
        assertEquals(32, credit.window(), "the real loss is seen");
        assertEquals(1, credit.losses());
    }

    @Test
    void shouldTakeTheLatestReportsLossSoAForgedPlausibleLossHidesNoLaterRealLoss()
    {
        final StreamCredit credit = credit(64);
        sendWhileAllowed(credit);
        assertTrue(report(credit, 64, 64), "forged, but a receiver could have lost all 64");
        assertEquals(32, credit.window());
        sendWhileAllowed(credit);
        report(credit, 80, 2); // the real receiver: 2 lost of 80
        sendWhileAllowed(credit);
        report(credit, credit.sent(), 9); // 7 more lost, of datagrams sent after the decrease
        assertEquals(16, credit.window(), "a later real loss halves the window again");
        assertEquals(2, credit.losses());
    }

    @Test
    void shouldIgnoreStaleReportsAndFiguresNoReceiverCouldCount()
    {
        final StreamCredit credit = credit(64);
        sendWhileAllowed(credit);
        assertTrue(report(credit, 40, 0));
        assertFalse(report(credit, 30, 5), "older than the latest: stale");
        assertFalse(report(credit, 65, 0), "beyond what was sent");
        assertFalse(credit.onReport(50, 0, 0, 51, nowNs), "the count's base above its highest");
        assertFalse(credit.onReport(50, 10, 11, 0, nowNs), "more duplicates than received");
        assertFalse(credit.onReport(50, 60, 0, 0, nowNs), "more distinct datagrams than numbered");
        assertEquals(5, credit.ignored());
        assertEquals(64, credit.window());
        assertEquals(24, credit.inFlight());
        assertTrue(credit.onReport(50, 12, 2, 40, nowNs), "a count from base 40: 10 numbered, 10 distinct");
        assertEquals(14, credit.inFlight());
        assertEquals(0, credit.losses());
    }

    /** A report of a count from 0 that misses {@code lost} of the {@code expected} numbered, without duplicates. */
    private boolean report(final StreamCredit credit, final long expected, final long lost)
    {
        return credit.onReport(expected, expected - lost, 0, 0, nowNs);
    }

    private StreamCredit credit(final int max)
    {
        final StreamCredit credit = new StreamCredit(StreamCredit.MIN);
        credit.start(max, 0, nowNs);
        return credit;
    }

    private int sendWhileAllowed(final StreamCredit credit)
    {
        int sent = 0;
        while (credit.maySend(nowNs) && sent < 100_000)
        {
            credit.onSend();
            sent++;
        }
        return sent;
    }
}
