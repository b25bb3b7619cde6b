package io.pvnet.ring.event;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The spin window on a driven clock: each yield advances it by what the test says the yield took. */
class WaitPointIdleStrategyTest
{
    private static final long WINDOW_NS = 50_000;
    private static final long CONTENDED_NS = 4_000;

    private long nowNs = 1_000_000;
    private long yieldNs = 1_000;
    private int yields;
    private int prepares;
    private int cancels;
    private int sleeps;
    private final WaitPoint waitPoint = new WaitPoint()
    {
        @Override
        public void prepareToSleep()
        {
            prepares++;
        }

        @Override
        public void cancelSleep()
        {
            cancels++;
        }

        @Override
        public void sleep(final long timeoutNs)
        {
            sleeps++;
        }
    };
    private int spins;
    private final Runnable spinner = () ->
    {
        spins++;
        nowNs += 100;
    };
    private final Runnable yielder = () ->
    {
        yields++;
        nowNs += yieldNs;
    };
    private final WaitPointIdleStrategy idle = new WaitPointIdleStrategy(
        waitPoint, WINDOW_NS, 1_000_000_000L, 0, CONTENDED_NS, () -> nowNs, spinner, yielder);

    /** Idles until the strategy announces a sleep; returns the yields it took. */
    private int idleUntilAnnounced()
    {
        final int before = yields;
        final int announced = prepares;
        for (int i = 0; i < 1_000 && prepares == announced; i++)
        {
            idle.idle(0);
        }
        return yields - before;
    }

    @Test
    void shouldPollTheWholeWindowWhileEveryYieldKeepsTheCore()
    {
        assertEquals(WINDOW_NS / yieldNs, idleUntilAnnounced(), "one yield per µs of the 50 µs window");
        assertEquals(1, prepares);
        assertEquals(0, sleeps, "the final check comes first");
        idle.idle(0);
        assertEquals(1, sleeps);
        assertEquals(0, idle.windowsCutShort());
    }

    @Test
    void shouldEndTheWindowAtTheFirstYieldThatGaveTheCoreAway()
    {
        for (int i = 0; i < 5; i++)
        {
            idle.idle(0);
        }
        yieldNs = 20_000; // another thread ran meanwhile
        assertEquals(1, idleUntilAnnounced(), "announced right after the long yield");
        assertEquals(1, idle.windowsCutShort());
        assertEquals(5 * 1_000 + 20_000, nowNs - 1_000_000, "well inside the window");
        idle.idle(0);
        assertEquals(1, sleeps, "the final check found nothing: sleeps");
    }

    @Test
    void shouldKeepPollingAfterWorkFoundByTheFinalCheckOfACutWindow()
    {
        yieldNs = 20_000;
        idleUntilAnnounced();
        idle.idle(3); // the final check found the peer's frame
        assertEquals(1, cancels, "announcement withdrawn");
        yieldNs = 1_000;
        assertEquals(WINDOW_NS / yieldNs, idleUntilAnnounced(), "a fresh full window after the work");
        assertEquals(0, sleeps);
    }

    @Test
    void shouldNeverCutAWindowWhenTheThresholdIsOff()
    {
        yieldNs = 20_000;
        final WaitPointIdleStrategy uncut = new WaitPointIdleStrategy(
            waitPoint, WINDOW_NS, 1_000_000_000L, 0, Long.MAX_VALUE, () -> nowNs, spinner, yielder);
        int rounds = 0;
        while (prepares == 0)
        {
            uncut.idle(0);
            rounds++;
        }
        assertEquals(4, rounds, "three 20 µs yields fill the window, the fourth idle announces");
        assertEquals(0, uncut.windowsCutShort());
    }

    @Test
    void shouldPollWithoutYieldingForThePureSpinThenYield()
    {
        final WaitPointIdleStrategy pure = new WaitPointIdleStrategy(
            waitPoint, WINDOW_NS, 1_000_000_000L, 5_000, CONTENDED_NS, () -> nowNs, spinner, yielder);
        for (int i = 0; i < 50; i++)
        {
            pure.idle(0);
        }
        assertEquals(50, spins, "5 µs of 100 ns pauses, no syscall");
        assertEquals(0, yields);
        pure.idle(0);
        assertEquals(1, yields, "then the core is offered at each poll");
        yieldNs = 20_000;
        pure.idle(0);
        assertEquals(1, prepares, "and a yield that gave it away still ends the window");
        pure.idle(2);
        pure.idle(0);
        assertEquals(51, spins, "work restarts the pure spin");
        assertEquals(2, yields);
    }
}
