package io.pvnet.ring.grant;

import io.pvnet.ring.region.Region;
import io.pvnet.ring.region.RegionSection;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.pvnet.ring.grant.GrantTableDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

class GrantTableTest
{
    private static final int BACKEND = 0;
    private static final int OTHER = 7;
    private static final int POOL_PAGES = 4;

    private Region region;
    private RegionSection pool;
    private RegionSection secret;
    private GrantTable granter;
    private GrantTable grantee;
    private final UnsafeBuffer local = new UnsafeBuffer(new byte[2 * PAGE_SIZE]);

    @BeforeEach
    void setUp()
    {
        region = Region.createAnonymous(1 << 20);
        final RegionSection table = region.allocateSection("grant-table", lengthBytes(16));
        pool = region.allocateSection("pool", POOL_PAGES * PAGE_SIZE);
        secret = region.allocateSection("secret", PAGE_SIZE);
        secret.buffer().setMemory(0, PAGE_SIZE, (byte)0x77);
        granter = GrantTable.create(table.buffer(), pool.buffer());
        grantee = GrantTable.attach(region.section("grant-table").buffer(), region.section("pool").buffer());
    }

    @AfterEach
    void tearDown()
    {
        region.close();
    }

    @Test
    void shouldWriteXenV1EntryWithFlagsDomidFrame()
    {
        final int ref = granter.grantAccess(BACKEND + 5, 2, true);
        assertTrue(ref > GRANT_INVALID_REF);
        final UnsafeBuffer table = new UnsafeBuffer(region.section("grant-table").buffer());
        final int entry = entryOffset(ref);
        assertEquals(GTF_PERMIT_ACCESS | GTF_READONLY, table.getShort(entry + FLAGS_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN));
        assertEquals(5, table.getShort(entry + DOMID_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN));
        assertEquals(2, table.getInt(entry + FRAME_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN));
        assertEquals(16, grantee.entryCount());
        assertEquals(POOL_PAGES, grantee.pageCount());
    }

    @Test
    void shouldCopyFromAndToGrantedPage()
    {
        pool.buffer().putStringWithoutLengthAscii(PAGE_SIZE + 100, "frame bytes");
        final int ref = granter.grantAccess(BACKEND, 1, false);
        assertEquals(GrantStatus.OKAY, grantee.copyFromGrant(BACKEND, ref, 100, local, 10, 11));
        assertEquals("frame bytes", local.getStringWithoutLengthAscii(10, 11));

        local.putStringWithoutLengthAscii(0, "reply");
        assertEquals(GrantStatus.OKAY, grantee.copyToGrant(BACKEND, ref, PAGE_SIZE - 5, local, 0, 5));
        assertEquals("reply", pool.buffer().getStringWithoutLengthAscii(2 * PAGE_SIZE - 5, 5));
        assertEquals(GrantStatus.OKAY, grantee.copyFromGrant(BACKEND, ref, 0, local, 0, PAGE_SIZE), "a whole page");
    }

    @Test
    void shouldDenyWriteToReadOnlyGrantAndOtherDomain()
    {
        final int ref = granter.grantAccess(BACKEND, 0, true);
        assertEquals(GrantStatus.OKAY, grantee.copyFromGrant(BACKEND, ref, 0, local, 0, 64));
        assertEquals(GrantStatus.PERMISSION_DENIED, grantee.copyToGrant(BACKEND, ref, 0, local, 0, 64));
        assertEquals(GrantStatus.PERMISSION_DENIED, grantee.copyFromGrant(OTHER, ref, 0, local, 0, 64));
    }

