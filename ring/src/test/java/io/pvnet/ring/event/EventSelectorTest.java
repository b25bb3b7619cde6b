package io.pvnet.ring.event;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.BitSet;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class EventSelectorTest
{
    private static final int CAPACITY = 1024;
    private final MemorySegment memory = Arena.ofAuto().allocate(EventSelectorDescriptor.lengthBytes(CAPACITY), 64);
    private final EventSelector selector = EventSelector.initialise(memory, CAPACITY);

    @Test
    void shouldDrainOnlyRaisedBitsInOrderAndOnce()
    {
        final EventSelector raiser = EventSelector.attach(memory);
        assertEquals(CAPACITY, raiser.capacity());
        for (final int bit : new int[] {1023, 5, 64, 5, 0, 640})
        {
            assertTrue(raiser.raise(bit));
        }
        assertTrue(selector.hasPending());
        final int[] bits = new int[CAPACITY];
        assertEquals(5, selector.drain(bits));
        assertArrayEquals(new int[] {0, 5, 64, 640, 1023}, java.util.Arrays.copyOf(bits, 5));
        assertFalse(selector.hasPending());
        assertEquals(0, selector.drain(bits));
    }

    @Test
    void shouldRefuseBitsOutsideAndMemoryThatIsNoSelector()
    {
        assertFalse(selector.raise(CAPACITY));
        assertFalse(selector.raise(-1));
        assertFalse(selector.hasPending());
        assertThrows(IllegalArgumentException.class, () -> EventSelector.attach(Arena.ofAuto().allocate(4096, 64)));
        assertThrows(IllegalArgumentException.class, () -> EventSelector.initialise(memory, CAPACITY * 8));
        assertThrows(IllegalArgumentException.class, () -> EventSelectorDescriptor.lengthBytes(0));
    }

    @Test
    void shouldNotSleepWhenARaiseCameAfterTheAnnouncement()
    {
        selector.prepareToSleep();
        selector.raise(3);
        final long start = System.nanoTime();
        selector.sleep(TimeUnit.SECONDS.toNanos(10));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        assertEquals(0, selector.sleeps());
    }

    /** Four raisers, one owner sleeping between rounds: every raised bit is drained, none lost, no wait times out. */
    @Test
    void shouldNumberEachAnnouncementSoThatADelayedRaisersCasFails()
    {
        selector.prepareToSleep();
        final int first = memory.get(java.lang.foreign.ValueLayout.JAVA_INT, EventSelectorDescriptor.SLEEPING_OFFSET);
        selector.cancelSleep();
        selector.prepareToSleep();
        final int second = memory.get(java.lang.foreign.ValueLayout.JAVA_INT, EventSelectorDescriptor.SLEEPING_OFFSET);
        assertNotEquals(0, first);
        assertNotEquals(0, second);
        assertNotEquals(first, second, "each announcement its own number: a raiser's CAS of a stale one fails");
        selector.cancelSleep();
    }

    @Test
    void shouldNeverLoseARaiseUnderConcurrentRaisers() throws InterruptedException
    {
        final int rounds = 20_000;
        final BitSet[] raised = new BitSet[4];
        final AtomicBoolean stop = new AtomicBoolean();
        final long[] raisedCount = new long[4];
        final Thread[] raisers = new Thread[4];
        final java.util.concurrent.atomic.AtomicLongArray outstanding = new java.util.concurrent.atomic.AtomicLongArray(CAPACITY);
        for (int t = 0; t < raisers.length; t++)
        {
            final int id = t;
            raised[t] = new BitSet();
            raisers[t] = new Thread(() ->
            {
                final SplittableRandom random = new SplittableRandom(id);
                final EventSelector handle = EventSelector.attach(memory);
                while (!stop.get())
                {
                    final int bit = id * 256 + random.nextInt(256);
                    outstanding.incrementAndGet(bit);
                    handle.raise(bit);
                    raisedCount[id]++;
                    if (random.nextInt(64) == 0)
                    {
                        java.util.concurrent.locks.LockSupport.parkNanos(random.nextInt(50_000));
                    }
                }
            });
            raisers[t].start();
        }
        final int[] bits = new int[CAPACITY];
        long drained = 0;
        for (int round = 0; round < rounds; round++)
        {
            int n = selector.drain(bits);
            if (n == 0)
            {
                selector.prepareToSleep();
                n = selector.drain(bits);
                if (n == 0)
                {
                    final long start = System.nanoTime();
                    selector.sleep(TimeUnit.SECONDS.toNanos(5));
                    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(4), "slept to its timeout");
                }
                else
                {
                    selector.cancelSleep();
                }
            }
            for (int i = 0; i < n; i++)
            {
                outstanding.set(bits[i], 0);
                drained++;
            }
        }
        stop.set(true);
        for (final Thread raiser : raisers)
        {
            raiser.join();
        }
        final int n = selector.drain(bits);
        for (int i = 0; i < n; i++)
        {
            outstanding.set(bits[i], 0);
        }
        for (int bit = 0; bit < CAPACITY; bit++)
        {
            assertEquals(0, outstanding.get(bit), "bit " + bit + " raised and never drained");
        }
        assertTrue(drained > 0);
    }

    @Test
    void shouldSayWhetherARaiseWokeTheSleepingOwner() throws InterruptedException
    {
        assumeTrue(Futex.isAvailable(), "futex needs Linux on x86_64 or aarch64");
        final MemorySegment memory =
            Arena.ofAuto().allocate(EventSelectorDescriptor.lengthBytes(64), 64);
        final EventSelector owner = EventSelector.initialise(memory, 64);
        final EventSelector raiser = EventSelector.attach(memory);
        final int[] bits = new int[64];
        assertEquals(EventSelector.OUTSIDE, raiser.raiseAndWake(64));
        assertEquals(EventSelector.RAISED, raiser.raiseAndWake(3), "owner awake");
        owner.drain(bits);
        // rounds until a raise finds the owner in FUTEX_WAIT (a native call keeps the thread RUNNABLE: no state says
        // it sleeps); every round ends, a raise before the owner is in the kernel changes the word it would wait on
        for (int round = 1; round <= 200; round++)
        {
            final Thread thread = new Thread(() ->
            {
                owner.prepareToSleep();
                owner.sleep(TimeUnit.SECONDS.toNanos(10));
            });
            thread.start();
            Thread.sleep(Math.min(round, 20));
            final int first = raiser.raiseAndWake(5);
            final int second = raiser.raiseAndWake(6);
            thread.join(5_000);
            assertFalse(thread.isAlive(), "the raise ended the sleep");
            assertEquals(2, owner.drain(bits));
            if (first == EventSelector.WOKE)
            {
                assertEquals(EventSelector.RAISED, second, "the first raiser took the wake-up");
                return;
            }
            assertEquals(EventSelector.RAISED, first);
        }
        fail("no raise found the owner asleep in 200 rounds");
    }
}
