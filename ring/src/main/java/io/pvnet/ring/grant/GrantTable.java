package io.pvnet.ring.grant;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;

import static io.pvnet.ring.grant.GrantTableDescriptor.*;

/**
 * A Xen-style grant table in shared memory ({@link GrantTableDescriptor}): the granter (a frontend) grants pages of
 * its page section to a peer domain, read-only or read-write, and revokes them; the grantee (a backend) copies from
 * and to granted pages by reference, as {@code GNTTABOP_copy}, with a {@link GrantStatus} per copy.
 * <p>
 * A reference reaches exactly one page of the granter's page section: the frame is checked against the section on
 * every copy, a copy may not cross its page, and a revoked (or never granted) reference is refused. Nothing else of
 * the region is reachable through a reference.
 * <p>
 * <b>Threads.</b> One granter thread calls {@link #grantAccess} and {@link #endAccess} (it owns the free list); one
 * grantee thread per table calls the copy methods (a second concurrent copier of the same reference gets
 * {@link GrantStatus#EAGAIN}). Granter and grantee may be in different processes, each with its own
 * {@code GrantTable} over the same table and pages. Data-path calls allocate nothing and throw nothing.
 */
public final class GrantTable
{
    private final AtomicBuffer table;
    private final AtomicBuffer pages;
    private final int entryCount;
    private final int pageCount;
    private final int[] freeRefs;
    private int freeCount;

    /**
     * @param entryCount the validated entry count: read once from the table and checked by the caller, never re-read
     *                   here (a grantee's peer may rewrite the header at any time).
     * @param granter    true for the granter, which owns the free list; a grantee keeps none.
     */
    private GrantTable(final AtomicBuffer table, final AtomicBuffer pages, final int entryCount, final boolean granter)
    {
        this.table = table;
        this.pages = pages;
        this.entryCount = entryCount;
        this.pageCount = pages.capacity() / PAGE_SIZE;
        this.freeRefs = new int[granter ? entryCount : 0];
        for (int ref = granter ? entryCount - 1 : 0; ref > GRANT_INVALID_REF; ref--)
        {
            if ((table.getIntAcquire(entryOffset(ref)) & GTF_PERMIT_ACCESS) == 0)
            {
                freeRefs[freeCount++] = ref;
            }
        }
    }

    /**
     * Formats {@code table} as an empty grant table for the pages in {@code pages} (the granter's page section) and
     * returns the granter's handle. Call before sharing the table.
     *
     * @param table the grant-table section, zeroed or reused.
     * @param pages the granter's page section, whole pages of {@link GrantTableDescriptor#PAGE_SIZE}.
     * @return the granter's handle (with a free list of references); granter thread only.
     * @throws IllegalArgumentException when the table cannot hold two entries or the pages are not whole pages.
     */
    public static GrantTable create(final AtomicBuffer table, final AtomicBuffer pages)
    {
        final int entries = entryCountFor(table.capacity());
        if (entries < 2)
        {
            throw new IllegalArgumentException("grant table too small: capacity=" + table.capacity());
        }
        if (pages.capacity() < PAGE_SIZE)
        {
            throw new IllegalArgumentException("granter pages must hold at least one page: capacity=" + pages.capacity());
        }
        table.setMemory(0, lengthBytes(entries), (byte)0);
        table.putInt(ENTRY_COUNT_OFFSET, entries);
        table.putInt(PAGE_COUNT_OFFSET, pages.capacity() / PAGE_SIZE);
        table.putInt(PAGE_SIZE_OFFSET, PAGE_SIZE);
        // release: whoever sees the magic (acquire) sees the header and the zeroed entries
        table.putIntRelease(MAGIC_OFFSET, MAGIC);
        return new GrantTable(table, pages, entries, true);
    }

    /**
     * Attaches to a table another party created over the same pages (typically the grantee, possibly in another
     * process). The header is read once and validated ({@link GrantTableDescriptor#checkTable}); the returned handle
     * uses only that validated entry count, so a peer rewriting the header later cannot move a copy outside the
     * table. The attached handle is a grantee's: it has no free list ({@link #grantAccess} returns
     * {@link GrantStatus#NO_FREE_REFERENCE}).
     *
     * @param table the grant-table section the granter formatted.
     * @param pages the same page section, as mapped here.
     * @return the grantee's handle; grantee thread only.
     * @throws IllegalArgumentException when the table is not initialised or does not match {@code pages}.
     */
    public static GrantTable attach(final AtomicBuffer table, final AtomicBuffer pages)
    {
        if (table.capacity() >= HEADER_LENGTH && table.getIntAcquire(MAGIC_OFFSET) != MAGIC)
        {
            throw new IllegalArgumentException("not an initialised grant table: magic=0x"
                + Integer.toHexString(table.getInt(MAGIC_OFFSET)));
        }
        final int entries = checkTable(table, pages.capacity() / PAGE_SIZE);
        return new GrantTable(table, pages, entries, false);
    }