    @Test
    void shouldRejectCopiesCrossingThePageOrLeavingTheLocalBuffer()
    {
        final int ref = granter.grantAccess(BACKEND, 3, false);
        assertEquals(GrantStatus.BAD_COPY_ARG, grantee.copyFromGrant(BACKEND, ref, PAGE_SIZE - 10, local, 0, 11));
        assertEquals(GrantStatus.BAD_COPY_ARG, grantee.copyFromGrant(BACKEND, ref, -1, local, 0, 10));
        assertEquals(GrantStatus.BAD_COPY_ARG, grantee.copyFromGrant(BACKEND, ref, 0, local, 0, -1));
        assertEquals(GrantStatus.BAD_COPY_ARG, grantee.copyFromGrant(BACKEND, ref, 0, local, 0, PAGE_SIZE + 1));
        assertEquals(GrantStatus.BAD_COPY_ARG, grantee.copyToGrant(BACKEND, ref, Integer.MAX_VALUE, local, 0, 1));
        assertEquals(GrantStatus.BAD_COPY_ARG, grantee.copyFromGrant(BACKEND, ref, 0, local, local.capacity() - 5, 6));
        assertEquals(GrantStatus.BAD_COPY_ARG, grantee.copyToGrant(BACKEND, ref, 0, local, -4, 6));
        assertEquals(GrantStatus.OKAY, grantee.copyToGrant(BACKEND, ref, PAGE_SIZE - 10, local, 0, 10));
    }

    @Test
    void shouldRejectBadAndRevokedReferences()
    {
        assertEquals(GrantStatus.BAD_GNTREF, grantee.copyFromGrant(BACKEND, GRANT_INVALID_REF, 0, local, 0, 1));
        assertEquals(GrantStatus.BAD_GNTREF, grantee.copyFromGrant(BACKEND, 16, 0, local, 0, 1));
        assertEquals(GrantStatus.BAD_GNTREF, grantee.copyFromGrant(BACKEND, -5, 0, local, 0, 1));
        assertEquals(GrantStatus.BAD_GNTREF, grantee.copyFromGrant(BACKEND, 3, 0, local, 0, 1), "never granted");

        final int ref = granter.grantAccess(BACKEND, 0, false);
        assertEquals(GrantStatus.OKAY, granter.endAccess(ref));
        assertFalse(grantee.isGranted(ref));
        assertEquals(GrantStatus.BAD_GNTREF, grantee.copyFromGrant(BACKEND, ref, 0, local, 0, 1));
        assertEquals(GrantStatus.BAD_GNTREF, grantee.copyToGrant(BACKEND, ref, 0, local, 0, 1));
        assertEquals(GrantStatus.BAD_GNTREF, granter.endAccess(ref), "already revoked");
    }

    @Test
    void shouldNeverReachOutsideTheGranterPages()
    {
        // a corrupt or hostile entry naming a frame past the pool must not reach the section after it
        final int ref = granter.grantAccess(BACKEND, 0, false);
        final UnsafeBuffer table = new UnsafeBuffer(region.section("grant-table").buffer());
        for (final int frame : new int[] {POOL_PAGES, POOL_PAGES + 1, -1, Integer.MIN_VALUE})
        {
            table.putInt(entryOffset(ref) + FRAME_OFFSET, frame);
            assertEquals(GrantStatus.GENERAL_ERROR, grantee.copyFromGrant(BACKEND, ref, 0, local, 0, 16));
            assertEquals(GrantStatus.GENERAL_ERROR, grantee.copyToGrant(BACKEND, ref, 0, local, 0, 16));
        }
        assertEquals(0x7777_7777, secret.buffer().getInt(0));
        assertEquals(GrantStatus.GENERAL_ERROR, granter.grantAccess(BACKEND, POOL_PAGES, false));
        table.putInt(entryOffset(ref) + FRAME_OFFSET, 0);
        assertEquals(GrantStatus.OKAY, granter.endAccess(ref), "a failed copy leaves the grant revocable");
    }

