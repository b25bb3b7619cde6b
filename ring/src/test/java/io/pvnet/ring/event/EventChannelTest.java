package io.pvnet.ring.event;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class EventChannelTest
{
    private final UnsafeBuffer ports = new UnsafeBuffer(ByteBuffer.allocateDirect(EventChannelDescriptor.lengthBytes(4)));

    @Test
    void shouldDeliverNotificationToThePeerOnly()
    {
        final EventChannel front = new EventChannel(ports, 0, 1, IdleMode.BUSY_SPIN);
        final EventChannel back = new EventChannel(ports, 1, 0, IdleMode.BUSY_SPIN);
        assertFalse(back.poll());
        front.notifyPeer();
        front.notifyPeer();
        assertFalse(front.poll(), "the notifier's own port is not raised");
        assertTrue(back.poll(), "two notifications collapse into one");
        assertFalse(back.poll());
        assertEquals(2, back.localSequence());
        assertEquals(0, ports.getInt(EventChannelDescriptor.eventWordOffset(2)), "other ports untouched");
    }

    @Test
    void shouldTimeOutWithoutNotification()
    {
        final EventChannel channel = new EventChannel(ports, 2, 3, IdleMode.PARK);
        final long start = System.nanoTime();
        assertFalse(channel.await(TimeUnit.MILLISECONDS.toNanos(20)));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(20));
        assertFalse(channel.await(0));
    }

    @Test
    void shouldWakeWaitingThreadWithEveryIdleMode() throws InterruptedException
    {
        for (final IdleMode mode : IdleMode.values())
        {
            final EventChannel waiter = new EventChannel(ports, 0, 1, mode);
            final EventChannel notifier = new EventChannel(ports, 1, 0, mode);
            final int rounds = 200;
            // the state the notifications are about, as a ring is: a notification is a hint (a waker may add one more,
            // and two collapse into one), so each side waits until the state it expects, not for a count of wake-ups
            final java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
            final java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
            final Thread thread = new Thread(() ->
            {
                for (int i = 1; i <= rounds; i++)
                {
                    if (!awaitValue(waiter, asked, i))
                    {
                        return;
                    }
                    answered.set(i);
                    waiter.notifyPeer(); // answer, ping-pong style
                }
            });
            thread.start();
            for (int i = 1; i <= rounds; i++)
            {
                asked.set(i);
                notifier.notifyPeer();
                assertTrue(awaitValue(notifier, answered, i), mode + " round " + i);
            }
            thread.join();
        }
    }

    /**
     * @return whether {@code value} reached {@code expected} within 10 s, awaiting {@code channel} between checks (each
     * await gets what is left of the 10 s).
     */
    private static boolean awaitValue(
        final EventChannel channel, final java.util.concurrent.atomic.AtomicInteger value, final int expected)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (value.get() < expected)
        {
            final long remaining = deadline - System.nanoTime();
            if (remaining <= 0 || !channel.await(remaining) && value.get() < expected)
            {
                return false;
            }
        }
        return true;
    }

    @Test
    void shouldPayOnlyAnAtomicAddWhilePeerPolls()
    {
        final EventChannel front = new EventChannel(ports, 0, 1, IdleMode.SLEEP);
        final EventChannel back = new EventChannel(ports, 1, 0, IdleMode.SLEEP);
        for (int i = 0; i < 1000; i++)
        {
            assertFalse(front.notifyPeer(), "peer not armed: no wake-up");
        }
        assertEquals(0, front.wakeups());
        back.prepareToSleep();
        assertTrue(front.notifyPeer(), "peer armed: one wake-up");
        assertFalse(front.notifyPeer(), "the first notifier disarmed it: no second wake-up");
        assertEquals(1, front.wakeups());
        back.sleep(TimeUnit.SECONDS.toNanos(5)); // the word moved since prepareToSleep: returns at once
        assertEquals(0, back.sleeps(), "never entered the kernel: the word had changed");
    }

    @Test
    void shouldSleepInKernelUntilNotifiedWithoutPolling() throws InterruptedException
    {
        assumeTrue(Futex.isAvailable(), "futex needs Linux on x86_64 or aarch64");
        final EventChannel waiter = new EventChannel(ports, 2, 3, IdleMode.SLEEP);
        final EventChannel notifier = new EventChannel(ports, 3, 2, IdleMode.SLEEP);
        final long[] wokenAfter = new long[1];
        final Thread thread = new Thread(() ->
        {
            final long start = System.nanoTime();
            if (waiter.await(TimeUnit.SECONDS.toNanos(10)))
            {
                wokenAfter[0] = System.nanoTime() - start;
            }
        });
        thread.start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ports.getIntVolatile(EventChannelDescriptor.armedOffset(2)) == 0 && System.nanoTime() < deadline)
        {
            Thread.sleep(1);
        }
        Thread.sleep(100); // the waiter is in FUTEX_WAIT by now (or about to be: the word compare covers that)
        assertTrue(notifier.notifyPeer(), "the waiter armed its port");
        thread.join(5_000);
        assertFalse(thread.isAlive());
        assertTrue(wokenAfter[0] >= TimeUnit.MILLISECONDS.toNanos(100), "slept until notified: " + wokenAfter[0]);
        assertTrue(waiter.sleeps() >= 1);
        assertEquals(0, ports.getInt(EventChannelDescriptor.armedOffset(2)), "disarmed after waking");
    }

    @Test
    void shouldEndTheSleepOfAThreadInterruptedJustBeforeItSleeps() throws InterruptedException
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            // a fresh end each time: an interrupted sleep's wake-up is left as a notification for the next poll
            final EventChannel channel = new EventChannel(ports, 2, 3, IdleMode.SLEEP);
            final boolean[] result = {true};
            final Thread thread = new Thread(() -> result[0] = channel.await(TimeUnit.SECONDS.toNanos(60)));
            thread.start();
            // anywhere from before the arming to inside the futex: a wake-up that only woke an existing sleeper would
            // be lost when the interrupt falls between the interrupt check and the syscall
            thread.interrupt();
            thread.join(5_000);
            assertFalse(thread.isAlive(), "attempt " + attempt + ": the interrupt was lost");
            assertFalse(result[0]);
        }
    }

    @Test
    void shouldNumberEachArmingSoThatADelayedNotifiersCasFails()
    {
        final EventChannel waiter = new EventChannel(ports, 2, 3, IdleMode.SLEEP);
        final int armed = EventChannelDescriptor.armedOffset(2);
        waiter.prepareToSleep();
        final int first = ports.getIntVolatile(armed);
        waiter.cancelSleep();
        waiter.prepareToSleep();
        final int second = ports.getIntVolatile(armed);
        // a notifier read the first arming, was delayed, and CASes now: it must not take the second (the waiter would
        // sleep armed by nobody, and every later notifier, reading 0, would skip the wake-up)
        assertNotEquals(0, first);
        assertNotEquals(0, second);
        assertFalse(ports.compareAndSetInt(armed, first, 0), "a stale arming's CAS fails");
        assertEquals(second, ports.getIntVolatile(armed), "the waiter is still armed");
        waiter.cancelSleep();
        waiter.armLocalPort();
        assertNotEquals(second, ports.getIntVolatile(armed), "a selector arming is numbered too");
    }

    private void awaitArmed(final int port) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ports.getIntVolatile(EventChannelDescriptor.armedOffset(port)) == 0 && System.nanoTime() < deadline)
        {
            Thread.sleep(1);
        }
        assertTrue(ports.getIntVolatile(EventChannelDescriptor.armedOffset(port)) != 0, "port " + port + " armed");
    }

    @Test
    void shouldHonourTimeoutAndInterruptWhileSleeping() throws InterruptedException
    {
        final EventChannel channel = new EventChannel(ports, 2, 3, IdleMode.ADAPTIVE);
        final long start = System.nanoTime();
        assertFalse(channel.await(TimeUnit.MILLISECONDS.toNanos(30)));
        final long took = System.nanoTime() - start;
        assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(30) && took < TimeUnit.SECONDS.toNanos(5), "took " + took);

        final boolean[] result = {true};
        final Thread thread = new Thread(() -> result[0] = channel.await(TimeUnit.SECONDS.toNanos(60)));
        thread.start();
        awaitArmed(2); // in FUTEX_WAIT by now, or about to be: the interrupt's bumped word covers that
        thread.interrupt();
        thread.join(5_000);
        assertFalse(thread.isAlive(), "an interrupt ends the kernel sleep, not its 60 s timeout");
        assertFalse(result[0]);
    }

    @Test
    void shouldRaiseTheOwnersSelectorBitWhenItsPortIsBound()
    {
        final java.lang.foreign.MemorySegment memory =
            java.lang.foreign.Arena.ofAuto().allocate(EventSelectorDescriptor.lengthBytes(128), 64);
        final EventSelector selector = EventSelector.initialise(memory, 128);
        final EventChannel host = new EventChannel(ports, 0, 1, IdleMode.SLEEP);
        final EventChannel guest = new EventChannel(ports, 1, 0, IdleMode.SLEEP, EventSelector.attach(memory));
        host.bindLocalPort(77);
        guest.notifyPeer();
        assertFalse(selector.hasPending(), "host polling its port: no raise");
        host.armLocalPort();
        assertTrue(guest.notifyPeer());
        final int[] bits = new int[128];
        assertEquals(1, selector.drain(bits));
        assertEquals(77, bits[0]);
        assertTrue(host.poll());
    }

    @Test
    void shouldYieldOnlyAfterANotificationThatWokeASleepingPeer() throws InterruptedException
    {
        assumeTrue(Futex.isAvailable(), "futex needs Linux on x86_64 or aarch64");
        final EventChannel waiter = new EventChannel(ports, 2, 3, IdleMode.SLEEP);
        final EventChannel notifier = new EventChannel(ports, 3, 2, IdleMode.SLEEP);
        final int[] yields = new int[1];
        notifier.yieldAfterWake(true, new WakeYieldLimiter(0, System::nanoTime, () -> yields[0]++));
        assertFalse(notifier.notifyPeer());
        assertEquals(0, yields[0], "peer polling: no wake-up, no yield");

        waiter.prepareToSleep();
        assertTrue(notifier.notifyPeer(), "armed: the notifier pays the wake-up");
        assertEquals(0, notifier.peersWoken(), "armed but not in the kernel: the FUTEX_WAKE found nobody");
        assertEquals(0, yields[0], "nobody woken, no yield");
        waiter.cancelSleep();
        waiter.poll();

        final int rounds = wakeSleepingWaiter(waiter, notifier);
        assertEquals(1, notifier.peersWoken());
        assertEquals(1, yields[0], "woke a sleeper: one yield (" + rounds + " rounds before one slept)");
        assertEquals(1, notifier.wakeYields());

        notifier.yieldAfterWake(false, new WakeYieldLimiter(0, System::nanoTime, () -> yields[0]++));
        wakeSleepingWaiter(waiter, notifier);
        assertEquals(2, notifier.peersWoken());
        assertEquals(1, yields[0], "turned off: no yield");
    }

    /**
     * Rounds of: a thread awaits on {@code waiter}, the test notifies once it armed, until a notification found it in
     * {@code FUTEX_WAIT} ({@link EventChannel#peersWoken()} grew: a native call keeps the thread RUNNABLE, so no state
     * says it sleeps). Every round ends: a notification before the thread is in the kernel changes the word it would
     * wait on. {@return rounds it took}
     */
    private int wakeSleepingWaiter(final EventChannel waiter, final EventChannel notifier) throws InterruptedException
    {
        final long wokenBefore = notifier.peersWoken();
        for (int round = 1; round <= 200; round++)
        {
            final boolean[] notified = {false};
            final Thread thread = new Thread(() -> notified[0] = waiter.await(TimeUnit.SECONDS.toNanos(10)));
            thread.start();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ports.getIntVolatile(EventChannelDescriptor.armedOffset(2)) == 0 && thread.isAlive())
            {
                assertTrue(System.nanoTime() < deadline, "waiter never armed");
                Thread.onSpinWait();
            }
            Thread.sleep(Math.min(round, 20)); // more time to reach FUTEX_WAIT in each round
            notifier.notifyPeer();
            thread.join(5_000);
            assertFalse(thread.isAlive(), "the notification ended the wait");
            assertTrue(notified[0]);
            if (notifier.peersWoken() > wokenBefore)
            {
                return round;
            }
        }
        return fail("no notification found the waiter asleep in 200 rounds");
    }

    @Test
    void shouldYieldOncePerGapWhenOneCycleWakesManyPeers()
    {
        final int[] kicks = new int[4];
        final int[] yields = new int[1];
        final long[] now = {1_000_000};
        final WakeYieldLimiter limiter = new WakeYieldLimiter(50_000, () -> now[0], () ->
        {
            yields[0]++;
            now[0] += 30_000; // the woken peer ran meanwhile
        });
        final EventChannel[] notifiers = new EventChannel[4];
        final UnsafeBuffer[] sections = new UnsafeBuffer[4];
        for (int i = 0; i < notifiers.length; i++)
        {
            sections[i] = new UnsafeBuffer(ByteBuffer.allocateDirect(EventChannelDescriptor.lengthBytes(2)));
            notifiers[i] = new EventChannel(sections[i], 0, 1, IdleMode.SLEEP);
            kicks[i] = io.pvnet.ring.share.LinuxCalls.eventfd();
            assumeTrue(kicks[i] >= 0, "eventfd needs Linux");
            notifiers[i].kickPeerThrough(kicks[i]); // a written eventfd is a woken peer, deterministically
            notifiers[i].yieldAfterWake(true, limiter);
        }
        try
        {
            for (final UnsafeBuffer section : sections)
            {
                section.putIntVolatile(EventChannelDescriptor.armedOffset(1), 1); // every peer asleep
            }
            for (final EventChannel notifier : notifiers)
            {
                assertTrue(notifier.notifyPeer());
                now[0] += 2_000; // one duty cycle: the next vif 2 us later
            }
            int woken = 0;
            for (final EventChannel notifier : notifiers)
            {
                woken += (int)notifier.peersWoken();
            }
            assertEquals(4, woken, "every peer woken");
            assertEquals(1, yields[0], "one yield for the cycle, not one per woken peer");
            assertEquals(3, limiter.skipped());

            now[0] += 50_000; // the next sporadic kick: the gap is over
            sections[0].putIntVolatile(EventChannelDescriptor.armedOffset(1), 1);
            assertTrue(notifiers[0].notifyPeer());
            assertEquals(2, yields[0], "a wake-up after the gap yields at once (the guest's kick-then-poll)");
            assertEquals(2, notifiers[0].wakeYields());
        }
        finally
        {
            for (final int fd : kicks)
            {
                if (fd >= 0)
                {
                    io.pvnet.ring.share.LinuxCalls.close(fd);
                }
            }
        }
    }

    @Test
    void shouldMeasureTheWakeYieldGapFromTheEndOfTheLastYield()
    {
        final long[] now = {0};
        final int[] yields = new int[1];
        final WakeYieldLimiter limiter = new WakeYieldLimiter(50_000, () -> now[0], () -> yields[0]++);
        assertTrue(limiter.afterWake(), "the first wake-up yields");
        now[0] = 49_999;
        assertFalse(limiter.afterWake());
        now[0] = 50_000;
        assertTrue(limiter.afterWake());
        final WakeYieldLimiter everyTime = new WakeYieldLimiter(0, () -> 7, () -> yields[0]++);
        assertTrue(everyTime.afterWake());
        assertTrue(everyTime.afterWake(), "gap 0: a yield after every wake-up");
        assertEquals(4, yields[0]);
        assertThrows(IllegalArgumentException.class, () -> new WakeYieldLimiter(-1, () -> 0, () -> { }));
    }

    @Test
    void shouldParseIdleModeNames()
    {
        assertEquals(IdleMode.BUSY_SPIN, IdleMode.fromName("busy-spin"));
        assertEquals(IdleMode.BACKOFF, IdleMode.fromName("BACKOFF"));
        assertEquals(IdleMode.PARK, IdleMode.fromName("park"));
        assertEquals(IdleMode.YIELD, IdleMode.fromName("Yield"));
        assertEquals(IdleMode.SLEEP, IdleMode.fromName("sleep"));
        assertEquals(IdleMode.ADAPTIVE, IdleMode.fromName("adaptive"));
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> IdleMode.fromName("sleepy"));
        assertTrue(ex.getMessage().contains("idle=sleepy"));
    }

    @Test
    void shouldRejectBadPorts()
    {
        assertThrows(IllegalArgumentException.class, () -> new EventChannel(ports, 0, 4, IdleMode.NOOP));
        assertThrows(IllegalArgumentException.class, () -> new EventChannel(ports, -1, 0, IdleMode.NOOP));
        assertThrows(IllegalArgumentException.class, () -> new EventChannel(ports, 1, 1, IdleMode.NOOP));
    }
}
