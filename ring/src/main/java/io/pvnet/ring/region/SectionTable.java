package io.pvnet.ring.region;

import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.pvnet.ring.region.RegionDescriptor.*;

/**
 * A {@link Region}'s table of named sections ({@link RegionDescriptor}). An allocator claims the first free entry with
 * a CAS on its state word, names it, then takes its pages with a CAS on the allocation word and publishes it with a
 * release store of its state; finders see published entries only (acquire loads), each checked to lie inside the
 * region.
 * <p>
 * Names stay unique between threads and processes by the order of claims: an allocator claims entry {@code i} only
 * after it has read the name of every entry before {@code i} (waiting out one still being named) and found its own
 * nowhere, so of two allocators of one name the later one always reads the earlier one's name and refuses. An entry
 * whose claimer died before naming it (its pid is in the claim) is marked abandoned by the next allocator that meets
 * it; a claimer that finds its claim taken from it so moves on to the next free entry.
 * <p>
 * A claim has a bounded life. A named entry keeps its claimer's pid until it is published, and with the name the
 * claimer writes its start time ({@link ProcessStart}) and the claim time. An allocator of the same name takes the entry
 * over (marks it abandoned, one CAS from the state it read) when the claim is dead: its pid is gone, its pid now belongs
 * to a process with another start time (a reused pid), or its claim time lies more than
 * {@link RegionDescriptor#SECTION_CLAIM_TIMEOUT_MS} from now (a stuck or stopped claimer), else the name would be taken
 * for good; while the claim lives it says "being allocated by pid N". The claimer publishes (or abandons) only with a
 * CAS from its own named state, so an entry taken from it is never published: a claimer stopped past the bound finds
 * its publish refused when it resumes, leaves the pages it took by then unused and claims once more (which reads the
 * name again: "section exists" while the allocator that took the claim has it). A named claim from another pid
 * namespace is taken over at once, as its pid names no process here or one with another start time; that is safe
 * for the same reason (its publish fails). An entry has one claimer in its life (only a free entry is claimed, and no
 * state returns to free), so a state read twice is the same claim.
 * <p>
 * Threading: any thread of any process that maps the region; configuration-time calls that allocate. The region checks
 * it is open before it calls in.
 */
final class SectionTable
{
    /**
     * How long an allocator waits for a live process to name the entry it claimed before it takes the claim over (the
     * claim time is written with the name, so an unnamed claim's age is the waiter's own measure).
     */
    static final long NAMING_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(SECTION_CLAIM_TIMEOUT_MS);
    /** How often a waiting allocator asks whether the claimer it waits for still lives. */
    private static final long LIVENESS_CHECK_NS = 10_000_000L;

    private final Path path;
    private final UnsafeBuffer buffer;
    private final MemorySegment segment;
    private final EpochClock clock;

    /**
     * @param path    the region's file, named in errors (null for anonymous memory).
     * @param buffer  the region from its descriptor on.
     * @param segment the whole region, which sections are slices of.
     * @param clock   epoch ms, for claim times (every process of a region must read the same clock: the system's).
     */
    SectionTable(final Path path, final UnsafeBuffer buffer, final MemorySegment segment, final EpochClock clock)
    {
        this.path = path;
        this.buffer = buffer;
        this.segment = segment;
        this.clock = clock;
    }

    /** {@link Region#allocateSection}: claims and names an entry, takes its pages and publishes it. */
    RegionSection allocate(final String name, final int lengthBytes)
    {
        return publishClaimed(claimNamed(name, lengthBytes), name, lengthBytes);
    }

