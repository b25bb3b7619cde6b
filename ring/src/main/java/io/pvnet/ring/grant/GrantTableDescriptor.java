package io.pvnet.ring.grant;

import org.agrona.DirectBuffer;

/**
 * Layout of a grant table in shared memory: a 64-byte header, then Xen v1 grant entries ({@code grant_entry_v1_t}).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+  0
 *  |                  Magic "GNT1" (i32)                           |
 *  +---------------------------------------------------------------+  4
 *  |                  Entry count (i32)                            |
 *  +---------------------------------------------------------------+  8
 *  |                  Page count of the granter's pages (i32)      |
 *  +---------------------------------------------------------------+ 12
 *  |                  Page size (i32, 4096)                        |
 *  +---------------------------------------------------------------+ 16
 *  |                  pad to 64                                    |
 *  +---------------------------------------------------------------+ 64
 *  |  entry 0 (reserved: GRANT_INVALID_REF) ... entry count-1      |
 *  +---------------------------------------------------------------+
 * </pre>
 * One entry (8 bytes, little-endian as Xen on x86):
 * <pre>
 *  +-------------------------------+-------------------------------+  0
 *  |          flags (u16)          |   domid (u16, the grantee)    |
 *  +-------------------------------+-------------------------------+  4
 *  |      frame (u32): page index in the granter's page section    |
 *  +---------------------------------------------------------------+  8
 * </pre>
 * The granter writes frame, then flags and domid together with one release store of the first 32-bit word; a grantee
 * loads that word with acquire semantics. While a copy runs the grantee holds {@link #GTF_READING} or
 * {@link #GTF_WRITING} in flags (set by CAS, cleared by a release store), and the granter's revoke is a CAS that fails
 * while either is set, so a page is never reused under a running copy.
 */
public final class GrantTableDescriptor
{
    /** Header magic: "GNT1" read as a little-endian i32. */
    public static final int MAGIC = 0x31544E47; // "GNT1" little-endian
    /** Offset of the magic (i32). */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the entry count (i32). */
    public static final int ENTRY_COUNT_OFFSET = 4;
    /** Offset of the granter's page count (i32). */
    public static final int PAGE_COUNT_OFFSET = 8;
    /** Offset of the page size (i32). */
    public static final int PAGE_SIZE_OFFSET = 12;
    /** Bytes before entry 0. */
    public static final int HEADER_LENGTH = 64;

    /** Bytes per grant entry ({@code grant_entry_v1_t}). */
    public static final int ENTRY_LENGTH = 8;
    /** Offset in an entry of the flags (u16). */
    public static final int FLAGS_OFFSET = 0;
    /** Offset in an entry of the grantee's domid (u16). */
    public static final int DOMID_OFFSET = 2;
    /** Offset in an entry of the frame (u32, page index in the granter's page section). */
    public static final int FRAME_OFFSET = 4;

    /** Bytes per granted page. */
    public static final int PAGE_SIZE = 4096;

    /** {@code GTF_permit_access}: the grantee may use the frame. */
    public static final int GTF_PERMIT_ACCESS = 1;
    /** {@code GTF_readonly}: the grantee may only read. */
    public static final int GTF_READONLY = 0x4;
    /** {@code GTF_reading}: a grantee is reading the frame right now. */
    public static final int GTF_READING = 0x8;
    /** {@code GTF_writing}: a grantee is writing the frame right now. */
    public static final int GTF_WRITING = 0x10;

    /** Reference 0 is never handed out, so a zeroed request field is never a valid grant (Linux's GRANT_INVALID_REF). */
    public static final int GRANT_INVALID_REF = 0;

    /** {@code DOMID_SELF}. */
    public static final int DOMID_SELF = 0x7FF0;

    private GrantTableDescriptor()
    {
    }

    /**
     * {@return bytes a table of {@code entryCount} entries needs}
     * @param entryCount entries in the table, including the reserved entry 0.
     */
    public static int lengthBytes(final int entryCount)
    {
        return HEADER_LENGTH + entryCount * ENTRY_LENGTH;
    }

    /**
     * {@return entries that fit in {@code capacityBytes}}
     * @param capacityBytes the section's length.
     */
    public static int entryCountFor(final int capacityBytes)
    {
        return Math.max(0, (capacityBytes - HEADER_LENGTH) / ENTRY_LENGTH);
    }

    /**
     * {@return offset of entry {@code ref}}
     * @param ref a grant reference.
     */
    public static int entryOffset(final int ref)
    {
        return HEADER_LENGTH + ref * ENTRY_LENGTH;
    }

    /**
     * {@return the packed first word of an entry: flags in the low half, domid in the high half}
     * @param flags {@code GTF_*} bits (u16).
     * @param domid the grantee's domain id (u16).
     */
    public static int entryWord(final int flags, final int domid)
    {
        return (flags & 0xFFFF) | (domid << 16);
    }

    /**
     * Validates a table that may be shared with an untrusted peer: every header field is read once into a local,
     * checked, and the checked entry count is returned, so the caller never reads the field again (a peer could
     * rewrite it between a check and a second read).
     *
     * @param table the table as mapped by the caller.
     * @param pageCount pages in the page section the caller mapped.
     * @return the validated entry count.
     * @throws IllegalArgumentException with {@code name=value} when {@code table} does not hold a valid initialised
     *                                  grant table matching {@code pageCount}.
     */
    public static int checkTable(final DirectBuffer table, final int pageCount)
    {
        final int capacity = table.capacity();
        if (capacity < HEADER_LENGTH + 2 * ENTRY_LENGTH)
        {
            throw new IllegalArgumentException("grant table too small: capacity=" + capacity);
        }
        final int magic = table.getInt(MAGIC_OFFSET);
        if (magic != MAGIC)
        {
            throw new IllegalArgumentException("not an initialised grant table: magic=0x" + Integer.toHexString(magic));
        }
        final int entries = table.getInt(ENTRY_COUNT_OFFSET);
        if (entries < 2 || entries > entryCountFor(capacity))
        {
            throw new IllegalArgumentException("bad grant table: entryCount=" + entries + " capacity=" + capacity);
        }
        final int pages = table.getInt(PAGE_COUNT_OFFSET);
        final int pageSize = table.getInt(PAGE_SIZE_OFFSET);
        if (pages != pageCount || pageSize != PAGE_SIZE)
        {
            throw new IllegalArgumentException("grant table does not match its pages: tablePageCount=" + pages
                + " pageCount=" + pageCount + " pageSize=" + pageSize);
        }
        return entries;
    }
}
