package io.pvnet.ring.event;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The spin window on a driven clock: each yield advances it by what the test says the yield took; work advances it by
 * what the test says the work took.
 */
class WaitPointIdleStrategyTest
{
    private static final long WINDOW_NS = 50_000;
    private static final long CONTENDED_NS = 4_000;

    private long nowNs = 1_000_000;
    private long yieldNs = 1_000;
    /** How long each sleep lasts on the driven clock. */
    private long sleepNs;
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
            nowNs += sleepNs;
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
    private int clockReads;
    private final java.util.function.LongSupplier clock = () ->
    {
        clockReads++;
        return nowNs;
    };
    private final WaitPointIdleStrategy idle = new WaitPointIdleStrategy(
        waitPoint, WINDOW_NS, 1_000_000_000L, 0, CONTENDED_NS, () -> nowNs, spinner, yielder);
    /** Production settings on the driven clock: no cut windows, a 1 ms streaming window after 1 ms awake. */
    private final WaitPointIdleStrategy streaming = new WaitPointIdleStrategy(
        waitPoint, WINDOW_NS, 1_000_000_000L, 0, Long.MAX_VALUE, STREAM_AFTER_NS, STREAM_WINDOW_NS, 1, clock, spinner,
        yielder);
    private static final long STREAM_AFTER_NS = 1_000_000;
    private static final long STREAM_WINDOW_NS = 1_000_000;
    /** The wake-up window of the strategies built with the production default (-Dpvnet.idle.wake.spin.us). */
    private static final long WAKE_WINDOW_NS = Math.max(0, Math.min(WINDOW_NS, WaitPointIdleStrategy.WAKE_WINDOW_NS));

    /** Idles {@code strategy} until it announces a sleep; returns the yields it took. */
    private int idleUntilAnnounced(final WaitPointIdleStrategy strategy)
    {
        final int before = yields;
        final int announced = prepares;
        for (int i = 0; i < 100_000 && prepares == announced; i++)
        {
            strategy.idle(0);
        }
        return yields - before;
    }

    /** A stream: {@code cycles} rounds of work taking {@code workNs}, then {@code gapYields} idle polls. */
    private void stream(final WaitPointIdleStrategy strategy, final int cycles, final long workNs, final int gapYields)
    {
        for (int i = 0; i < cycles; i++)
        {
            nowNs += workNs;
            strategy.idle(32);
            for (int y = 0; y < gapYields; y++)
            {
                strategy.idle(0);
            }
        }
    }

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

    @Test
    void shouldNeitherArmNorSleepWhileWorkKeepsArrivingWithinTheWindow()
    {
        // 30 ms of a stream whose gaps (up to 40 one-µs polls) all end inside the window
        int polls = 0;
        for (int i = 0; i < 2_000; i++)
        {
            stream(idle, 1, 5_000, i % 41);
            polls += i % 41;
        }
        assertEquals(0, prepares, "never announced: a notifier never finds the port armed, never pays a wake-up");
        assertEquals(0, cancels);
        assertEquals(0, sleeps);
        assertEquals(0, idle.announcements());
        assertEquals(0, idle.sleeps());
        assertEquals(polls, idle.yields(), "one yield per idle poll");
    }

    @Test
    void shouldReadTheClockOncePerIdlePollAndNeverForWork()
    {
        stream(streaming, 1_000, 5_000, 3);
        assertEquals(3_000, clockReads, "one read per idle poll, none per duty cycle with work");
        stream(streaming, 1_000, 5_000, 0);
        assertEquals(3_000, clockReads, "work alone reads no clock");
    }

    @Test
    void shouldGrowTheWindowOnceTheThreadHasStayedAwakeWithWorkForTheStreamTime()
    {
        stream(streaming, 40, 20_000, 5); // 40 x 25 µs: awake with work for 1 ms, gaps of 5 µs
        assertEquals(false, streaming.streaming(), "not a millisecond yet");
        stream(streaming, 2, 20_000, 5);
        assertEquals(true, streaming.streaming(), "a millisecond awake with work: a stream");
        assertEquals(STREAM_WINDOW_NS / yieldNs - 5, idleUntilAnnounced(streaming),
            "a 1 ms window: a gap of 1 ms, such as a preempted peer, costs no sleep");
        assertEquals(1, prepares);
        streaming.idle(0);
        assertEquals(1, sleeps, "then the final check and the sleep, as before");
    }

    @Test
    void shouldKeepTheShortWindowForSporadicWork()
    {
        // one frame every 2 ms (the wake bench): each gap ends the window in a sleep; after the first frame each frame
        // wakes the thread, and its gap gets the wake-up window
        sleepNs = 2_000_000;
        for (int i = 0; i < 20; i++)
        {
            streaming.idle(1);
            assertEquals((i == 0 ? WINDOW_NS : WAKE_WINDOW_NS) / yieldNs, idleUntilAnnounced(streaming),
                "frame " + i + ": the 50 µs window, then the wake-up window");
            streaming.idle(0);
            assertEquals(i + 1, sleeps);
        }
        assertEquals(false, streaming.streaming());
    }

