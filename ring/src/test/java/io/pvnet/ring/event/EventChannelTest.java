package io.pvnet.ring.event;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

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
        assertEquals(0, ports.getLong(EventChannelDescriptor.pendingSequenceOffset(2)), "other ports untouched");
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
    void shouldParseIdleModeNames()
    {
        assertEquals(IdleMode.BUSY_SPIN, IdleMode.fromName("busy-spin"));
        assertEquals(IdleMode.BACKOFF, IdleMode.fromName("BACKOFF"));
        assertEquals(IdleMode.PARK, IdleMode.fromName("park"));
        assertEquals(IdleMode.YIELD, IdleMode.fromName("Yield"));
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
