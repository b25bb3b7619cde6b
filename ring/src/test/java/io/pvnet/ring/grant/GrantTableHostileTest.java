package io.pvnet.ring.grant;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.pvnet.ring.grant.GrantTableDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A grantee attaching to and copying through a table its granter rewrites at will: every value is read once, checked,
 * then used, so nothing the granter writes makes the grantee allocate from a hostile size, throw or reach beyond the
 * table and the granted pages (issue 13 item 6).
 */
class GrantTableHostileTest
{
    private static final int ENTRIES = 64;
    private static final int PAGES = 8;

    private final UnsafeBuffer table = new UnsafeBuffer(ByteBuffer.allocateDirect(lengthBytes(ENTRIES)));
    private final UnsafeBuffer pages = new UnsafeBuffer(ByteBuffer.allocateDirect(PAGES * PAGE_SIZE));
    private final UnsafeBuffer local = new UnsafeBuffer(ByteBuffer.allocateDirect(PAGE_SIZE));

    @Test
    void shouldNeverUseAnEntryCountOtherThanTheOneItChecked() throws InterruptedException
    {
        final GrantTable granter = GrantTable.create(table, pages);
        granter.grantAccess(1, 3, false);
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread flipper = Thread.ofPlatform().start(() ->
        {
            // the race of the issue: a valid count for the check, a hostile one for the use
            while (!stop.get())
            {
                table.putIntVolatile(ENTRY_COUNT_OFFSET, ENTRIES);
                table.putIntVolatile(ENTRY_COUNT_OFFSET, Integer.MAX_VALUE - 7);
            }
        });
        try
        {
            int attached = 0;
            for (int i = 0; i < 50_000; i++)
            {
                try
                {
                    final GrantTable grantee = GrantTable.attach(table, pages);
                    attached++;
                    assertEquals(ENTRIES, grantee.entryCount(), "the count that passed the check, never the hostile one");
                    assertEquals(GrantStatus.BAD_GNTREF, grantee.copyFromGrant(1, ENTRIES + 5, 0, local, 0, 8));
                }
                catch (final IllegalArgumentException refused)
                {
                    assertTrue(refused.getMessage().contains("entryCount="), refused.getMessage());
                }
            }
            assertTrue(attached > 0, "some attaches saw the valid count");
        }
        finally
        {
            stop.set(true);
            flipper.join();
        }
    }

    @Test
    void shouldAnswerEveryCopyThroughAScribbledTableWithAStatus()
    {
        GrantTable.create(table, pages);
        final GrantTable grantee = GrantTable.attach(table, pages);
        final UnsafeBuffer canary = new UnsafeBuffer(ByteBuffer.allocateDirect(PAGE_SIZE));
        final Random random = new Random(42);
        int okay = 0;
        for (int round = 0; round < 200_000; round++)
        {
            table.putInt(random.nextInt(table.capacity() / 4) * 4, random.nextInt(8) == 0 ? random.nextInt(PAGES) :
                random.nextInt());
            final int ref = random.nextInt(ENTRIES + 4) - 2;
            final int offset = random.nextInt(PAGE_SIZE + 64) - 32;
            final int length = random.nextInt(PAGE_SIZE + 64) - 32;
            final int domid = random.nextInt(4) == 0 ? random.nextInt() : (table.getInt(entryOffset(Math.max(ref, 0))
                % ENTRIES) >>> 16);
            final int status = switch (round % 4)
            {
                case 0 -> grantee.copyFromGrant(domid, ref, offset, local, 0, Math.max(0, Math.min(length, PAGE_SIZE)));
                case 1 -> grantee.copyToGrant(domid, ref, offset, canary, 0, Math.max(0, Math.min(length, PAGE_SIZE)));
                case 2 -> GrantTable.copyGrantToGrant(grantee, domid, ref, offset, grantee, domid, ref + 1, offset,
                    Math.max(0, Math.min(length, PAGE_SIZE)));
                default ->
                {
                    grantee.prefetch(domid, ref, offset);
                    yield grantee.isGranted(ref) ? GrantStatus.OKAY : GrantStatus.BAD_GNTREF;
                }
            };
            assertTrue(status == GrantStatus.OKAY || status < 0, "a status, got " + status);
            okay += status == GrantStatus.OKAY ? 1 : 0;
        }
        assertTrue(okay > 0, "some copies through entries that happen to be valid succeed");
    }
}