    /** {@return references in the table (reference 0 is reserved)} */
    public int entryCount()
    {
        return entryCount;
    }

    /** {@return pages in the granter's page section; valid frames are {@code 0 .. pageCount-1}} */
    public int pageCount()
    {
        return pageCount;
    }

    /** {@return the granter's pages; page {@code frame} starts at {@link #pageOffset(int)}} */
    public AtomicBuffer pages()
    {
        return pages;
    }

    /**
     * {@return byte offset of page {@code frame} in {@link #pages()}}
     * @param frame a page index in the granter's page section.
     */
    public int pageOffset(final int frame)
    {
        return frame * PAGE_SIZE;
    }

    /** {@return references the granter can still hand out} */
    public int freeReferences()
    {
        return freeCount;
    }

    /**
     * Granter: grants page {@code frame} of the granter's pages to domain {@code domid}
     * ({@code gnttab_grant_foreign_access}).
     *
     * @param domid the grantee's domain id.
     * @param frame the page index in the granter's page section.
     * @param readOnly true to let the grantee read only.
     * @return the reference (> 0), {@link GrantStatus#NO_FREE_REFERENCE}, or {@link GrantStatus#GENERAL_ERROR} for a
     *         frame outside the pages.
     */
    public int grantAccess(final int domid, final int frame, final boolean readOnly)
    {
        if (frame < 0 || frame >= pageCount || domid < 0 || domid > 0xFFFF)
        {
            return GrantStatus.GENERAL_ERROR;
        }
        if (freeCount == 0)
        {
            return GrantStatus.NO_FREE_REFERENCE;
        }
        final int ref = freeRefs[--freeCount];
        final int entry = entryOffset(ref);
        table.putInt(entry + FRAME_OFFSET, frame);
        // release (Xen's wmb before flags): a grantee that sees GTF_permit_access (acquire) sees the frame
        table.putIntRelease(entry + FLAGS_OFFSET, entryWord(GTF_PERMIT_ACCESS | (readOnly ? GTF_READONLY : 0), domid));
        return ref;
    }

    /**
     * Granter: revokes {@code ref} ({@code gnttab_end_foreign_access_ref}) and returns it to the free list. Fails while
     * a grantee copy is using it.
     *
     * @param ref a reference {@link #grantAccess} returned.
     * @return {@link GrantStatus#OKAY}, {@link GrantStatus#EAGAIN} while in use (retry), or
     *         {@link GrantStatus#BAD_GNTREF} when {@code ref} is not granted.
     */
    public int endAccess(final int ref)
    {
        if (ref <= GRANT_INVALID_REF || ref >= entryCount)
        {
            return GrantStatus.BAD_GNTREF;
        }
        final int entry = entryOffset(ref);
        final int word = table.getIntVolatile(entry);
        if ((word & GTF_PERMIT_ACCESS) == 0)
        {
            return GrantStatus.BAD_GNTREF;
        }
        if ((word & (GTF_READING | GTF_WRITING)) != 0)
        {
            return GrantStatus.EAGAIN;
        }
        // CAS: a grantee that set GTF_reading/writing after our load makes this fail; when it succeeds no copy can start
        // (a copier's CAS expects the granted word) and every finished copy's page accesses happen-before it
        if (!table.compareAndSetInt(entry, word, 0))
        {
            return GrantStatus.EAGAIN;
        }
        freeRefs[freeCount++] = ref;
        return GrantStatus.OKAY;
    }

    /**
     * {@return true when {@code ref} is currently granted (any domain)}
     * @param ref a grant reference.
     */
    public boolean isGranted(final int ref)
    {
        return ref > GRANT_INVALID_REF && ref < entryCount && (table.getIntAcquire(entryOffset(ref)) & GTF_PERMIT_ACCESS) != 0;
    }

