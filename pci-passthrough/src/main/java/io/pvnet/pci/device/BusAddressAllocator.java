package io.pvnet.pci.device;

/**
 * Where {@link EmulatedDeviceBuilder} places BARs in bus address space: each naturally aligned (a BAR decodes only
 * its size), I/O from {@code 0xC000}, 32-bit memory from {@code 0xFE000000} and, for what does not fit below 4 GiB
 * from there, from 2 GiB; 64-bit memory from 512 GiB. Each placement moves its base on, so a builder reused for
 * several functions gives them disjoint ranges.
 * <p>
 * Not thread-safe: its builder's.
 */
final class BusAddressAllocator
{
    private long memoryBase = 0xFE000000L;
    private long memory64Base = 0x80_0000_0000L;
    private long lowMemoryBase = 0x8000_0000L;
    private int ioBase = 0xC000;

    /** Sets where the next 32-bit and 64-bit memory BARs start. */
    void memoryBase(final long base32, final long base64)
    {
        memoryBase = base32;
        memory64Base = base64;
    }

    /** Sets where the next I/O BAR starts. */
    void ioBase(final int base)
    {
        ioBase = base;
    }

    /** {@return the start of an I/O range of {@code sizeBytes}} */
    long io(final long sizeBytes)
    {
        final long start = align(ioBase, sizeBytes);
        ioBase = (int)(start + sizeBytes);
        return start;
    }

    /** {@return the start of a 64-bit memory range of {@code sizeBytes}} */
    long memory64(final long sizeBytes)
    {
        final long start = align(memory64Base, sizeBytes);
        memory64Base = start + sizeBytes;
        return start;
    }

    /**
     * {@return the start of a naturally aligned range below 4 GiB: from the memory base up, else from 2 GiB up (for
     * BARs of up to 2 GiB)}
     * @throws IllegalArgumentException when neither has room.
     */
    long memory32(final long sizeBytes)
    {
        long start = align(memoryBase, sizeBytes);
        if (start + sizeBytes > 1L << 32)
        {
            start = align(lowMemoryBase, sizeBytes);
            if (start + sizeBytes > 1L << 32)
            {
                throw new IllegalArgumentException("32-bit BARs do not fit below 4 GiB: size=" + sizeBytes);
            }
            lowMemoryBase = start + sizeBytes;
            return start;
        }
        memoryBase = start + sizeBytes;
        return start;
    }

    private static long align(final long value, final long alignment)
    {
        return (value + alignment - 1) & -alignment;
    }
}
