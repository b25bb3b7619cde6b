package io.pvnet.ring.region;

import org.agrona.BitUtil;
import org.agrona.concurrent.AtomicBuffer;

import java.nio.file.Path;

/**
 * Layout of the descriptor at offset 0 of every {@link Region}, in the style of Aeron's {@code CncFileDescriptor}.
 * All fields are native (little-endian on every supported platform) and naturally aligned.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+  0
 *  |                  Magic "PVNETRGN" (u64)                       |
 *  |                                                               |
 *  +---------------------------------------------------------------+  8
 *  |  Layout version (i32): 0 until ready, stored last with release|
 *  +---------------------------------------------------------------+ 12
 *  |                     Page size (i32, 4096)                     |
 *  +---------------------------------------------------------------+ 16
 *  |                   Total length in bytes (i64)                 |
 *  |                                                               |
 *  +---------------------------------------------------------------+ 24
 *  |                       Creator pid (i64)                       |
 *  |                                                               |
 *  +---------------------------------------------------------------+ 32
 *  |        Creator process start time, epoch ms (i64, 0 = unknown)|
 *  |                                                               |
 *  +---------------------------------------------------------------+ 40
 *  |               Region start time, epoch ms (i64)               |
 *  |                                                               |
 *  +---------------------------------------------------------------+ 48
 *  |          Section table capacity in entries (i32)              |
 *  +---------------------------------------------------------------+ 52
 *  |      Header length in bytes (i32): descriptor + table, paged  |
 *  +---------------------------------------------------------------+ 56
 *  |  Creator's role, US-ASCII, up to 8 bytes, zero-padded (0 = not |
 *  |  recorded, as in regions made before it): "switch", "vif-run"   |
 *  +---------------------------------------------------------------+ 64
 *  |       Heartbeat, epoch ms (i64), own cache line pair          |
 *  |                          ...                                  |
 *  +---------------------------------------------------------------+ 192
 *  |  Allocation word (i64, CAS): section count &lt;&lt; 48 | next page  |
 *  |                          ...                                  |
 *  +---------------------------------------------------------------+ 256
 *  |             Section table: capacity x 80-byte entries         |
 *  |                          ...                                  |
 *  +---------------------------------------------------------------+ header length (page aligned)
 *  |                 Sections, each page aligned                   |
 *  |                          ...                                  |
 *  +---------------------------------------------------------------+ total length
 * </pre>
 * One section table entry (80 bytes):
 * <pre>
 *  +---------------------------------------------------------------+  0
 *  |  State (i32): 0 free, 1 ready (release CAS), 3 abandoned,      |
 *  |  claimed (bit 31 | claimer pid), named (bit 30 | claimer pid)  |
 *  +---------------------------------------------------------------+  4
 *  |                  Name length in bytes (i32)                   |
 *  +---------------------------------------------------------------+  8
 *  |          Section offset from region start (i64, paged)        |
 *  |                                                               |
 *  +---------------------------------------------------------------+ 16
 *  |               Section length in bytes (i64)                   |
 *  |                                                               |
 *  +---------------------------------------------------------------+ 24
 *  |                Name, US-ASCII, up to 40 bytes                 |
 *  |                          ...                                  |
 *  +---------------------------------------------------------------+ 64
 *  |  Claimer's start time (i64): /proc/PID/stat starttime, clock   |
 *  |  ticks since boot (0 = unknown); with the pid, one process     |
 *  +---------------------------------------------------------------+ 72
 *  |            Claim time, epoch ms (i64)                         |
 *  |                                                               |
 *  +---------------------------------------------------------------+ 80
 * </pre>
 * Publication: the creator writes every field, then stores the layout version with release semantics; a reader loads
 * the version with acquire semantics and, when it is {@link #LAYOUT_VERSION}, sees every other field.
 * <p>
 * A new section: the allocator reads every entry's name in order (waiting out an entry still being named) and claims the
 * first free one with a CAS of its state from {@link #SECTION_FREE} to {@link #SECTION_CLAIMED} with its pid, writes
 * the name, its start time and the claim time, marks it {@link #SECTION_NAMED} with its pid (CAS, a release: whoever
 * reads named with acquire reads those fields), takes its pages with a CAS on the allocation word (which
 * also raises the section count to cover the entry: the bound a finder scans to), writes offset and length, and CASes
 * its own named state to {@link #SECTION_READY} (a release); {@link Region#findSection} only returns ready entries. Names
 * stay unique because an entry is claimed only after every name before it was read (see {@code SectionTable}). An entry
 * is {@link #SECTION_ABANDONED} when its claimer died before publishing it or found no room for its pages. A claim has
 * a bounded life: a named entry whose pid is gone, whose pid now belongs to a process with another start time (a
 * reused pid), or whose claim time is more than {@link #SECTION_CLAIM_TIMEOUT_MS} away from now (a stuck claimer),
 * is taken over (marked abandoned) by an allocator of the same name, as a dead claimer's is. A free entry below the
 * section count (a gap no allocator of this layout leaves) is treated as abandoned: names may follow it.
 * <p>
 * Version 3 (this one) added the claimer's start time and the claim time to each entry (80 bytes, 64 before); version 2
 * introduced the claim protocol; version 1 took entry = section count with plain stores. A build of any version refuses
 * the others' files rather than allocating in them with a protocol the other does not follow.
 */