    /**
     * Grantee ({@code GNTTABOP_copy} with {@code GNTCOPY_source_gref}): copies {@code length} bytes at
     * {@code pageOffset} of the page behind {@code ref} to {@code destination}.
     *
     * @param domid the calling grantee's domain id; must be the one the grant names.
     * @param ref the reference the granter passed (for instance in a tx request).
     * @param pageOffset where in the granted page the bytes start.
     * @param destination where the bytes go (the grantee's own memory).
     * @param destinationOffset where in {@code destination} they go.
     * @param length bytes to copy; offset and length must stay inside the page.
     * @return a {@link GrantStatus}: OKAY, BAD_GNTREF, PERMISSION_DENIED, BAD_COPY_ARG, GENERAL_ERROR or EAGAIN.
     */
    public int copyFromGrant(
        final int domid, final int ref, final int pageOffset,
        final MutableDirectBuffer destination, final int destinationOffset, final int length)
    {
        if (!fitsIn(destinationOffset, length, destination.capacity()))
        {
            return GrantStatus.BAD_COPY_ARG;
        }
        final int page = acquire(domid, ref, pageOffset, length, GTF_READING);
        if (page < 0)
        {
            return page;
        }
        destination.putBytes(destinationOffset, pages, page + pageOffset, length);
        release(ref, GTF_READING);
        return GrantStatus.OKAY;
    }

    /**
     * Grantee ({@code GNTTABOP_copy} with {@code GNTCOPY_dest_gref}): copies {@code length} bytes from {@code source}
     * to {@code pageOffset} of the page behind {@code ref}.
     *
     * @param domid the calling grantee's domain id; must be the one the grant names.
     * @param ref the reference the granter passed (for instance in an rx request).
     * @param pageOffset where in the granted page the bytes go.
     * @param source the grantee's bytes.
     * @param sourceOffset where in {@code source} they start.
     * @param length bytes to copy; offset and length must stay inside the page.
     * @return a {@link GrantStatus}; PERMISSION_DENIED for a read-only grant.
     */
    public int copyToGrant(
        final int domid, final int ref, final int pageOffset,
        final DirectBuffer source, final int sourceOffset, final int length)
    {
        if (!fitsIn(sourceOffset, length, source.capacity()))
        {
            return GrantStatus.BAD_COPY_ARG;
        }
        final int page = acquire(domid, ref, pageOffset, length, GTF_WRITING);
        if (page < 0)
        {
            return page;
        }
        pages.putBytes(page + pageOffset, source, sourceOffset, length);
        release(ref, GTF_WRITING);
        return GrantStatus.OKAY;
    }

    /**
     * Grantee: opens a writable window of {@code length} bytes at {@code pageOffset} of the page behind {@code ref} for
     * one operation, as {@link #copyToGrant} but letting the caller write the bytes itself (e.g. a segment with its
     * checksum, straight from a source buffer). The window's buffer spans exactly the granted bytes (Agrona bounds
     * checks refuse anything else); while it is open the grant is marked in use, so the granter cannot revoke it
     * ({@link #endAccess} returns EAGAIN). Close it with {@link #closeWindow} as soon as the bytes are written.
     *
     * @param window an unopened window, reused across operations; left closed on failure.
     * @param domid the calling grantee's domain id; must be the one the grant names.
     * @param ref the granted page's reference.
     * @param pageOffset where in the page the window starts.
     * @param length bytes the window spans; offset and length must stay inside the page.
     * @return a {@link GrantStatus}: OKAY, BAD_GNTREF, PERMISSION_DENIED (read-only grant), BAD_COPY_ARG,
     *         GENERAL_ERROR or EAGAIN (also when {@code window} is already open).
     */
    public int openWindow(
        final int domid, final int ref, final int pageOffset, final int length, final GrantWindow window)
    {
        if (window.isOpen())
        {
            return GrantStatus.EAGAIN;
        }
        final int page = acquire(domid, ref, pageOffset, length, GTF_WRITING);
        if (page < 0)
        {
            return page;
        }
        window.open(this, ref, pages, page + pageOffset, length);
        return GrantStatus.OKAY;
    }

    /**
     * Grantee: closes a window {@link #openWindow} opened on this table: the grant is no longer in use and the window's
     * buffer reaches nothing. Does nothing for a closed window or one of another table.
     * @param window a window opened on this table.
     */
    public void closeWindow(final GrantWindow window)
    {
        if (window.isOpen() && window.table() == this)
        {
            final int ref = window.ref();
            window.close();
            release(ref, GTF_WRITING);
        }
    }

