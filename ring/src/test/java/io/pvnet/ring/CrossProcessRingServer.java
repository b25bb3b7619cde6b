package io.pvnet.ring;

import io.pvnet.ring.event.EventChannel;
import io.pvnet.ring.event.IdleMode;
import io.pvnet.ring.grant.GrantStatus;
import io.pvnet.ring.grant.GrantTable;
import io.pvnet.ring.region.Region;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The backend half of {@link CrossProcessRingTest}, run in a second JVM: maps the region the test created, serves
 * {@code count} requests from the ring (grant-copying each request's data out of the frontend's pages and answering
 * with its hash; every 16th request also writes the hash back into the granted page), then exits 0. Any protocol
 * error exits non-zero with the reason on stderr.
 */
public final class CrossProcessRingServer
{
    static final int DOMID = 1;
    static final int REQUEST_ID_OFFSET = 0;
    static final int REQUEST_GREF_OFFSET = 4;
    static final int REQUEST_PAGE_OFFSET = 8;
    static final int REQUEST_LENGTH_OFFSET = 10;
    static final int RESPONSE_ID_OFFSET = 0;
    static final int RESPONSE_STATUS_OFFSET = 4;
    static final int RESPONSE_HASH_OFFSET = 8;
    static final int ENTRY = 16;

    private CrossProcessRingServer()
    {
    }

    public static void main(final String[] args)
    {
        final Path path = Path.of(args[0]);
        final long count = Long.parseLong(args[1]);
        try (Region region = Region.open(path, TimeUnit.SECONDS.toMillis(30)))
        {
            final SharedRing ring = new SharedRing(region.section("ring").buffer(), ENTRY);
            final BackRing back = ring.backRing();
            final GrantTable grants = GrantTable.attach(region.section("grants").buffer(), region.section("pool").buffer());
            final EventChannel channel = new EventChannel(region.section("events").buffer(), 1, 0, IdleMode.YIELD);
            final UnsafeBuffer buffer = new UnsafeBuffer(ring.buffer());
            final UnsafeBuffer local = new UnsafeBuffer(new byte[4096]);
            final UnsafeBuffer hashBytes = new UnsafeBuffer(new byte[8]);

            long served = 0;
            while (served < count)
            {
                final int available = back.finalCheckForRequests();
                if (available < 0)
                {
                    System.err.println("server: " + RingStatus.describe(available) + " after " + served);
                    System.exit(3);
                }
                if (available == 0)
                {
                    if (!channel.await(TimeUnit.SECONDS.toNanos(30)) && back.unconsumedRequests() == 0)
                    {
                        System.err.println("server: no request and no wake-up after " + served);
                        System.exit(4);
                    }
                    continue;
                }
                for (int i = 0; i < available; i++)
                {
                    final int offset = back.requestOffset(back.requestConsumer());
                    final int id = buffer.getInt(offset + REQUEST_ID_OFFSET);
                    final int gref = buffer.getInt(offset + REQUEST_GREF_OFFSET);
                    final int pageOffset = buffer.getShort(offset + REQUEST_PAGE_OFFSET) & 0xFFFF;
                    final int length = buffer.getShort(offset + REQUEST_LENGTH_OFFSET) & 0xFFFF;
                    back.consumeRequest();
                    int status = grants.copyFromGrant(DOMID, gref, pageOffset, local, 0, length);
                    final long hash = status == GrantStatus.OKAY ? hash(local, length) : 0;
                    if (status == GrantStatus.OKAY && (id & 15) == 0)
                    {
                        hashBytes.putLong(0, hash);
                        status = grants.copyToGrant(DOMID, gref, pageOffset, hashBytes, 0, 8);
                    }
                    final int response = back.claimResponse();
                    buffer.putInt(response + RESPONSE_ID_OFFSET, id);
                    buffer.putInt(response + RESPONSE_STATUS_OFFSET, status);
                    buffer.putLong(response + RESPONSE_HASH_OFFSET, hash);
                    served++;
                }
                if (back.pushResponsesAndCheckNotify())
                {
                    channel.notifyPeer();
                }
            }
        }
        catch (final RuntimeException ex)
        {
            ex.printStackTrace();
            System.exit(2);
        }
        System.exit(0);
    }

    static long hash(final UnsafeBuffer bytes, final int length)
    {
        long hash = 0xCBF2_9CE4_8422_2325L;
        for (int i = 0; i < length; i++)
        {
            hash = (hash ^ (bytes.getByte(i) & 0xFF)) * 0x100_0000_01B3L;
        }
        return hash;
    }
}