public final class RegionDescriptor
{
    /** "PVNETRGN" read as a little-endian u64. */
    public static final long MAGIC = bytesToLong("PVNETRGN");
    /** The layout version this code reads and writes; a reader refuses any other. */
    public static final int LAYOUT_VERSION = 3;
    /** Page size every region and section is aligned to. */
    public static final int PAGE_SIZE = 4096;

    /** Offset of the magic (u64). */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the layout version (i32): 0 until the descriptor is ready, then stored last with release semantics. */
    public static final int LAYOUT_VERSION_OFFSET = 8;
    /** Offset of the page size (i32). */
    public static final int PAGE_SIZE_OFFSET = 12;
    /** Offset of the total length in bytes (i64). */
    public static final int TOTAL_LENGTH_OFFSET = 16;
    /** Offset of the creator's pid (i64). */
    public static final int CREATOR_PID_OFFSET = 24;
    /** Offset of the creator process's start time, epoch ms (i64, 0 = unknown). */
    public static final int CREATOR_START_TIME_OFFSET = 32;
    /** Offset of the region's start time, epoch ms (i64). */
    public static final int START_TIME_OFFSET = 40;
    /** Offset of the section table capacity in entries (i32). */
    public static final int SECTION_CAPACITY_OFFSET = 48;
    /** Offset of the header length in bytes (i32): descriptor plus section table, page aligned. */
    public static final int HEADER_LENGTH_OFFSET = 52;
    /**
     * Offset of the creator's role: up to {@link #CREATOR_ROLE_LENGTH} US-ASCII bytes naming what the creating process
     * is ({@link #ROLE_SWITCH}, {@link #ROLE_VIF_RUN}; in a guest's share, the kind of host that made it, as its
     * messages name it), zero-padded; all zero where no role was given (and in regions made before the field, when
     * these bytes were reserved and zero).
     */
    public static final int CREATOR_ROLE_OFFSET = 56;
    /** Longest creator role, in bytes. */
    public static final int CREATOR_ROLE_LENGTH = 8;
    /** The creator's role in the status file of {@code pvnet switch}. */
    public static final String ROLE_SWITCH = "switch";
    /** The creator's role in the status file of {@code pvnet vif-run}. */
    public static final String ROLE_VIF_RUN = "vif-run";
    /**
     * How tools name the creating process where its role is not known (no role recorded, the field unreadable, or the
     * process serving a socket is not the region's creator); never written to a region.
     */
    public static final String ROLE_UNKNOWN = "creator";

    /** Offset of the heartbeat, epoch ms (i64), on its own cache-line pair. */
    public static final int HEARTBEAT_OFFSET = 64;
    /** Offset of the allocation word (i64, CAS): section count in the top 16 bits, next free page below. */
    public static final int ALLOCATION_OFFSET = 192;
    /** Offset of section table entry 0. */
    public static final int SECTION_TABLE_OFFSET = 256;