    /**
     * The first half of {@link #allocate}: checks the arguments, claims the first free entry after reading every name
     * before it and names it (a test's stuck claimer in another process stops here).
     *
     * @return the entry's index, now {@link RegionDescriptor#SECTION_NAMED} with this caller's pid.
     * @throws RegionException when an argument is bad, the name is taken, the table is full or there is no room.
     */
    int claimNamed(final String name, final int lengthBytes)
    {
        final byte[] nameBytes = checkName(name);
        if (lengthBytes < 1)
        {
            throw new RegionException(path, "bad section length: name=" + name + " lengthBytes=" + lengthBytes);
        }
        // before any claim: the first call reads /proc (ProcessStart's class initialisation), which must not lengthen
        // the window in which this allocator holds a claim others wait on
        final long selfStart = ProcessStart.self();
        return claimNamedEntry(name, nameBytes, pages(lengthBytes), lengthBytes, selfStart);
    }

    /**
     * The second half of {@link #allocate}: takes the pages of the entry {@link #claimNamed} named and publishes it.
     * When the entry was taken from this allocator first (it was stopped past {@link RegionDescriptor#SECTION_CLAIM_TIMEOUT_MS},
     * or the clock stepped by more), its pages stay unused and it claims once more: that reads the name again, so the
     * result is "section exists" (the allocator that took the claim has the name) or a fresh entry (it has given up).
     * Once, not in a loop: a claimer taken over twice in a row fails rather than chase the name for good.
     */
    RegionSection publishClaimed(final int index, final String name, final int lengthBytes)
    {
        final RegionSection section = publish(index, name, lengthBytes);
        if (section != null)
        {
            return section;
        }
        final int again = claimNamed(name, lengthBytes);
        final RegionSection retried = publish(again, name, lengthBytes);
        if (retried == null)
        {
            throw new RegionException(path, "section table entries " + index + " and " + again + " were taken from this"
                + " allocator (pid " + pid() + ") before it published them: name=" + name);
        }
        return retried;
    }

    /** {@return the section published in entry {@code index}, or null when the entry was taken from this allocator} */
    private RegionSection publish(final int index, final String name, final int lengthBytes)
    {
        final int entry = sectionEntryOffset(index);
        final long firstPage = claimPages(index, pages(lengthBytes), name, lengthBytes);
        buffer.putLong(entry + SECTION_OFFSET_OFFSET, firstPage * PAGE_SIZE);
        buffer.putLong(entry + SECTION_LENGTH_OFFSET, lengthBytes);
        // CAS (a release: a reader that sees READY with acquire sees the name, offset and length written before) from
        // this caller's own named state, so that an entry another allocator took over is never published
        if (!buffer.compareAndSetInt(entry + SECTION_STATE_OFFSET, named(), SECTION_READY))
        {
            return null;
        }
        return new RegionSection(name, firstPage * PAGE_SIZE, lengthBytes, segment);
    }

    private static long pages(final int lengthBytes)
    {
        return ((long)lengthBytes + PAGE_SIZE - 1) / PAGE_SIZE;
    }

