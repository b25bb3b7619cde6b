package io.pvnet.ring.region;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.foreign.MemorySegment;

/**
 * One named, page-aligned section of a {@link Region}: a view of {@code lengthBytes} bytes at {@code offset} from the
 * region start. Immutable; valid until the region is closed. Any thread may use it; the layout inside is the business
 * of the section's own descriptor (a ring, a grant table, event channels ...).
 */
public final class RegionSection
{
    private final String name;
    private final long offset;
    private final int lengthBytes;
    private final MemorySegment segment;
    private final UnsafeBuffer buffer;

    RegionSection(final String name, final long offset, final int lengthBytes, final MemorySegment regionSegment)
    {
        this.name = name;
        this.offset = offset;
        this.lengthBytes = lengthBytes;
        this.segment = regionSegment.asSlice(offset, lengthBytes);
        this.buffer = new UnsafeBuffer(segment.address(), lengthBytes);
    }

    /** {@return the name the section was allocated under} */
    public String name()
    {
        return name;
    }

    /** {@return byte offset of the section from the region start; a multiple of {@link RegionDescriptor#PAGE_SIZE}} */
    public long offset()
    {
        return offset;
    }

    /** {@return the length asked for when the section was allocated (the pages behind it may be longer)} */
    public int lengthBytes()
    {
        return lengthBytes;
    }

    /** {@return whole pages the section covers (rounded down: a page only partly inside the section does not count)} */
    public int pageCount()
    {
        return lengthBytes / RegionDescriptor.PAGE_SIZE;
    }

    /** {@return the section as an Agrona buffer of capacity {@link #lengthBytes()}; shared, do not re-wrap it} */
    public AtomicBuffer buffer()
    {
        return buffer;
    }

    /** {@return the section as a memory segment (for FFM calls and bulk copies)} */
    public MemorySegment segment()
    {
        return segment;
    }

    @Override
    public String toString()
    {
        return "RegionSection{name=" + name + ", offset=" + offset + ", lengthBytes=" + lengthBytes + '}';
    }
}
