package io.pvnet.engine.guest;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link TcpSendWindow}: the FIN after the highest byte sent, resent with the timeout; sequence numbers that wrap. */
class TcpSendWindowTest
{
    private static final long MASK = TcpSendWindow.SEQUENCE_MASK;
    private static final int MSS = 1000;
    private static final long FIRST = 0xFFFF_F000L; // wraps after 4096 bytes

    private final TcpSendWindow window = new TcpSendWindow();

    private void send(final int bytes)
    {
        window.sent(window.nextLength(bytes, Long.MAX_VALUE, MSS));
    }

    @Test
    void shouldPutTheFinAfterTheHighestByteSentAfterAGoBack()
    {
        window.start(FIRST, 65535, 0, MSS, 0);
        send(MSS);
        send(MSS);
        send(MSS);
        assertEquals((FIRST + 3 * MSS) & MASK, window.sndMax());
        assertTrue(window.checkTimeout(TcpSendWindow.GO_BACK_NS + 1), "no acknowledgment: back to the first byte");
        assertEquals(FIRST, window.sndNxt());
        assertEquals((FIRST + 3 * MSS) & MASK, window.sndMax(), "the highest byte sent stays");
        window.close();
        assertEquals((FIRST + 3 * MSS) & MASK, window.finSequence());
        assertFalse(window.finDue(), "the data before the FIN goes first");
        assertEquals(MSS, window.nextLength(MSS, Long.MAX_VALUE, MSS));
        window.sent(MSS);
        window.sent(MSS);
        window.sent(MSS);
        assertEquals(0, window.nextLength(MSS, Long.MAX_VALUE, MSS), "nothing past the FIN");
        assertTrue(window.finDue());
    }

    @Test
    void shouldResendTheFinWithTheTimeoutAndCountOnlyTheDataItAcknowledges()
    {
        window.start(FIRST, 65535, 0, MSS, 0);
        send(2 * MSS);
        window.close();
        window.finSent(10);
        assertFalse(window.finDue(), "in flight");
        assertFalse(window.checkTimeout(TcpSendWindow.GO_BACK_NS));
        assertTrue(window.checkTimeout(TcpSendWindow.GO_BACK_NS + 1));
        assertFalse(window.finDue(), "the data before it again first");
        window.sent(window.nextLength(2 * MSS, Long.MAX_VALUE, MSS));
        assertTrue(window.finDue(), "then the FIN again");
        window.finSent(TcpSendWindow.GO_BACK_NS + 2);
        final long finAck = (FIRST + 2 * MSS + 1) & MASK;
        assertEquals(2 * MSS, window.onAck(finAck, 65535, true, TcpSendWindow.GO_BACK_NS + 3),
            "the data's bytes, not the FIN's sequence number");
        assertTrue(window.finAcknowledged());
        assertEquals(0, window.unacknowledged());
        assertEquals(0, window.onAck(finAck, 65535, false, TcpSendWindow.GO_BACK_NS + 4), "the peer's FIN with the same ACK");
        assertEquals(finAck, window.nextSequence(), "an ACK now goes after the FIN");
        assertFalse(window.checkTimeout(Long.MAX_VALUE / 2), "nothing left to resend");
    }

    @Test
    void shouldRefuseAnAcknowledgmentOfWhatWasNeverSentAfterGigabytes()
    {
        window.start(FIRST, 65535, 0, MSS, 0);
        send(MSS);
        window.checkTimeout(TcpSendWindow.GO_BACK_NS + 1); // a go-back leaves its recovery point here
        long now = TcpSendWindow.GO_BACK_NS + 2;
        long acked = 0;
        while (acked < (5L << 30)) // 5 GiB: past 2^31 and 2^32 bytes from the recovery point
        {
            send(60_000);
            acked += window.onAck(window.sndNxt(), 65535, true, ++now);
        }
        final long bogus = (window.sndNxt() + (1L << 30)) & MASK; // a gigabyte beyond what was sent
        assertEquals(0, window.onAck(bogus, 65535, true, ++now));
        assertEquals(window.sndNxt(), window.sndUna());
        assertEquals(window.sndNxt(), window.sndMax());
    }
}
