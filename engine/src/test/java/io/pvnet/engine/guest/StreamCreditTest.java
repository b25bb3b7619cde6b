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
        credit.onReport(16, 0, nowNs);
        assertEquals(48, credit.inFlight());
        assertEquals(16, sendWhileAllowed(credit), "16 reported, 16 more may go");
        credit.onReport(200, 0, nowNs);
        assertEquals(64, credit.inFlight(), "a report beyond what was sent is not believed");
    }

    @Test
    void shouldHalveTheWindowOncePerWindowOfLossAndGrowItBack()
    {
        final StreamCredit credit = credit(64);
        sendWhileAllowed(credit);
        credit.onReport(32, 3, nowNs); // 3 of the first 32 lost
        assertEquals(32, credit.window());
        assertEquals(1, credit.losses());
        credit.onReport(40, 5, nowNs); // more loss of the same window: no second halving
        assertEquals(32, credit.window());
        assertEquals(1, credit.losses());
        sendWhileAllowed(credit);
        // a whole window reported without loss grows it by one
        credit.onReport(credit.sent(), 5, nowNs);
        assertEquals(33, credit.window());
        assertEquals(32, credit.smallest());
        for (int round = 0; round < 200; round++)
        {
            sendWhileAllowed(credit);
            credit.onReport(credit.sent(), 5, nowNs);
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
        credit.onReport(72, 24, nowNs);
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
