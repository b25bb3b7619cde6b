package io.pvnet.ring.event;

import io.pvnet.ring.BackRing;
import io.pvnet.ring.SharedRing;
import io.pvnet.ring.region.Region;
import org.agrona.concurrent.AtomicBuffer;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The second process of {@link CrossProcessWakeStressTest}: {@code serve PATH COUNT SEED} answers COUNT requests on the
 * region's ring, sleeping on its event channel whenever the ring is empty, with random delays; exits 3 naming the
 * request when a wait ends on its timeout with work in the ring (a lost wake-up), else prints its sleep count.
 * {@code sleep PATH} bumps the heartbeat word and sleeps on its port until killed.
 */
public final class WakeStressPeer
{
    static final int ENTRY = 8;
    static final int HEARTBEAT_OFFSET = 0;
    static final long WAIT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private WakeStressPeer()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        try (Region region = Region.open(Path.of(args[1])))
        {
            final AtomicBuffer events = region.section("events").buffer();
            final EventChannel channel = new EventChannel(events, 1, 0, IdleMode.SLEEP);
            if (args[0].equals("sleep"))
            {
                final AtomicBuffer heartbeat = region.section("heartbeat").buffer();
                System.out.println("sleeping");
                System.out.flush();
                while (true)
                {
                    heartbeat.putLongVolatile(HEARTBEAT_OFFSET, System.nanoTime());
                    channel.await(TimeUnit.MILLISECONDS.toNanos(20));
                }
            }
            serve(region, channel, Long.parseLong(args[2]), Long.parseLong(args[3]));
        }
    }

    private static void serve(final Region region, final EventChannel channel, final long count, final long seed)
    {
        final AtomicBuffer buffer = region.section("ring").buffer();
        final BackRing back = new SharedRing(buffer, ENTRY).backRing();
        final SplittableRandom random = new SplittableRandom(seed);
        long expected = 0;
        while (expected < count)
        {
            final int available = back.finalCheckForRequests();
            if (available < 0)
            {
                fail("ring status " + available + " at " + expected);
            }
            if (available == 0)
            {
                final long start = System.nanoTime();
                if (!channel.await(WAIT_TIMEOUT_NS))
                {
                    fail("wait ended on its timeout after " + (System.nanoTime() - start) / 1000 + " us at request " +
                        expected + " with " + back.unconsumedRequests() + " requests in the ring");
                }
                continue;
            }
            for (int i = 0; i < available; i++)
            {
                final long value = buffer.getLong(back.requestOffset(back.requestConsumer()));
                if (value != expected)
                {
                    fail("request " + value + " where " + expected + " was due");
                }
                back.consumeRequest();
                buffer.putLong(back.claimResponse(), ~expected);
                expected++;
            }
            CrossProcessWakeStressTest.randomDelay(random);
            if (back.pushResponsesAndCheckNotify())
            {
                channel.notifyPeer();
            }
        }
        System.out.println("sleeps " + channel.sleeps() + " wakeups " + channel.wakeups());
    }

    private static void fail(final String message)
    {
        System.err.println("peer: " + message);
        System.exit(3);
    }
}
