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
            final Thread thread = new Thread(() ->
            {
                for (int i = 0; i < rounds; i++)
                {
                    if (!waiter.await(TimeUnit.SECONDS.toNanos(10)))
                    {
                        return;
                    }
                    waiter.notifyPeer(); // answer, ping-pong style
                }
            });
            thread.start();
            for (int i = 0; i < rounds; i++)
            {
                notifier.notifyPeer();
                assertTrue(notifier.await(TimeUnit.SECONDS.toNanos(10)), mode + " round " + i);
            }
            thread.join();
        }
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
        Thread.sleep(50);
        final long interruptedAt = System.nanoTime();
        thread.interrupt();
        thread.join(5_000);
        assertFalse(thread.isAlive(), "an interrupt ends the wait within one sleep slice");
        assertFalse(result[0]);
        assertTrue(System.nanoTime() - interruptedAt < EventChannel.MAX_SLEEP_SLICE_NS + TimeUnit.SECONDS.toNanos(2));
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
        notifier.yieldAfterWake(true, () -> yields[0]++);
        assertFalse(notifier.notifyPeer());
        assertEquals(0, yields[0], "peer polling: no wake-up, no yield");

        waiter.prepareToSleep();
        assertTrue(notifier.notifyPeer(), "armed: the notifier pays the wake-up");
        assertEquals(0, yields[0], "armed but not yet in the kernel: the FUTEX_WAKE found nobody, no yield");
        waiter.cancelSleep();
        waiter.poll();

        final Thread thread = new Thread(() -> waiter.await(TimeUnit.SECONDS.toNanos(10)));
        thread.start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getState() != Thread.State.RUNNABLE || ports.getIntVolatile(EventChannelDescriptor.armedOffset(2)) == 0)
        {
            assertTrue(System.nanoTime() < deadline, "waiter never armed");
            Thread.sleep(1);
        }
        Thread.sleep(100); // in FUTEX_WAIT by now (a native call: the thread stays RUNNABLE for the JVM)
        assertTrue(notifier.notifyPeer());
        thread.join(5_000);
        assertFalse(thread.isAlive());
        assertEquals(1, yields[0], "woke a sleeper: one yield");
        assertEquals(1, notifier.wakeYields());

        notifier.yieldAfterWake(false, () -> yields[0]++);
        final Thread again = new Thread(() -> waiter.await(TimeUnit.SECONDS.toNanos(10)));
        again.start();
        Thread.sleep(100);
        notifier.notifyPeer();
        again.join(5_000);
        assertEquals(1, yields[0], "turned off: no yield");
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
