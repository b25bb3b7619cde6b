package io.pvnet.ring.event;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Each kernel sleep of pvnet's wait points (a selector's futex, an epoll wait, an event channel's futex) is one sleep
 * that lasts until its timeout, its wake-up or an interrupt of its thread: an idle thread is not woken by time slices,
 * and an interrupt is not lost, neither one that comes while the thread sleeps nor one that came before.
 */
class InterruptWakeTest
{
    private static final int CAPACITY = 64;
    private static final long LONG_SLEEP_NS = TimeUnit.SECONDS.toNanos(60);
    /** Longer than the 1 s slices the sleeps were cut into before: a sliced sleep returns before it is interrupted. */
    private static final long INTERRUPT_AFTER_MS = 1_100;

    @Test
    void shouldSleepOnTheSelectorsFutexUntilInterrupted() throws InterruptedException
    {
        assumeTrue(Futex.isAvailable(), "futex(2) needs Linux on x86_64 or aarch64");
        final EventSelector selector = EventSelector.initialise(selectorMemory(), CAPACITY);
        assertOneSleepEndedByTheInterrupt(selector, selector::sleeps);
        assertAnInterruptBeforeTheSleepEndsItAtOnce(selector);
    }

    @Test
    void shouldSleepInEpollUntilInterrupted() throws InterruptedException
    {
        assumeTrue(Futex.isAvailable(), "epoll and eventfd need Linux");
        final EventSelector selector = EventSelector.initialise(selectorMemory(), CAPACITY);
        try (EpollWaitPoint waitPoint = new EpollWaitPoint(selector))
        {
            assertOneSleepEndedByTheInterrupt(waitPoint, waitPoint::sleeps);
            assertAnInterruptBeforeTheSleepEndsItAtOnce(waitPoint);
        }
    }

    @Test
    void shouldSleepOnTheChannelsFutexUntilInterrupted() throws InterruptedException
    {
        assumeTrue(Futex.isAvailable(), "futex(2) needs Linux on x86_64 or aarch64");
        final UnsafeBuffer ports = new UnsafeBuffer(ByteBuffer.allocateDirect(EventChannelDescriptor.lengthBytes(2)));
        final EventChannel channel = new EventChannel(ports, 0, 1, IdleMode.SLEEP);
        assertOneSleepEndedByTheInterrupt(channel, channel::sleeps);
        assertAnInterruptBeforeTheSleepEndsItAtOnce(channel);
    }

    private static MemorySegment selectorMemory()
    {
        return Arena.ofAuto().allocate(EventSelectorDescriptor.lengthBytes(CAPACITY), 64);
    }

    private static void assertOneSleepEndedByTheInterrupt(final WaitPoint waitPoint, final LongSupplier sleeps)
        throws InterruptedException
    {
        final long[] wokeAtNs = {0};
        final boolean[] interruptedAfter = {false};
        final Thread sleeper = new Thread(() ->
        {
            waitPoint.prepareToSleep();
            waitPoint.sleep(LONG_SLEEP_NS);
            wokeAtNs[0] = System.nanoTime();
            interruptedAfter[0] = Thread.currentThread().isInterrupted();
        });
        sleeper.start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sleeps.getAsLong() < 1)
        {
            assertTrue(System.nanoTime() - deadline < 0, "the thread never slept");
            Thread.sleep(1);
        }
        Thread.sleep(INTERRUPT_AFTER_MS); // past the end of a 1 s slice
        final long sleepsBefore = sleeps.getAsLong();
        final long interruptedAtNs = System.nanoTime();
        sleeper.interrupt();
        sleeper.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(sleeper.isAlive(), "the interrupt ended the 60 s sleep");
        assertTrue(wokeAtNs[0] - interruptedAtNs >= 0, "slept until interrupted, not to the end of a slice");
        assertEquals(1, sleepsBefore, "one kernel sleep");
        assertTrue(interruptedAfter[0], "the thread's interrupt flag is kept for its caller");
    }

    private static void assertAnInterruptBeforeTheSleepEndsItAtOnce(final WaitPoint waitPoint)
    {
        final long start = System.nanoTime();
        Thread.currentThread().interrupt();
        try
        {
            waitPoint.prepareToSleep();
            waitPoint.sleep(LONG_SLEEP_NS);
            assertTrue(Thread.currentThread().isInterrupted(), "the flag is kept");
        }
        finally
        {
            Thread.interrupted();
        }
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "an interrupt already set is not lost");
    }
}