    /**
     * Claims the first free entry after reading every name before it, writes {@code name} into it and marks it named.
     *
     * @param selfStart this process's start time ({@link ProcessStart#self()}), read before the claim.
     * @return the entry's index, now {@link RegionDescriptor#SECTION_NAMED} with this caller's pid.
     * @throws RegionException when the name is taken, the table is full or there is no room for {@code pages}.
     */
    private int claimNamedEntry(
        final String name, final byte[] nameBytes, final long pages, final int lengthBytes, final long selfStart)
    {
        final int capacity = buffer.getInt(SECTION_CAPACITY_OFFSET);
        final int claim = SECTION_CLAIMED | pid();
        int index = 0;
        while (true)
        {
            if (index >= capacity)
            {
                throw new RegionException(path, "section table full: sectionCapacity=" + capacity + " name=" + name);
            }
            final int entry = sectionEntryOffset(index);
            final int state = buffer.getIntAcquire(entry + SECTION_STATE_OFFSET);
            if (state == SECTION_FREE && index < allocationCount(buffer.getLongVolatile(ALLOCATION_OFFSET))
                && buffer.getIntAcquire(entry + SECTION_STATE_OFFSET) == SECTION_FREE)
            {
                // a gap below the section count (no allocator of this layout leaves one: a corrupt table, or a dead
                // allocator of another protocol): names may follow it, so claiming it could shadow a later same name.
                // The state is read again after the count: an allocator claims its entry before it raises the count
                // over it, so an entry claimed meanwhile reads claimed here, and only a real gap reads free
                index++;
            }
            else if (state == SECTION_FREE)
            {
                checkRoom(pages, name, lengthBytes); // before the claim, so that a region without room keeps its free entries
                if (buffer.compareAndSetInt(entry + SECTION_STATE_OFFSET, SECTION_FREE, claim))
                {
                    buffer.putInt(entry + SECTION_NAME_LENGTH_OFFSET, nameBytes.length);
                    buffer.putBytes(entry + SECTION_NAME_OFFSET, nameBytes);
                    buffer.putLong(entry + SECTION_CLAIMER_START_OFFSET, selfStart);
                    buffer.putLong(entry + SECTION_CLAIM_TIME_OFFSET, clock.time());
                    // CAS (a release): an allocator that reads NAMED with acquire reads the name, start and claim
                    // time; it fails only when another allocator took this claim for a dead one's, and then this one
                    // claims further on
                    if (buffer.compareAndSetInt(entry + SECTION_STATE_OFFSET, claim, named()))
                    {
                        return index;
                    }
                    index++;
                }
                // lost the entry to another allocator: read it again (its name, once written)
            }
            else if (state == SECTION_READY)
            {
                if (nameEquals(entry, nameBytes))
                {
                    throw new RegionException(path, "section exists: name=" + name);
                }
                index++;
            }
            else if ((state & ~SECTION_PID_MASK) == SECTION_NAMED)
            {
                if (nameEquals(entry, nameBytes))
                {
                    if (claimLives(entry, state)
                        || !buffer.compareAndSetInt(entry + SECTION_STATE_OFFSET, state, SECTION_ABANDONED))
                    {
                        // a live claimer publishes it (or abandons it for want of room); a failed CAS: read it again
                        if (buffer.getIntAcquire(entry + SECTION_STATE_OFFSET) == state)
                        {
                            throw new RegionException(path, "section exists: name=" + name + " (being allocated by pid "
                                + (state & SECTION_PID_MASK) + ")");
                        }
                        continue;
                    }
                    // the claim is dead (its claimer died, its pid is another process's now, or it is stuck past the
                    // bound) after naming its entry and before publishing it: the name is free again
                }
                index++;
            }
            else if (state == SECTION_ABANDONED)
            {
                index++;
            }
            else if ((state & ~SECTION_PID_MASK) == SECTION_CLAIMED)
            {
                awaitNamed(index, state, name);
            }
            else
            {
                throw new RegionException(path, "corrupt section table: entry " + index + " state=" + state);
            }
        }
    }

    /**
     * Waits while entry {@code index} keeps the claim {@code claim} (its claimer writing the name: nanoseconds unless
     * it was descheduled or died). A claim whose process is gone, or that stays unnamed for {@link #NAMING_TIMEOUT_NS},
     * is marked abandoned.
     */
    private void awaitNamed(final int index, final int claim, final String name)
    {
        final int stateOffset = sectionEntryOffset(index) + SECTION_STATE_OFFSET;
        final long startNs = System.nanoTime();
        long checkedNs = startNs;
        while (buffer.getIntAcquire(stateOffset) == claim)
        {
            Thread.yield();
            final long nowNs = System.nanoTime();
            if (nowNs - checkedNs >= LIVENESS_CHECK_NS)
            {
                checkedNs = nowNs;
                final int pid = claim & SECTION_PID_MASK;
                // a dead claimer will never name the entry; a live pid that keeps it unnamed this long is a reused pid
                // or a claimer in another pid namespace (or one stopped): taking the claim over is safe, as its CAS to
                // named then fails and it claims further on. (Once named, a claim from another pid namespace is taken
                // over at once, see claimLives: its pid is no process here, or one with another start time.)
                if (!ProcessStart.alive(pid, ProcessStart.UNKNOWN) || nowNs - startNs >= NAMING_TIMEOUT_NS)
                {
                    buffer.compareAndSetInt(stateOffset, claim, SECTION_ABANDONED);
                }
            }
        }
    }