    /**
     * Grantee of two tables ({@code GNTTABOP_copy} with both source and destination by reference): copies between a
     * page granted in {@code source} and one granted in {@code destination}, e.g. from one vif's tx buffer straight
     * into another's rx buffer.
     *
     * @param source the table granting the source page.
     * @param sourceDomid the caller's domain id in {@code source}'s grants.
     * @param sourceRef the source page's reference.
     * @param sourcePageOffset where in the source page the bytes start.
     * @param destination the table granting the destination page (writable).
     * @param destinationDomid the caller's domain id in {@code destination}'s grants.
     * @param destinationRef the destination page's reference.
     * @param destinationPageOffset where in the destination page the bytes go.
     * @param length bytes to copy; both ranges must stay inside their pages.
     * @return a {@link GrantStatus}; the first failing check decides.
     */
    public static int copyGrantToGrant(
        final GrantTable source, final int sourceDomid, final int sourceRef, final int sourcePageOffset,
        final GrantTable destination, final int destinationDomid, final int destinationRef, final int destinationPageOffset,
        final int length)
    {
        final int sourcePage = source.acquire(sourceDomid, sourceRef, sourcePageOffset, length, GTF_READING);
        if (sourcePage < 0)
        {
            return sourcePage;
        }
        final int destinationPage = destination.acquire(
            destinationDomid, destinationRef, destinationPageOffset, length, GTF_WRITING);
        if (destinationPage < 0)
        {
            source.release(sourceRef, GTF_READING);
            return destinationPage;
        }
        destination.pages.putBytes(destinationPage + destinationPageOffset, source.pages, sourcePage + sourcePageOffset, length);
        destination.release(destinationRef, GTF_WRITING);
        source.release(sourceRef, GTF_READING);
        return GrantStatus.OKAY;
    }

    /**
     * Validates a copy against entry {@code ref} and marks the grant in use.
     *
     * @return the byte offset of the granted page in {@link #pages}, or a negative {@link GrantStatus}.
     */
    /**
     * Grantee: a prefetch hint. Reads the word at {@code pageOffset} (rounded down to 8 bytes) of the page behind
     * {@code ref} when the grant permits {@code domid} access at the time of the check, so that a copy made soon after
     * finds the line in the cache: a backend touches the pages of a whole batch of requests before copying any, and
     * the cache misses overlap instead of following one another. Reads nothing that would not be granted; sets no
     * flag (the value may be stale or torn: it means nothing). Callers fold the results into a field so the JIT keeps
     * the loads.
     *
     * @param domid the calling grantee's domain id.
     * @param ref the granted page's reference.
     * @param pageOffset where in the page the coming copy starts.
     * @return the word read, or 0 when nothing was read.
     */
    public long prefetch(final int domid, final int ref, final int pageOffset)
    {
        if (ref <= GRANT_INVALID_REF || ref >= entryCount || pageOffset < 0 || pageOffset >= PAGE_SIZE)
        {
            return 0;
        }
        final int entry = entryOffset(ref);
        final int word = table.getInt(entry);
        final int frame = table.getInt(entry + FRAME_OFFSET);
        if ((word & GTF_PERMIT_ACCESS) == 0 || (word >>> 16) != domid || frame < 0 || frame >= pageCount)
        {
            return 0;
        }
        return pages.getLong(frame * PAGE_SIZE + (pageOffset & ~7));
    }

    private int acquire(final int domid, final int ref, final int pageOffset, final int length, final int inUseFlag)
    {
        if (ref <= GRANT_INVALID_REF || ref >= entryCount)
        {
            return GrantStatus.BAD_GNTREF;
        }
        if (pageOffset < 0 || length < 0 || pageOffset > PAGE_SIZE - length)
        {
            return GrantStatus.BAD_COPY_ARG;
        }
        final int entry = entryOffset(ref);
        // acquire: the frame written before the granter's release store of this word is visible below
        final int word = table.getIntAcquire(entry);
        final int flags = word & 0xFFFF;
        if ((flags & GTF_PERMIT_ACCESS) == 0)
        {
            return GrantStatus.BAD_GNTREF;
        }
        if ((word >>> 16) != domid || (inUseFlag == GTF_WRITING && (flags & GTF_READONLY) != 0))
        {
            return GrantStatus.PERMISSION_DENIED;
        }
        if ((flags & (GTF_READING | GTF_WRITING)) != 0)
        {
            return GrantStatus.EAGAIN;
        }
        // CAS: marks the grant in use only if it is still granted exactly as checked; a concurrent revoke makes it fail
        if (!table.compareAndSetInt(entry, word, word | inUseFlag))
        {
            return GrantStatus.EAGAIN;
        }
        final int frame = table.getInt(entry + FRAME_OFFSET);
        if (frame < 0 || frame >= pageCount)
        {
            release(ref, inUseFlag);
            return GrantStatus.GENERAL_ERROR;
        }
        return frame * PAGE_SIZE;
    }

    private void release(final int ref, final int inUseFlag)
    {
        final int entry = entryOffset(ref);
        // release: this copy's page accesses happen-before a revoke that observes the flag cleared; nobody else changes
        // the word while the flag is set (revoke and other copiers fail), so a plain read-modify-store is exact
        table.putIntRelease(entry, table.getInt(entry) & ~inUseFlag);
    }

    private static boolean fitsIn(final int offset, final int length, final int capacity)
    {
        return offset >= 0 && length >= 0 && offset <= capacity - length;
    }
}
