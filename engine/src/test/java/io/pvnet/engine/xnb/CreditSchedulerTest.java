package io.pvnet.engine.xnb;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Linux netback's credit scheduler ({@code tx_credit_exceeded}) as the {@code rate} key drives it. */
class CreditSchedulerTest
{
    private static final long MS = 1_000_000L;

    @Test
    void shouldBeUnlimitedWithoutAValidRate()
    {
        final CreditScheduler credit = new CreditScheduler();
        for (final String rate : new String[] {null, "", "0,1000", "1000,0", "1000", "1000,", "x,1000", "1000,1000,5",
            "-5,1000", "99999999999,1000"})
        {
            credit.reload(rate, 0);
            assertFalse(credit.isLimited(), "rate=" + rate);
        }
    }

    @Test
    void shouldLetAWindowsCreditThroughThenHoldUntilTheNextWindow()
    {
        final CreditScheduler credit = new CreditScheduler();
        credit.reload("200000,10000", 0); // 200,000 bytes per 10 ms
        assertTrue(credit.isLimited());
        assertTrue(credit.take(150_000, 0));
        assertTrue(credit.take(50_000, 1 * MS));
        assertFalse(credit.take(1, 2 * MS), "window's credit used up");
        assertFalse(credit.take(1, 9 * MS), "still the same window");
        assertTrue(credit.take(200_000, 10 * MS), "a new window brings the credit back");
        assertFalse(credit.take(1, 11 * MS));
    }

    @Test
    void shouldCapTheAccumulatedCreditAtMaxOf128KiBAndOneWindowsCredit()
    {
        final CreditScheduler credit = new CreditScheduler();
        credit.reload("1000,1000", 0); // 1,000 bytes per ms: the cap is Linux's 131,072-byte floor
        assertTrue(credit.take(1000, 0));
        // nothing taken for a long time: each replenish adds one window's credit, never beyond the cap
        long now = 0;
        for (int i = 0; i < 200; i++)
        {
            now += MS;
            credit.take(1_000_000, now); // refused, but replenishes
        }
        assertTrue(credit.take(131_072, now), "the floor lets a 128 KiB burst through");
        assertFalse(credit.take(1, now));
    }

    @Test
    void shouldKeepTheCurrentWindowWhenTheSameRateIsReloaded()
    {
        final CreditScheduler credit = new CreditScheduler();
        credit.reload("1000,1000", 0);
        assertTrue(credit.take(1000, 0));
        credit.reload("1000,1000", 500_000);
        assertFalse(credit.take(1, 500_000), "an unchanged rate must not refill the credit");
        credit.reload("2000,1000", 500_000);
        assertTrue(credit.take(2000, 500_000), "a new rate starts with its full credit");
    }
}