    /** Bytes per section table entry. */
    public static final int SECTION_ENTRY_LENGTH = 80;
    /**
     * Offset in an entry of its state (i32): {@link #SECTION_FREE}, claimed ({@link #SECTION_CLAIMED} with the claimer's
     * pid), {@link #SECTION_NAMED}, {@link #SECTION_READY} (published) or {@link #SECTION_ABANDONED}.
     */
    public static final int SECTION_STATE_OFFSET = 0;
    /** Offset in an entry of the name's length in bytes (i32). */
    public static final int SECTION_NAME_LENGTH_OFFSET = 4;
    /** Offset in an entry of the section's offset from the region start (i64, page aligned). */
    public static final int SECTION_OFFSET_OFFSET = 8;
    /** Offset in an entry of the section's length in bytes (i64). */
    public static final int SECTION_LENGTH_OFFSET = 16;
    /** Offset in an entry of the name (US-ASCII). */
    public static final int SECTION_NAME_OFFSET = 24;
    /** Offset in an entry of the claimer's start time (i64): {@code /proc/PID/stat} starttime, 0 when unknown. */
    public static final int SECTION_CLAIMER_START_OFFSET = 64;
    /** Offset in an entry of the time it was claimed, epoch ms (i64). */
    public static final int SECTION_CLAIM_TIME_OFFSET = 72;
    /** Longest section name, in bytes. */
    public static final int MAX_SECTION_NAME_LENGTH = SECTION_CLAIMER_START_OFFSET - SECTION_NAME_OFFSET;

    /** Entry state of an entry nobody has claimed. */
    public static final int SECTION_FREE = 0;
    /** Entry state of a published section (stored with release semantics). */
    public static final int SECTION_READY = 1;
    /** Entry state of an entry given up (no room for its pages, or its claimer died before publishing it): skipped. */
    public static final int SECTION_ABANDONED = 3;
    /** Bit 31 of an entry's state: claimed, its name being written, by the pid in {@link #SECTION_PID_MASK}. */
    public static final int SECTION_CLAIMED = 0x8000_0000;
    /**
     * Bit 30 of an entry's state: named (its pages and offset not yet written) by the pid in {@link #SECTION_PID_MASK},
     * kept so that an allocator of the same name can tell a dead claimer's entry from a live one's.
     */
    public static final int SECTION_NAMED = 0x4000_0000;
    /** Bits 0..29 of a claimed or named entry's state: the claimer's pid (Linux pids stay below 2^22). */
    public static final int SECTION_PID_MASK = 0x3FFF_FFFF;
    /**
     * The longest life of a claim: an entry named this long ago (by its claim time, epoch ms, so that every process
     * measures the same age) and still not published is taken over by an allocator of the same name. Naming to
     * publishing is two CASes and a few stores: microseconds, unless the claimer is stopped or stuck.
     */
    public static final long SECTION_CLAIM_TIMEOUT_MS = 5_000;

    /** Section table entries of a region created without saying how many. */
    public static final int DEFAULT_SECTION_CAPACITY = 128;
    /**
     * Largest region: 16 GiB (a thousand vifs of about 2 MiB each need more than 2 GiB; pages nobody touches cost no
     * memory). Each section stays below 2 GiB (Agrona buffers index with int).
     */
    public static final long MAX_TOTAL_LENGTH = 16L << 30;
    /** Most entries a section table may hold (the count field of the allocation word is 16 bits). */
    public static final int MAX_SECTION_CAPACITY = 0xFFFF;

    static final int ALLOCATION_COUNT_SHIFT = 48;
    static final long ALLOCATION_PAGE_MASK = (1L << ALLOCATION_COUNT_SHIFT) - 1;

    private RegionDescriptor()
    {
    }

    /**
     * {@return bytes of descriptor plus section table, rounded up to whole pages: where the first section starts}
     * @param sectionCapacity entries in the section table.
     */
    public static int headerLength(final int sectionCapacity)
    {
        return BitUtil.align(SECTION_TABLE_OFFSET + sectionCapacity * SECTION_ENTRY_LENGTH, PAGE_SIZE);
    }

    /**
     * {@return offset of section table entry {@code index} from the region start}
     * @param index the entry's index in the table.
     */
    public static int sectionEntryOffset(final int index)
    {
        return SECTION_TABLE_OFFSET + index * SECTION_ENTRY_LENGTH;
    }

