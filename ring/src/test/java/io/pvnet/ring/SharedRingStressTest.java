package io.pvnet.ring;

import io.pvnet.ring.event.EventChannel;
import io.pvnet.ring.event.EventChannelDescriptor;
import io.pvnet.ring.event.IdleMode;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Two threads, one ring: the front pushes numbered requests, the back checks each number in order and answers in
 * place, the front checks each answer in order. Size: {@code -Dpvnet.stress.requests=N} through the XEN-layout ring
 * (the PADDED layout and the notify variant run a tenth of it). The suite runs 3 x 10^7 (about 1.5 s on a quiet 2-core
 * VM; two spinning threads that share their cores with other work took up to 56 s for 10^8); the 10^8 is a run
 * on demand: {@code -Dtest=SharedRingStressTest -Dpvnet.stress.requests=100000000}. Spinning threads yield after
 * {@value #SPINS_BEFORE_YIELD} idle rounds, so a machine busy with other work slows the test down but cannot stall it.
 */
class SharedRingStressTest
{
    static final long REQUESTS = Long.getLong("pvnet.stress.requests", 30_000_000L);
    private static final int ENTRY = 16;
    private static final int SPINS_BEFORE_YIELD = 1_000;
    private static final long MIX = 0x9E37_79B9_7F4A_7C15L;

    @ParameterizedTest
    @EnumSource(RingLayout.class)
    void shouldCarryEveryRequestAndResponseInOrder(final RingLayout layout) throws InterruptedException
    {
        final long count = layout == RingLayout.XEN ? REQUESTS : Math.max(1, REQUESTS / 10);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(SharedRingDescriptor.PAGE_SIZE));
        final SharedRing ring = new SharedRing(buffer, ENTRY, layout);
        ring.init();
        final FrontRing front = ring.frontRing();
        final BackRing back = ring.backRing();
        final AtomicReference<String> failure = new AtomicReference<>();

        final Thread backThread = new Thread(() ->
        {
            long expected = 0;
            int idle = 0;
            while (expected < count && failure.get() == null)
            {
                final int available = back.unconsumedRequests();
                if (available < 0)
                {
                    failure.compareAndSet(null, "back: " + RingStatus.describe(available));
                    return;
                }
                for (int i = 0; i < available; i++)
                {
                    final int offset = back.requestOffset(back.requestConsumer());
                    final long value = buffer.getLong(offset);
                    final long check = buffer.getLong(offset + 8);
                    if (value != expected || check != value * MIX)
                    {
                        failure.compareAndSet(null, "back: request " + expected + " read " + value + "/" + check);
                        return;
                    }
                    back.consumeRequest();
                    final int response = back.claimResponse();
                    buffer.putLong(response, ~value);
                    buffer.putLong(response + 8, value * MIX + 1);
                    expected++;
                }
                if (available > 0)
                {
                    back.pushResponses();
                    idle = 0;
                }
                else if (++idle > SPINS_BEFORE_YIELD)
                {
                    Thread.yield();
                    idle = 0;
                }
            }
        }, "stress-back");
        backThread.start();

        final long start = System.nanoTime();
        long sent = 0;
        long received = 0;
        int batch = 1;
        int idle = 0;
        while (received < count && failure.get() == null)
        {
            batch = batch == 64 ? 1 : batch + 1; // every batch size from 1 to 64, so wraps fall everywhere
            int claimed = 0;
            while (claimed < batch && sent < count)
            {
                final int offset = front.claimRequest();
                if (offset < 0)
                {
                    break;
                }
                buffer.putLong(offset, sent);
                buffer.putLong(offset + 8, sent * MIX);
                sent++;
                claimed++;
            }
            if (claimed > 0)
            {
                front.pushRequests();
            }
            final int responses = front.unconsumedResponses();
            if (responses < 0)
            {
                failure.compareAndSet(null, "front: " + RingStatus.describe(responses));
                break;
            }
            for (int i = 0; i < responses; i++)
            {
                final int offset = front.responseOffset(front.responseConsumer() + i);
                if (buffer.getLong(offset) != ~received || buffer.getLong(offset + 8) != received * MIX + 1)
                {
                    failure.compareAndSet(null, "front: response " + received + " read " + ~buffer.getLong(offset));
                    break;
                }
                received++;
            }
            front.consumeResponses(responses);
            if (claimed > 0 || responses > 0)
            {
                idle = 0;
            }
            else if (++idle > SPINS_BEFORE_YIELD)
            {
                Thread.yield();
                idle = 0;
            }
        }
        backThread.join();
        final double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%s: %,d requests and responses in %.2f s (%.1f M/s)%n", layout, count, seconds, count / seconds / 1e6);
        assertNull(failure.get());
        assertEquals(count, received);
        assertEquals((int)count, ring.requestProducer());
        assertEquals((int)count, ring.responseProducer());
    }

    /**
     * The notify protocol under load: both sides sleep on event channels after a final check and are woken only by
     * push-and-check-notify. A lost wake-up shows as an await timing out with work in the ring.
     */
    @Test
    void shouldNeverLoseAWakeUp() throws InterruptedException
    {
        final long count = Math.max(1, REQUESTS / 10);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(SharedRingDescriptor.PAGE_SIZE));
        final UnsafeBuffer ports = new UnsafeBuffer(ByteBuffer.allocateDirect(EventChannelDescriptor.lengthBytes(2)));
        final SharedRing ring = new SharedRing(buffer, ENTRY);
        ring.init();
        final FrontRing front = ring.frontRing();
        final BackRing back = ring.backRing();
        final EventChannel frontChannel = new EventChannel(ports, 0, 1, IdleMode.YIELD);
        final EventChannel backChannel = new EventChannel(ports, 1, 0, IdleMode.YIELD);
        final long timeoutNs = TimeUnit.SECONDS.toNanos(10);
        final AtomicReference<String> failure = new AtomicReference<>();

        final Thread backThread = new Thread(() ->
        {
            long expected = 0;
            while (expected < count)
            {
                final int available = back.finalCheckForRequests();
                if (available < 0)
                {
                    failure.compareAndSet(null, "back: " + RingStatus.describe(available));
                    return;
                }
                if (available == 0)
                {
                    if (!backChannel.await(timeoutNs) && back.unconsumedRequests() == 0)
                    {
                        failure.compareAndSet(null, "back: no request and no wake-up after " + expected);
                        return;
                    }
                    continue;
                }
                for (int i = 0; i < available; i++)
                {
                    if (buffer.getLong(back.requestOffset(back.requestConsumer())) != expected)
                    {
                        failure.compareAndSet(null, "back: out of order at " + expected);
                        return;
                    }
                    back.consumeRequest();
                    buffer.putLong(back.claimResponse(), ~expected);
                    expected++;
                }
                if (back.pushResponsesAndCheckNotify())
                {
                    backChannel.notifyPeer();
                }
            }
        }, "notify-back");
        backThread.start();

        long sent = 0;
        long received = 0;
        long notifications = 0;
        while (received < count && failure.get() == null)
        {
            int claimed = 0;
            final int batch = 1 + (int)(sent % 7);
            while (claimed < batch && sent < count)
            {
                final int offset = front.claimRequest();
                if (offset < 0)
                {
                    break;
                }
                buffer.putLong(offset, sent++);
                claimed++;
            }
            if (claimed > 0 && front.pushRequestsAndCheckNotify())
            {
                frontChannel.notifyPeer();
                notifications++;
            }
            final int responses = front.finalCheckForResponses();
            if (responses < 0)
            {
                failure.compareAndSet(null, "front: " + RingStatus.describe(responses));
                break;
            }
            if (responses == 0 && (front.isFull() || sent == count))
            {
                if (!frontChannel.await(timeoutNs) && front.unconsumedResponses() == 0)
                {
                    failure.compareAndSet(null, "front: no response and no wake-up after " + received);
                }
                continue;
            }
            for (int i = 0; i < responses; i++)
            {
                if (buffer.getLong(front.responseOffset(front.responseConsumer())) != ~received)
                {
                    failure.compareAndSet(null, "front: response out of order at " + received);
                    break;
                }
                front.consumeResponse();
                received++;
            }
        }
        backThread.join(TimeUnit.SECONDS.toMillis(30));
        assertNull(failure.get());
        assertEquals(count, received);
        assertTrue(notifications > 0 && notifications <= count, "notifications=" + notifications);
    }
}
