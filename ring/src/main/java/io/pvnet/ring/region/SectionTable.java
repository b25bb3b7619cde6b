package io.pvnet.ring.region;

import org.agrona.concurrent.UnsafeBuffer;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.pvnet.ring.region.RegionDescriptor.*;

/**
 * A {@link Region}'s table of named sections ({@link RegionDescriptor}): appends an entry and its pages with one CAS on
 * the allocation word, publishes it with a release store of its state, and finds published entries with acquire loads,
 * checking that each points inside the region.
 * <p>
 * Threading: any thread of any process that maps the region; configuration-time calls that allocate. The region checks
 * it is open before it calls in.
 */
final class SectionTable
{
    private final Path path;
    private final UnsafeBuffer buffer;
    private final MemorySegment segment;

    /**
     * @param path    the region's file, named in errors (null for anonymous memory).
     * @param buffer  the region from its descriptor on.
     * @param segment the whole region, which sections are slices of.
     */
    SectionTable(final Path path, final UnsafeBuffer buffer, final MemorySegment segment)
    {
        this.path = path;
        this.buffer = buffer;
        this.segment = segment;
    }

    /** {@link Region#allocateSection}: appends a section and publishes its entry. */
    RegionSection allocate(final String name, final int lengthBytes)
    {
        final byte[] nameBytes = checkName(name);
        if (lengthBytes < 1)
        {
            throw new RegionException(path, "bad section length: name=" + name + " lengthBytes=" + lengthBytes);
        }
        if (find(name) != null)
        {
            throw new RegionException(path, "section exists: name=" + name);
        }
        final long pages = ((long)lengthBytes + PAGE_SIZE - 1) / PAGE_SIZE;
        final int capacity = buffer.getInt(SECTION_CAPACITY_OFFSET);
        final long totalPages = buffer.getLong(TOTAL_LENGTH_OFFSET) / PAGE_SIZE;
        int index;
        long firstPage;
        while (true)
        {
            final long allocation = buffer.getLongVolatile(ALLOCATION_OFFSET);
            index = allocationCount(allocation);
            firstPage = allocationNextPage(allocation);
            if (index >= capacity)
            {
                throw new RegionException(path, "section table full: sectionCapacity=" + capacity + " name=" + name);
            }
            if (firstPage + pages > totalPages)
            {
                throw new RegionException(path, "no room for section: name=" + name + " lengthBytes=" + lengthBytes
                    + " freeBytes=" + (totalPages - firstPage) * PAGE_SIZE);
            }
            // one CAS claims the entry and the pages together, so allocators in several processes never overlap
            if (buffer.compareAndSetLong(ALLOCATION_OFFSET, allocation, RegionDescriptor.allocation(index + 1, firstPage + pages)))
            {
                break;
            }
        }
        final int entry = sectionEntryOffset(index);
        buffer.putInt(entry + SECTION_NAME_LENGTH_OFFSET, nameBytes.length);
        buffer.putBytes(entry + SECTION_NAME_OFFSET, nameBytes);
        buffer.putLong(entry + SECTION_OFFSET_OFFSET, firstPage * PAGE_SIZE);
        buffer.putLong(entry + SECTION_LENGTH_OFFSET, lengthBytes);
        // release: a reader that sees READY (acquire) sees the name, offset and length written above
        buffer.putIntRelease(entry + SECTION_STATE_OFFSET, SECTION_READY);
        return new RegionSection(name, firstPage * PAGE_SIZE, lengthBytes, segment);
    }

    /** {@link Region#findSection}: the published section named {@code name}, or null. */
    RegionSection find(final String name)
    {
        final byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        final int count = Math.min(allocationCount(buffer.getLongAcquire(ALLOCATION_OFFSET)), buffer.getInt(SECTION_CAPACITY_OFFSET));
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

    /** {@link Region#sections}: every published section, in allocation order. */
    List<RegionSection> sections()
    {
        final List<RegionSection> sections = new ArrayList<>();
        final int count = Math.min(allocationCount(buffer.getLongAcquire(ALLOCATION_OFFSET)), buffer.getInt(SECTION_CAPACITY_OFFSET));
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

    private String nameAt(final int entry)
    {
        final int length = Math.max(0, Math.min(MAX_SECTION_NAME_LENGTH, buffer.getInt(entry + SECTION_NAME_LENGTH_OFFSET)));
        return buffer.getStringWithoutLengthAscii(entry + SECTION_NAME_OFFSET, length);
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
