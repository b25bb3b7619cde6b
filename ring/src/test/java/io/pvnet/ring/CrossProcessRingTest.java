package io.pvnet.ring;

import io.pvnet.testsupport.ChildJvm;
import io.pvnet.ring.event.EventChannel;
import io.pvnet.ring.event.EventChannelDescriptor;
import io.pvnet.ring.event.IdleMode;
import io.pvnet.ring.grant.GrantStatus;
import io.pvnet.ring.grant.GrantTable;
import io.pvnet.ring.grant.GrantTableDescriptor;
import io.pvnet.ring.region.Region;
import io.pvnet.ring.region.RegionSection;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.pvnet.ring.CrossProcessRingServer.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A second JVM maps the same region file and serves {@code -Dpvnet.crossprocess.requests=N} (default 10^6) requests
 * whose data it grant-copies out of this process's pages; each response's hash is checked against the data sent, and
 * every 16th page against what the server grant-copied back.
 */
class CrossProcessRingTest
{
    private static final long REQUESTS = Long.getLong("pvnet.crossprocess.requests", 1_000_000L);
    private static final int DATA_LENGTH = 64;

    @TempDir
    Path dir;

    @Test
    void shouldServeRequestsFromSecondProcessVerifiedEndToEnd() throws IOException, InterruptedException
    {
        final Path path = dir.resolve("cross-process-region");
        try (Region region = Region.create(path, 1 << 20))
        {
            final RegionSection ringSection = region.allocateSection("ring", SharedRingDescriptor.PAGE_SIZE);
            final RegionSection pool = region.allocateSection("pool", 2 * GrantTableDescriptor.PAGE_SIZE);
            final RegionSection grantSection = region.allocateSection("grants", GrantTableDescriptor.lengthBytes(8));
            final RegionSection events = region.allocateSection("events", EventChannelDescriptor.lengthBytes(2));
            final SharedRing ring = new SharedRing(ringSection.buffer(), ENTRY);
            ring.init();
            final FrontRing front = ring.frontRing();
            final GrantTable grants = GrantTable.create(grantSection.buffer(), pool.buffer());
            final int[] grefs = {grants.grantAccess(DOMID, 0, false), grants.grantAccess(DOMID, 1, false)};
            final EventChannel channel = new EventChannel(events.buffer(), 0, 1, IdleMode.YIELD);
            final UnsafeBuffer buffer = new UnsafeBuffer(ringSection.buffer());
            final UnsafeBuffer pages = new UnsafeBuffer(pool.buffer());
            final UnsafeBuffer expected = new UnsafeBuffer(new byte[DATA_LENGTH]);
            final int slotsPerPage = GrantTableDescriptor.PAGE_SIZE / DATA_LENGTH;
            assertEquals(128, front.size());

            final Process server = startServer(path, REQUESTS);
            try
            {
                long sent = 0;
                long received = 0;
                long hashedBack = 0;
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (received < REQUESTS)
                {
                    assertTrue(server.isAlive() || received == REQUESTS, "server exited early: " + describe(server));
                    assertTrue(System.nanoTime() - deadline < 0, "timed out after " + received + " responses");
                    while (sent < REQUESTS)
                    {
                        final int offset = front.claimRequest();
                        if (offset < 0)
                        {
                            break;
                        }
                        // the request's data lives in a 64-byte area of the pool tied to its slot, free until answered
                        final int slot = (int)(sent & (front.size() - 1));
                        final int pageOffset = (slot % slotsPerPage) * DATA_LENGTH;
                        final int poolOffset = (slot / slotsPerPage) * GrantTableDescriptor.PAGE_SIZE + pageOffset;
                        fill(pages, poolOffset, sent);
                        buffer.putInt(offset + REQUEST_ID_OFFSET, (int)sent);
                        buffer.putInt(offset + REQUEST_GREF_OFFSET, grefs[slot / slotsPerPage]);
                        buffer.putShort(offset + REQUEST_PAGE_OFFSET, (short)pageOffset);
                        buffer.putShort(offset + REQUEST_LENGTH_OFFSET, (short)DATA_LENGTH);
                        sent++;
                    }
                    if (front.pushRequestsAndCheckNotify())
                    {
                        channel.notifyPeer();
                    }
                    final int responses = front.finalCheckForResponses();
                    assertTrue(responses >= 0, RingStatus.describe(responses));
                    if (responses == 0)
                    {
                        channel.await(TimeUnit.MILLISECONDS.toNanos(100));
                        continue;
                    }
                    for (int i = 0; i < responses; i++)
                    {
                        final int offset = front.responseOffset(front.responseConsumer());
                        assertEquals((int)received, buffer.getInt(offset + RESPONSE_ID_OFFSET));
                        assertEquals(GrantStatus.OKAY, buffer.getInt(offset + RESPONSE_STATUS_OFFSET), "response " + received);
                        fill(expected, 0, received);
                        final long hash = CrossProcessRingServer.hash(expected, DATA_LENGTH);
                        assertEquals(hash, buffer.getLong(offset + RESPONSE_HASH_OFFSET), "hash of request " + received);
                        if ((received & 15) == 0)
                        {
                            final int slot = (int)(received & (front.size() - 1));
                            final int poolOffset = (slot / slotsPerPage) * GrantTableDescriptor.PAGE_SIZE
                                + (slot % slotsPerPage) * DATA_LENGTH;
                            assertEquals(hash, pages.getLong(poolOffset), "hash written back through the grant");
                            hashedBack++;
                        }
                        front.consumeResponse();
                        received++;
                    }
                }
                assertTrue(server.waitFor(30, TimeUnit.SECONDS), "server did not exit");
                assertEquals(0, server.exitValue(), describe(server));
                assertEquals(REQUESTS, received);
                assertEquals((REQUESTS + 15) / 16, hashedBack);
            }
            finally
            {
                server.destroyForcibly();
            }
        }
    }

    private static void fill(final UnsafeBuffer target, final int offset, final long sequence)
    {
        for (int i = 0; i < DATA_LENGTH; i += 8)
        {
            target.putLong(offset + i, (sequence * 0x9E37_79B9_7F4A_7C15L) ^ i);
        }
    }

    static Process startServer(final Path path, final long count) throws IOException
    {
        return ChildJvm.of(CrossProcessRingServer.class).arguments(path.toString(), Long.toString(count))
            .processBuilder().redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static String describe(final Process process)
    {
        if (process.isAlive())
        {
            return "running";
        }
        try
        {
            return "exit " + process.exitValue() + ": " + new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return "exit " + process.exitValue();
        }
    }
}