    @Test
    void shouldGoBackToTheShortWindowAfterASleep()
    {
        stream(streaming, 100, 20_000, 5);
        assertEquals(true, streaming.streaming());
        idleUntilAnnounced(streaming);
        streaming.idle(0);
        assertEquals(1, sleeps, "the stream ended: slept after the long window");
        streaming.idle(1); // woken with work
        assertEquals(WAKE_WINDOW_NS / yieldNs, idleUntilAnnounced(streaming), "a short window again after the sleep");
        streaming.idle(1); // more work in it
        assertEquals(WINDOW_NS / yieldNs, idleUntilAnnounced(streaming), "then the 50 µs window, not the stream's");
        assertEquals(false, streaming.streaming());
    }

    @Test
    void shouldStayAwakeThroughAStreamWithMillisecondGapsOnceStreaming()
    {
        stream(streaming, 100, 20_000, 5); // streaming
        for (int i = 0; i < 50; i++)
        {
            // the peer is preempted for 0.9 ms, then the stream resumes for 0.2 ms
            stream(streaming, 1, 0, 900);
            stream(streaming, 10, 20_000, 5);
        }
        assertEquals(0, prepares, "no sleep, no arming, no wake-up syscall for the peer in 50 gaps of 0.9 ms");
        // the same stream with the 50 µs window only: a sleep in every gap
        stream(idle, 100, 20_000, 5);
        for (int i = 0; i < 50; i++)
        {
            final long sleptBefore = idle.sleeps();
            stream(idle, 1, 0, 900);
            assertEquals(true, idle.sleeps() > sleptBefore, "gap " + i + " slept with the short window");
            stream(idle, 10, 20_000, 5);
        }
    }

    @Test
    void shouldStreamAtTheFirstGapOfAThreadKeptBusyForAMillisecondSinceItWoke()
    {
        stream(streaming, 1, 20_000, 0); // a frame, then a gap: the short window ends in a sleep
        assertEquals(WINDOW_NS / yieldNs, idleUntilAnnounced(streaming));
        streaming.idle(0);
        assertEquals(1, sleeps);
        sleepNs = 0;
        nowNs += 1_500_000; // woken into 1.5 ms of work without an idle cycle
        streaming.idle(64);
        assertEquals(STREAM_WINDOW_NS / yieldNs, idleUntilAnnounced(streaming), "its first gap gets the 1 ms window");
    }

    @Test
    void shouldCostAnIdleThreadNoSpinAfterTheStreamEnded()
    {
        stream(streaming, 100, 20_000, 5);
        assertEquals(true, streaming.streaming());
        idleUntilAnnounced(streaming);
        streaming.idle(0);
        assertEquals(1, sleeps, "the stream ended: one 1 ms window, then asleep");
        final int yieldsBefore = yields;
        final int readsBefore = clockReads;
        sleepNs = 1_000_000_000L; // idle from now on: every sleep ends on its timeout
        for (int i = 0; i < 1_000; i++)
        {
            streaming.idle(0);
        }
        assertEquals(yieldsBefore, yields, "no spin window after a wake-up that brought nothing");
        assertEquals(1 + 500, sleeps, "announce (final check), sleep, announce, sleep...");
        assertEquals(readsBefore + 500, clockReads, "one clock read per sleep");
    }

    @Test
    void shouldYieldAndReadTheClockOnlyEveryNthPollWhileStreaming()
    {
        final WaitPointIdleStrategy cheap = new WaitPointIdleStrategy(waitPoint, WINDOW_NS, 1_000_000_000L, 0,
            Long.MAX_VALUE, STREAM_AFTER_NS, STREAM_WINDOW_NS, 16, clock, spinner, yielder);
        stream(cheap, 100, 20_000, 5);
        assertEquals(true, cheap.streaming());
        final int yieldsBefore = yields;
        final int readsBefore = clockReads;
        for (int i = 0; i < 1_600; i++)
        {
            cheap.idle(0); // polls without a clock advance: only the yields move it
        }
        assertEquals(100, yields - yieldsBefore, "a yield every 16 polls");
        assertEquals(100, clockReads - readsBefore, "and a clock read with each");
        assertEquals(0, prepares, "100 µs into the 1 ms window");
        assertEquals(STREAM_WINDOW_NS / yieldNs - 101, idleUntilAnnounced(cheap),
            "the window (begun with a yield in the stream's last gap) still ends on time");
        // a short window (not streaming) yields at every poll
        final int before = yields;
        cheap.idle(0);
        cheap.idle(0);
        cheap.idle(1);
        final int handBack = WaitPointIdleStrategy.HAND_BACK ? 1 : 0;
        assertEquals(before + handBack, yields, "announced and slept: no yield (woken with work: the hand-back's)");
        cheap.idle(0);
        assertEquals(before + handBack + 1, yields, "woken: the short window, a yield per poll");
    }