    @Test
    void shouldPrefetchOnlyWhatIsGrantedToTheCallerAndHoldNothing()
    {
        pool.buffer().putLong(PAGE_SIZE + 64, 0x1122_3344_5566_7788L);
        final int ref = granter.grantAccess(BACKEND, 1, true);
        assertEquals(0x1122_3344_5566_7788L, grantee.prefetch(BACKEND, ref, 64));
        assertEquals(0x1122_3344_5566_7788L, grantee.prefetch(BACKEND, ref, 71), "rounded down to the word");
        assertEquals(0, grantee.prefetch(OTHER, ref, 64), "granted to another domain");
        for (final int offset : new int[] {-1, PAGE_SIZE, Integer.MIN_VALUE, Integer.MAX_VALUE})
        {
            assertEquals(0, grantee.prefetch(BACKEND, ref, offset), "offset " + offset);
        }
        for (final int badRef : new int[] {GRANT_INVALID_REF, -1, 16, 3})
        {
            assertEquals(0, grantee.prefetch(BACKEND, badRef, 64), "ref " + badRef);
        }
        // a hostile frame number never reaches the section after the pool
        final UnsafeBuffer table = new UnsafeBuffer(region.section("grant-table").buffer());
        for (final int frame : new int[] {POOL_PAGES, -1})
        {
            table.putInt(entryOffset(ref) + FRAME_OFFSET, frame);
            assertEquals(0, grantee.prefetch(BACKEND, ref, 64));
        }
        table.putInt(entryOffset(ref) + FRAME_OFFSET, 1);
        assertEquals(GrantStatus.OKAY, granter.endAccess(ref), "a prefetch marks nothing in use");
        assertEquals(0, grantee.prefetch(BACKEND, ref, 64), "revoked");
    }

    @Test
    void shouldRefuseRevokeWhileCopyInProgress()
    {
        final int ref = granter.grantAccess(BACKEND, 0, false);
        final UnsafeBuffer table = new UnsafeBuffer(region.section("grant-table").buffer());
        final int word = table.getInt(entryOffset(ref));
        table.putInt(entryOffset(ref), word | GTF_READING); // as a grantee mid-copy
        assertEquals(GrantStatus.EAGAIN, granter.endAccess(ref));
        assertEquals(GrantStatus.EAGAIN, grantee.copyFromGrant(BACKEND, ref, 0, local, 0, 1), "second copier");
        table.putInt(entryOffset(ref), word);
        assertEquals(GrantStatus.OKAY, granter.endAccess(ref));
    }

    @Test
    void shouldRecycleReferencesAndReportExhaustion()
    {
        final int[] refs = new int[15];
        for (int i = 0; i < refs.length; i++)
        {
            refs[i] = granter.grantAccess(BACKEND, i % POOL_PAGES, false);
            assertTrue(refs[i] > 0 && refs[i] < 16);
        }
        assertEquals(15, java.util.Arrays.stream(refs).distinct().count());
        assertEquals(GrantStatus.NO_FREE_REFERENCE, granter.grantAccess(BACKEND, 0, false));
        assertEquals(GrantStatus.OKAY, granter.endAccess(refs[4]));
        assertEquals(refs[4], granter.grantAccess(BACKEND, 1, true));
    }

    @Test
    void shouldCopyBetweenTwoTables()
    {
        final RegionSection otherTable = region.allocateSection("grant-table-2", lengthBytes(8));
        final RegionSection otherPool = region.allocateSection("pool-2", PAGE_SIZE);
        final GrantTable second = GrantTable.create(otherTable.buffer(), otherPool.buffer());
        pool.buffer().putLong(8, 0xABCDEF);
        final int source = granter.grantAccess(BACKEND, 0, true);
        final int destination = second.grantAccess(BACKEND, 0, false);
        assertEquals(GrantStatus.OKAY, GrantTable.copyGrantToGrant(grantee, BACKEND, source, 8, second, BACKEND, destination, 16, 8));
        assertEquals(0xABCDEF, otherPool.buffer().getLong(16));
        final int readOnly = second.grantAccess(BACKEND, 0, true);
        assertEquals(GrantStatus.PERMISSION_DENIED,
            GrantTable.copyGrantToGrant(grantee, BACKEND, source, 0, second, BACKEND, readOnly, 0, 8));
        assertEquals(GrantStatus.OKAY, granter.endAccess(source), "the source was released after the failed copy");
    }