    /** {@return the allocation word's section count} */
    static int allocationCount(final long allocation)
    {
        return (int)(allocation >>> ALLOCATION_COUNT_SHIFT);
    }

    /** {@return the allocation word's next free page (index from the region start)} */
    static long allocationNextPage(final long allocation)
    {
        return allocation & ALLOCATION_PAGE_MASK;
    }

    static long allocation(final int count, final long nextPage)
    {
        return ((long)count << ALLOCATION_COUNT_SHIFT) | nextPage;
    }

    /**
     * Validates a mapped region's descriptor against what this code understands.
     *
     * @param buffer     the whole region as mapped.
     * @param fileLength the length of the file (or memory) behind it.
     * @param path       named in the error message.
     * @throws RegionException naming the file and the field when the descriptor is not one this code can use.
     */
    public static void checkDescriptor(final AtomicBuffer buffer, final long fileLength, final Path path)
    {
        if (fileLength < SECTION_TABLE_OFFSET)
        {
            throw new RegionException(path, "truncated: file length=" + fileLength + " is shorter than the region descriptor ("
                + SECTION_TABLE_OFFSET + " bytes)");
        }
        final long magic = buffer.getLong(MAGIC_OFFSET);
        if (magic != MAGIC)
        {
            throw new RegionException(path, "not a pvnet region: magic=0x" + Long.toHexString(magic) + ", expected 0x"
                + Long.toHexString(MAGIC) + " (\"PVNETRGN\")");
        }
        final int version = buffer.getIntAcquire(LAYOUT_VERSION_OFFSET);
        if (version == 0)
        {
            throw new RegionException(path, "not ready: layout version=0 (the creator has not finished initialising it)");
        }
        if (version != LAYOUT_VERSION)
        {
            throw new RegionException(path, "other layout version: version=" + version + ", this code reads version="
                + LAYOUT_VERSION);
        }
        final int pageSize = buffer.getInt(PAGE_SIZE_OFFSET);
        if (pageSize != PAGE_SIZE)
        {
            throw new RegionException(path, "corrupt descriptor: pageSize=" + pageSize + ", expected " + PAGE_SIZE);
        }
        final long totalLength = buffer.getLong(TOTAL_LENGTH_OFFSET);
        if (totalLength > fileLength)
        {
            throw new RegionException(path, "truncated: descriptor totalLength=" + totalLength + " but file length="
                + fileLength);
        }
        if (totalLength <= 0 || totalLength > MAX_TOTAL_LENGTH || (totalLength & (PAGE_SIZE - 1)) != 0)
        {
            throw new RegionException(path, "corrupt descriptor: totalLength=" + totalLength
                + " (must be a positive multiple of " + PAGE_SIZE + " up to " + (MAX_TOTAL_LENGTH >> 30) + " GiB)");
        }
        final int capacity = buffer.getInt(SECTION_CAPACITY_OFFSET);
        final int headerLength = buffer.getInt(HEADER_LENGTH_OFFSET);
        if (capacity < 1 || capacity > MAX_SECTION_CAPACITY || headerLength != headerLength(capacity)
            || headerLength > totalLength)
        {
            throw new RegionException(path, "corrupt descriptor: sectionCapacity=" + capacity + " headerLength=" + headerLength
                + " totalLength=" + totalLength);
        }
    }

    private static long bytesToLong(final String ascii)
    {
        long value = 0;
        for (int i = ascii.length() - 1; i >= 0; i--)
        {
            value = (value << 8) | (ascii.charAt(i) & 0xFF);
        }
        return value;
    }

    /**
     * Whether {@code role} fits the creator-role field.
     *
     * @param role a candidate creator role.
     * @return whether it fits the field: 1..{@value #CREATOR_ROLE_LENGTH} of {@code a-z 0-9 -}.
     */
    public static boolean isRole(final String role)
    {
        if (role.isEmpty() || role.length() > CREATOR_ROLE_LENGTH)
        {
            return false;
        }
        for (int i = 0; i < role.length(); i++)
        {
            final char c = role.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-'))
            {
                return false;
            }
        }
        return true;
    }
}