    /**
     * {@return whether the claim of named entry {@code entry}, read in state {@code namedState}, still lives: its
     * claimer runs, is the process that claimed (same start time), and claimed it within
     * {@link RegionDescriptor#SECTION_CLAIM_TIMEOUT_MS} of now (either way: a claim time far ahead is no honest one)}
     */
    private boolean claimLives(final int entry, final int namedState)
    {
        // plain loads after the acquire load of the named state, which the claimer stored with release after these
        final long claimerStart = buffer.getLong(entry + SECTION_CLAIMER_START_OFFSET);
        final long claimTimeMs = buffer.getLong(entry + SECTION_CLAIM_TIME_OFFSET);
        final long nowMs = clock.time();
        final boolean recent = claimTimeMs > 0 && claimTimeMs - nowMs <= SECTION_CLAIM_TIMEOUT_MS
            && nowMs - claimTimeMs <= SECTION_CLAIM_TIMEOUT_MS;
        return recent && ProcessStart.alive(namedState & SECTION_PID_MASK, claimerStart);
    }

    /** Refuses a section that would not fit in the pages left now (a later claim of the pages checks again). */
    private void checkRoom(final long pages, final String name, final int lengthBytes)
    {
        final long totalPages = buffer.getLong(TOTAL_LENGTH_OFFSET) / PAGE_SIZE;
        final long firstPage = allocationNextPage(buffer.getLongVolatile(ALLOCATION_OFFSET));
        if (firstPage + pages > totalPages)
        {
            throw noRoom(name, lengthBytes, totalPages - firstPage);
        }
    }

    /**
     * Takes {@code pages} with one CAS on the allocation word, raising its count to cover entry {@code index} (the
     * bound finders scan to). Without room, the named entry is abandoned.
     *
     * @return the section's first page.
     */
    private long claimPages(final int index, final long pages, final String name, final int lengthBytes)
    {
        final long totalPages = buffer.getLong(TOTAL_LENGTH_OFFSET) / PAGE_SIZE;
        while (true)
        {
            final long allocation = buffer.getLongVolatile(ALLOCATION_OFFSET);
            final long firstPage = allocationNextPage(allocation);
            if (firstPage + pages > totalPages)
            {
                // from this caller's named state only: an entry taken over is another allocator's to settle
                buffer.compareAndSetInt(sectionEntryOffset(index) + SECTION_STATE_OFFSET, named(), SECTION_ABANDONED);
                throw noRoom(name, lengthBytes, totalPages - firstPage);
            }
            final int count = Math.max(allocationCount(allocation), index + 1);
            // one CAS takes the pages, so allocators in several processes never overlap
            if (buffer.compareAndSetLong(ALLOCATION_OFFSET, allocation, allocation(count, firstPage + pages)))
            {
                return firstPage;
            }
        }
    }

    /** {@return this process's pid as an entry state holds it} */
    private static int pid()
    {
        return (int)ProcessHandle.current().pid() & SECTION_PID_MASK;
    }

    /** {@return the named state of an entry claimed by this process} */
    private static int named()
    {
        return SECTION_NAMED | pid();
    }

    /** {@return how many entries a reader scans: the allocation count, bounded by the table's capacity} */
    private int publishedBound()
    {
        return Math.min(allocationCount(buffer.getLongAcquire(ALLOCATION_OFFSET)), buffer.getInt(SECTION_CAPACITY_OFFSET));
    }

    private RegionException noRoom(final String name, final int lengthBytes, final long freePages)
    {
        return new RegionException(path, "no room for section: name=" + name + " lengthBytes=" + lengthBytes
            + " freeBytes=" + freePages * PAGE_SIZE);
    }

