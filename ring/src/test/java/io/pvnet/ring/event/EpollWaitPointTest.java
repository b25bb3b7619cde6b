package io.pvnet.ring.event;

import io.pvnet.ring.share.LinuxCalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The host thread's one wait point over kick eventfds and its selector: kicks raise only their own bit, none is lost
 * while the owner is awake, in-process raisers wake the owner out of epoll, the timeout is never early.
 */
class EpollWaitPointTest
{
    private static final int CAPACITY = 128;
    private final MemorySegment memory = Arena.ofAuto().allocate(EventSelectorDescriptor.lengthBytes(CAPACITY), 64);
    private final EventSelector selector = EventSelector.initialise(memory, CAPACITY);
    private final EpollWaitPoint waitPoint = new EpollWaitPoint(selector);
    private final int[] bits = new int[CAPACITY];
    private final int[] kickFds = {LinuxCalls.eventfd(), LinuxCalls.eventfd(), LinuxCalls.eventfd()};

    @AfterEach
    void tearDown()
    {
        for (final int fd : kickFds)
        {
            waitPoint.unregister(fd);
            LinuxCalls.close(fd);
        }
        waitPoint.close();
    }

    @Test
    void shouldRaiseOnlyTheKickedBitOnceHoweverOftenItWasKicked()
    {
        waitPoint.register(kickFds[0], 3);
        waitPoint.register(kickFds[1], 77);
        waitPoint.register(kickFds[2], 127);
        assertEquals(3, waitPoint.registered());
        for (int i = 0; i < 1_000; i++)
        {
            assertEquals(0, LinuxCalls.eventfdSignal(kickFds[1]));
        }
        // written while the owner was awake: waiting on epoll's ready list, taken without blocking
        assertEquals(1, waitPoint.pollKicks());
        assertEquals(1, selector.drain(bits));
        assertEquals(77, bits[0]);
        assertEquals(0, waitPoint.pollKicks(), "edge-triggered: one report per burst of writes");
        LinuxCalls.eventfdSignal(kickFds[2]);
        LinuxCalls.eventfdSignal(kickFds[0]);
        waitPoint.prepareToSleep();
        final long start = System.nanoTime();
        waitPoint.sleep(TimeUnit.SECONDS.toNanos(10));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "kicks before the sleep end it at once");
        assertEquals(2, selector.drain(bits));
        assertArrayEquals(new int[] {3, 127}, java.util.Arrays.copyOf(bits, 2));
    }

    @Test
    void shouldIgnoreAMutedKickFdAndReportItOnceWhenUnmuted()
    {
        waitPoint.register(kickFds[0], 5);
        waitPoint.register(kickFds[1], 6);
        assertTrue(waitPoint.mute(kickFds[0]));
        for (int i = 0; i < 1_000; i++)
        {
            LinuxCalls.eventfdSignal(kickFds[0]);
        }
        LinuxCalls.eventfdSignal(kickFds[1]);
        waitPoint.prepareToSleep();
        final long start = System.nanoTime();
        waitPoint.sleep(TimeUnit.SECONDS.toNanos(10));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "the other kick fd still wakes the owner");
        assertEquals(1, selector.drain(bits));
        assertEquals(6, bits[0], "only the fd that is not muted raised its bit");
        assertEquals(0, waitPoint.pollKicks(), "writes to a muted fd wake nobody");
        // unmuted, an eventfd whose counter was written (and never read) reports itself once at once
        assertTrue(waitPoint.unmute(kickFds[0], 5));
        assertEquals(1, waitPoint.pollKicks());
        assertEquals(1, selector.drain(bits));
        assertEquals(5, bits[0]);
        assertEquals(0, waitPoint.pollKicks());
        LinuxCalls.eventfdSignal(kickFds[0]);
        assertEquals(1, waitPoint.pollKicks(), "and every write is a new edge again");
        assertEquals(2, waitPoint.registered());
        assertFalse(waitPoint.mute(kickFds[2]), "not registered");
    }

    @Test
    void shouldStopRaisingAfterUnregisterAndRefuseBitsOutsideTheSelector()
    {
        assertThrows(IllegalArgumentException.class, () -> waitPoint.register(kickFds[0], CAPACITY));
        assertThrows(IllegalArgumentException.class, () -> waitPoint.register(kickFds[0], -1));
        waitPoint.register(kickFds[0], 9);
        assertTrue(waitPoint.unregister(kickFds[0]));
        assertFalse(waitPoint.unregister(kickFds[0]));
        assertEquals(0, waitPoint.registered());
        LinuxCalls.eventfdSignal(kickFds[0]);
        assertEquals(0, waitPoint.pollKicks());
        assertEquals(0, selector.drain(bits));
    }

    @Test
    void shouldWakeAnOwnerSleepingInEpollWhenAThreadRaisesTheSelector() throws Exception
    {
        final EventSelector raiser = EventSelector.attach(memory);
        final long[] delays = new long[9];
        int woken = 0;
        for (int attempt = 0; attempt < delays.length; attempt++)
        {
            final AtomicLong wokeAt = new AtomicLong();
            final Thread owner = Thread.ofPlatform().start(() ->
            {
                // an owner's loop: each sleep is at most one 50 ms slice, then the bits are checked again
                while (!selector.hasPending())
                {
                    waitPoint.prepareToSleep();
                    waitPoint.sleep(TimeUnit.SECONDS.toNanos(30));
                }
                wokeAt.set(System.nanoTime());
            });
            Thread.sleep(30 + 7 * attempt); // somewhere inside a slice
            final long wakeCallsBefore = raiser.wakeCalls();
            final long raisedAt = System.nanoTime();
            assertTrue(raiser.raise(42));
            owner.join(10_000);
            assertTrue(wokeAt.get() != 0);
            delays[attempt] = wokeAt.get() - raisedAt;
            // the raiser wakes the owner only if it found it asleep; at a slice's end the owner may be awake re-checking
            final long wakeCalls = raiser.wakeCalls() - wakeCallsBefore;
            assertTrue(wakeCalls <= 1, "one wake-up call at most per raise");
            woken += (int)wakeCalls;
            assertEquals(1, selector.drain(bits));
            assertEquals(42, bits[0]);
        }
        assertTrue(woken >= delays.length / 2, woken + " of " + delays.length + " raises found the owner asleep");
        java.util.Arrays.sort(delays);
        // woken through the selector's eventfd: a raise that reached nobody would wait for the slice to end (0..50 ms,
        // median 25 ms)
        assertTrue(delays[delays.length / 2] < TimeUnit.MILLISECONDS.toNanos(15),
            "median wake-up " + delays[delays.length / 2] / 1_000 + " us");
    }

    @Test
    void shouldSleepNoShorterThanItsTimeoutWhenNothingHappens()
    {
        waitPoint.register(kickFds[0], 1);
        for (final long timeoutNs : new long[] {1_000_000L, 20_000_000L})
        {
            waitPoint.prepareToSleep();
            final long start = System.nanoTime();
            waitPoint.sleep(timeoutNs);
            assertTrue(System.nanoTime() - start >= timeoutNs, "never early: " + (System.nanoTime() - start));
        }
        assertEquals(0, selector.drain(bits));
    }

    @Test
    void shouldReturnAtOnceWhenABitIsPendingBeforeTheSleep()
    {
        waitPoint.prepareToSleep();
        selector.raise(5); // raised after the announcement: the final check's view
        final long start = System.nanoTime();
        waitPoint.sleep(TimeUnit.SECONDS.toNanos(10));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1));
        assertEquals(1, selector.drain(bits));
    }
}
