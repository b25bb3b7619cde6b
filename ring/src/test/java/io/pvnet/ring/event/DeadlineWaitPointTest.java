package io.pvnet.ring.event;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeadlineWaitPointTest
{
    private long sleptNs = -1;
    private int cancels;
    private long dueNs;
    private final WaitPoint inner = new WaitPoint()
    {
        @Override
        public void prepareToSleep()
        {
        }

        @Override
        public void cancelSleep()
        {
            cancels++;
        }

        @Override
        public void sleep(final long timeoutNs)
        {
            sleptNs = timeoutNs;
        }
    };
    private final DeadlineWaitPoint waitPoint = new DeadlineWaitPoint(inner, nowNs -> dueNs);

    @Test
    void shouldSleepOnlyUntilTheNextTimedWork()
    {
        dueNs = 10_000_000L;
        waitPoint.sleep(1_000_000_000L);
        assertEquals(10_000_000L, sleptNs);
    }

    @Test
    void shouldSleepTheCallersTimeoutWithNothingDue()
    {
        dueNs = Long.MAX_VALUE;
        waitPoint.sleep(1_000_000_000L);
        assertEquals(1_000_000_000L, sleptNs);
    }

    @Test
    void shouldNotSleepButWithdrawTheAnnouncementWhenWorkIsDueNow()
    {
        dueNs = 0;
        waitPoint.sleep(1_000_000_000L);
        assertEquals(-1, sleptNs, "no sleep");
        assertTrue(cancels == 1, "announcement withdrawn");
    }

    @Test
    void shouldEndAnIdleStrategysSleepAtTheDeadline()
    {
        // through WaitPointIdleStrategy, as an agent uses it: its 1 s safety sleep becomes the 5 ms to the timer
        dueNs = 5_000_000L;
        final WaitPointIdleStrategy idle = new WaitPointIdleStrategy(waitPoint, 0, 1_000_000_000L);
        idle.idle(0); // announce
        idle.idle(0); // the final check found nothing: sleep
        assertEquals(5_000_000L, sleptNs);
    }
}
