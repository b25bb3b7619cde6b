package io.pvnet.engine.guest;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link InFlightWindow}: the bookkeeping EchoWindow and StreamCredit share: in flight = sent - acknowledged, the
 * window between its bounds, halved once per window of losses, grown by one per window of acknowledgements.
 */
class InFlightWindowTest
{
    private final InFlightWindow book = new InFlightWindow();

    @Test
    void shouldHaveRoomForTheWindowAndFreeWhatIsAcknowledged()
    {
        book.start(16, 4, 64, 100, 0);
        int sent = 0;
        while (book.hasRoom())
        {
            assertEquals(100 + sent, book.onSend());
            sent++;
        }
        assertEquals(16, sent);
        assertEquals(10, book.acknowledge(110, 5));
        assertEquals(6, book.inFlight());
        assertEquals(5, book.lastProgressNs());
        book.forgetInFlight();
        assertEquals(0, book.inFlight(), "a timeout presumes what was in flight lost");
    }

    @Test
    void shouldHalveOncePerWindowOfLossesAndGrowByOnePerWindowOfAcknowledgements()
    {
        book.start(32, 4, 64, 0, 0);
        for (int i = 0; i < 32; i++)
        {
            book.onSend();
        }
        assertTrue(book.lost(3));
        assertEquals(16, book.window());
        assertFalse(book.lost(20), "sent before the decrease: the same loss");
        assertEquals(1, book.losses());
        book.onSend(); // number 32, after the decrease
        assertTrue(book.lost(32));
        assertEquals(8, book.window());
        book.grow(7);
        assertEquals(8, book.window());
        book.grow(1);
        assertEquals(9, book.window(), "a window's worth of acknowledgements");
        book.setWindow(1_000);
        assertEquals(64, book.window(), "never above its largest");
        book.setWindow(1);
        assertEquals(4, book.window(), "nor below its smallest");
        assertEquals(64, book.largest());
        assertEquals(4, book.smallest());
    }
}