    @Test
    void shouldRejectUninitialisedOrMismatchedTable()
    {
        final RegionSection blank = region.allocateSection("blank", PAGE_SIZE);
        assertThrows(IllegalArgumentException.class, () -> GrantTable.attach(blank.buffer(), pool.buffer()));
        assertThrows(IllegalArgumentException.class,
            () -> GrantTable.attach(region.section("grant-table").buffer(), secret.buffer()));
    }

    @Test
    void shouldWriteThroughWindowOnlyWithinGrantedBytesAndHoldGrantWhileOpen()
    {
        final int ref = granter.grantAccess(BACKEND, 1, false);
        final GrantWindow window = new GrantWindow();
        assertEquals(GrantStatus.OKAY, grantee.openWindow(BACKEND, ref, 100, 200, window));
        assertTrue(window.isOpen());
        assertEquals(200, window.buffer().capacity());
        window.buffer().setMemory(0, 200, (byte)0x5A);
        assertThrows(IndexOutOfBoundsException.class, () -> window.buffer().putByte(200, (byte)1));
        assertThrows(IndexOutOfBoundsException.class, () -> window.buffer().putByte(-1, (byte)1));
        assertEquals(GrantStatus.EAGAIN, granter.endAccess(ref), "revoke refused while the window is open");
        assertEquals(GrantStatus.EAGAIN, grantee.openWindow(BACKEND, ref, 0, 1, window), "window already open");
        grantee.closeWindow(window);
        assertFalse(window.isOpen());
        assertEquals(0, window.buffer().capacity());
        assertThrows(IndexOutOfBoundsException.class, () -> window.buffer().putByte(0, (byte)1));
        final int page = granter.pageOffset(1);
        assertEquals(0, pool.buffer().getByte(page + 99));
        assertEquals(0x5A, pool.buffer().getByte(page + 100));
        assertEquals(0x5A, pool.buffer().getByte(page + 299));
        assertEquals(0, pool.buffer().getByte(page + 300));
        assertEquals(GrantStatus.OKAY, granter.endAccess(ref));
        assertEquals(GrantStatus.BAD_GNTREF, grantee.openWindow(BACKEND, ref, 0, 1, window), "revoked grant unusable");
        assertFalse(window.isOpen());
    }

    @Test
    void shouldRefuseWindowOnReadOnlyForeignOrOutOfPageGrant()
    {
        final int readOnly = granter.grantAccess(BACKEND, 0, true);
        final int writable = granter.grantAccess(BACKEND, 2, false);
        final GrantWindow window = new GrantWindow();
        assertEquals(GrantStatus.PERMISSION_DENIED, grantee.openWindow(BACKEND, readOnly, 0, 10, window));
        assertEquals(GrantStatus.PERMISSION_DENIED, grantee.openWindow(OTHER, writable, 0, 10, window));
        assertEquals(GrantStatus.BAD_COPY_ARG, grantee.openWindow(BACKEND, writable, PAGE_SIZE - 10, 11, window));
        assertEquals(GrantStatus.BAD_COPY_ARG, grantee.openWindow(BACKEND, writable, -1, 10, window));
        assertEquals(GrantStatus.BAD_GNTREF, grantee.openWindow(BACKEND, 0, 0, 10, window));
        assertEquals(GrantStatus.BAD_GNTREF, grantee.openWindow(BACKEND, 16, 0, 10, window));
        assertFalse(window.isOpen());
        assertEquals(GrantStatus.OKAY, grantee.openWindow(BACKEND, writable, 0, PAGE_SIZE, window));
        assertEquals(PAGE_SIZE, window.buffer().capacity());
        grantee.closeWindow(window);
        assertEquals(GrantStatus.OKAY, granter.endAccess(writable));
    }
}