    /** The hand-back, on the driven clock whatever -Dpvnet.idle.hand.back says. */
    private WaitPointIdleStrategy handingBack()
    {
        return new WaitPointIdleStrategy(waitPoint, WINDOW_NS, 1_000_000_000L, 0, Long.MAX_VALUE, STREAM_AFTER_NS,
            STREAM_WINDOW_NS, 1, true, WINDOW_NS, clock, spinner, yielder);
    }

    @Test
    void shouldYieldOnceAfterTheFirstWorkOfAWakeUpToHandTheAnswerBack()
    {
        final WaitPointIdleStrategy strategy = handingBack();
        idleUntilAnnounced(strategy);
        strategy.idle(0); // the final check found nothing: asleep
        assertEquals(1, sleeps);
        final int before = yields;
        strategy.idle(1); // woken, the first duty cycle did work (the answer pushed)
        assertEquals(before + 1, yields, "one yield: the peer polling on this CPU sees the answer now");
        assertEquals(1, strategy.handBacks());
        strategy.idle(1);
        strategy.idle(3);
        assertEquals(before + 1, yields, "only the first cycle with work after a sleep: more work costs no yield");
        assertEquals(1, strategy.handBacks());
    }

    @Test
    void shouldNotHandBackWhileAwakeOrAfterAWakeUpThatBroughtNothing()
    {
        final WaitPointIdleStrategy strategy = handingBack();
        stream(strategy, 100, 20_000, 5);
        assertEquals(0, strategy.handBacks(), "a thread that stays awake with work never hands back");
        idleUntilAnnounced(strategy);
        strategy.idle(0);
        strategy.idle(0); // woken with nothing: announced again at once
        strategy.idle(0); // asleep again
        assertEquals(2, sleeps);
        assertEquals(0, strategy.handBacks());
        final int before = yields;
        strategy.idle(2);
        assertEquals(before + 1, yields, "the wake-up that brought work hands back once");
    }

    @Test
    void shouldNotHandBackWhenTurnedOff()
    {
        final WaitPointIdleStrategy off = new WaitPointIdleStrategy(waitPoint, WINDOW_NS, 1_000_000_000L, 0,
            Long.MAX_VALUE, STREAM_AFTER_NS, STREAM_WINDOW_NS, 1, false, WINDOW_NS, clock, spinner, yielder);
        idleUntilAnnounced(off);
        off.idle(0);
        assertEquals(1, sleeps);
        final int before = yields;
        off.idle(1);
        assertEquals(before, yields, "-Dpvnet.idle.hand.back=false");
        assertEquals(0, off.handBacks());
    }

    @Test
    void shouldKeepTheWakeUpWindowShortUntilWorkComesAgainInAWindow()
    {
        final long wakeWindowNs = 10_000;
        final WaitPointIdleStrategy strategy = new WaitPointIdleStrategy(waitPoint, WINDOW_NS, 1_000_000_000L, 0,
            Long.MAX_VALUE, STREAM_AFTER_NS, STREAM_WINDOW_NS, 1, false, wakeWindowNs, clock, spinner, yielder);
        assertEquals(WINDOW_NS / yieldNs, idleUntilAnnounced(strategy), "never slept: the whole window");
        strategy.idle(0);
        assertEquals(1, sleeps);
        strategy.idle(1); // woken, the first duty cycle did work (the answer pushed)
        assertEquals(wakeWindowNs / yieldNs, idleUntilAnnounced(strategy), "after the wake-up's work: the short window");
        strategy.idle(2); // the final check found more: traffic goes on
        assertEquals(WINDOW_NS / yieldNs, idleUntilAnnounced(strategy), "work again: the whole window");
        strategy.idle(0);
        assertEquals(2, sleeps);
        strategy.idle(0); // woken with nothing: announced at once, no window at all
        strategy.idle(0);
        assertEquals(3, sleeps);
        strategy.idle(1);
        strategy.idle(0);
        strategy.idle(0);
        strategy.idle(4); // work in the short window
        assertEquals(WINDOW_NS / yieldNs, idleUntilAnnounced(strategy), "work found in the wake-up window: whole window");
    }

    @Test
    void shouldRefuseAWakeUpWindowLongerThanTheSpinWindow()
    {
        assertThrows(IllegalArgumentException.class, () -> new WaitPointIdleStrategy(waitPoint, WINDOW_NS,
            1_000_000_000L, 0, Long.MAX_VALUE, STREAM_AFTER_NS, STREAM_WINDOW_NS, 1, false, WINDOW_NS + 1, clock,
            spinner, yielder));
    }
}