    /** {@link Region#findSection}: the published section named {@code name}, or null. */
    RegionSection find(final String name)
    {
        final byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        final int count = publishedBound();
        for (int i = 0; i < count; i++)
        {
            final int entry = sectionEntryOffset(i);
            if (buffer.getIntAcquire(entry + SECTION_STATE_OFFSET) == SECTION_READY && nameEquals(entry, nameBytes))
            {
                return sectionAt(entry, name);
            }
        }
        return null;
    }

    /**
     * {@return the pid of a process still allocating a section named {@code name} (named, not yet ready, its claim
     * alive), or -1}
     */
    int allocatingPid(final String name)
    {
        final byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        final int capacity = buffer.getInt(SECTION_CAPACITY_OFFSET);
        for (int i = 0; i < capacity; i++)
        {
            final int entry = sectionEntryOffset(i);
            final int state = buffer.getIntAcquire(entry + SECTION_STATE_OFFSET);
            if (state == SECTION_FREE)
            {
                break; // the free entries are the table's end
            }
            if ((state & ~SECTION_PID_MASK) == SECTION_NAMED && nameEquals(entry, nameBytes) && claimLives(entry, state))
            {
                return state & SECTION_PID_MASK;
            }
        }
        return -1;
    }

    /** {@link Region#sections}: every published section, in allocation order. */
    List<RegionSection> sections()
    {
        final List<RegionSection> sections = new ArrayList<>();
        final int count = publishedBound();
        for (int i = 0; i < count; i++)
        {
            final int entry = sectionEntryOffset(i);
            if (buffer.getIntAcquire(entry + SECTION_STATE_OFFSET) == SECTION_READY)
            {
                sections.add(sectionAt(entry, nameAt(entry)));
            }
        }
        return sections;
    }

    private RegionSection sectionAt(final int entry, final String name)
    {
        final long offset = buffer.getLong(entry + SECTION_OFFSET_OFFSET);
        final long length = buffer.getLong(entry + SECTION_LENGTH_OFFSET);
        final long headerLength = buffer.getInt(HEADER_LENGTH_OFFSET);
        if (offset < headerLength || (offset & (PAGE_SIZE - 1)) != 0 || length < 1 || length > Integer.MAX_VALUE
            || offset + length > segment.byteSize())
        {
            throw new RegionException(path, "corrupt section table: name=" + name + " offset=" + offset + " length=" + length
                + " regionLength=" + segment.byteSize());
        }
        return new RegionSection(name, offset, (int)length, segment);
    }

    private boolean nameEquals(final int entry, final byte[] nameBytes)
    {
        if (buffer.getInt(entry + SECTION_NAME_LENGTH_OFFSET) != nameBytes.length)
        {
            return false;
        }
        for (int i = 0; i < nameBytes.length; i++)
        {
            if (buffer.getByte(entry + SECTION_NAME_OFFSET + i) != nameBytes[i])
            {
                return false;
            }
        }
        return true;
    }

    /**
     * The entry's name as shown in lists and messages: a byte no valid name holds (a control character of a corrupt or
     * hostile table, which could drive a terminal that prints it) reads as {@code ?}.
     */
    private String nameAt(final int entry)
    {
        final int length = Math.max(0, Math.min(MAX_SECTION_NAME_LENGTH, buffer.getInt(entry + SECTION_NAME_LENGTH_OFFSET)));
        final char[] name = new char[length];
        for (int i = 0; i < length; i++)
        {
            final int b = buffer.getByte(entry + SECTION_NAME_OFFSET + i) & 0xFF;
            name[i] = b >= 0x21 && b <= 0x7E ? (char)b : '?';
        }
        return new String(name);
    }

    private byte[] checkName(final String name)
    {
        if (name == null || name.isEmpty() || name.length() > MAX_SECTION_NAME_LENGTH)
        {
            throw new RegionException(path, "bad section name=" + name + " (1.." + MAX_SECTION_NAME_LENGTH + " characters)");
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            if (c < 0x21 || c > 0x7E)
            {
                throw new RegionException(path, "bad section name=" + name + " (printable US-ASCII without spaces only)");
            }
        }
        return name.getBytes(StandardCharsets.US_ASCII);
    }
}
