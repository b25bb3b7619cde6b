package io.pvnet.engine.guest;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link EchoWindow} on a clock the test sets: it grows while every request is answered, halves once per window on a
 * loss, shrinks when round trips show a queue, times out a full window, and holds nothing back from a peer that does
 * not echo or refuses the port, until an answer comes.
 */
class EchoWindowTest
{
    private static final long US = 1_000L;

    private long now = 1_000_000_000L;
    private final EchoWindow window = new EchoWindow(256);

    @Test
    void shouldGrowToItsMaximumWhileEveryRequestIsAnsweredPromptly()
    {
        window.start(now);
        for (int i = 0; i < 20_000; i++)
        {
            sendWhileAllowed();
            answerOldest(10 * US);
        }
        assertEquals(256, window.window(), window.toString());
        assertEquals(256, window.largest());
        assertEquals(0, window.losses() + window.queueings() + window.timeouts(), window.toString());
    }

    @Test
    void shouldHoldBackTheRequestBeyondAFullWindow()
    {
        window.start(now);
        assertEquals(EchoWindow.INITIAL, sendWhileAllowed(), "the initial window, then nothing until an answer");
        assertFalse(window.maySend(now));
        window.onAnswer(0, 10 * US, now);
        assertEquals(2, sendWhileAllowed(), "one answered request makes room for two in slow start");
    }

    @Test
    void shouldHalveOnceForTheLossesOfOneWindow()
    {
        window.start(now);
        sendWhileAllowed(); // 0..31
        window.onAnswer(0, 10 * US, now);
        final int before = window.window();
        window.onAnswer(5, 10 * US, now); // 1..4 lost
        assertEquals(1, window.losses());
        assertEquals(before / 2, window.window());
        window.onAnswer(9, 10 * US, now); // 6..8 lost: the same window of requests, no second decrease
        assertEquals(1, window.losses());
        assertEquals(before / 2, window.window());
        assertEquals(31 - 9, window.inFlight(), "requests before the answered ones are no longer in flight");
    }

    @Test
    void shouldShrinkWhenRoundTripsShowAQueueBeforeAnythingIsLost()
    {
        window.start(now);
        for (int i = 0; i < 2_000; i++)
        {
            sendWhileAllowed();
            answerOldest(10 * US);
        }
        final int grown = window.window();
        for (int i = 0; i < 2_000; i++)
        {
            sendWhileAllowed();
            answerOldest(2_000 * US); // 2 ms: requests wait in a queue
        }
        assertTrue(window.queueings() > 0, window.toString());
        assertEquals(0, window.losses());
        assertTrue(window.window() < grown / 2, grown + " -> " + window);
        assertTrue(window.window() >= EchoWindow.MIN);
    }

    @Test
    void shouldPresumeAFullWindowLostAfterItsTimeoutAndStartAgainSmall()
    {
        window.start(now);
        sendWhileAllowed();
        window.onAnswer(0, 10 * US, now);
        sendWhileAllowed();
        now += EchoWindow.MIN_TIMEOUT_NS - 1;
        assertFalse(window.maySend(now));
        now += 1;
        assertTrue(window.maySend(now));
        assertEquals(1, window.timeouts());
        assertEquals(EchoWindow.MIN, window.window());
        assertEquals(0, window.inFlight());
        final long late = window.inFlight();
        window.onAnswer(3, 10 * US, now); // answered after all, after it was presumed lost: ignored
        assertEquals(late, window.inFlight());
    }

    @Test
    void shouldHoldNothingBackFromAPeerThatDoesNotEcho()
    {
        window.start(now);
        sendWhileAllowed();
        now += EchoWindow.NO_ECHO_NS - 1;
        assertFalse(window.maySend(now));
        now += 1;
        for (int i = 0; i < 10_000; i++)
        {
            assertTrue(window.maySend(now));
            window.onSend();
        }
        assertFalse(window.answered());
        // an answer brings the window back: what was sent after it is in flight and holds the next request back
        window.onAnswer(5, 10 * US, now);
        assertTrue(window.answered());
        assertFalse(window.maySend(now));
        assertEquals(10_031 - 5, window.inFlight());
    }

    @Test
    void shouldHoldNothingBackFromAPeerThatRefusedThePort()
    {
        window.start(now);
        sendWhileAllowed();
        window.onRefused();
        assertTrue(window.maySend(now));
        assertTrue(window.refused());
        window.start(now);
        assertFalse(window.refused(), "a new run asks again");
    }

    @Test
    void shouldCountAnAnswerWithoutProbeAsTheOldestInFlight()
    {
        window.start(now);
        sendWhileAllowed();
        window.onAnswer(now);
        assertEquals(EchoWindow.INITIAL - 1, window.inFlight());
        assertEquals(EchoWindow.INITIAL + 1, window.window());
    }

    @Test
    void shouldRefuseAMaximumBelowTheSmallestWindow()
    {
        assertThrows(IllegalArgumentException.class, () -> new EchoWindow(EchoWindow.MIN - 1));
    }

    /** @return requests sent until the window held one back. */
    private int sendWhileAllowed()
    {
        int sent = 0;
        while (window.maySend(now) && sent < 1_000_000)
        {
            window.onSend();
            sent++;
        }
        return sent;
    }

    private void answerOldest(final long roundTripNs)
    {
        now += 1_000;
        if (window.inFlight() > 0)
        {
            window.onAnswer((int)(window.sent() - window.inFlight()), roundTripNs, now);
        }
    }
}
