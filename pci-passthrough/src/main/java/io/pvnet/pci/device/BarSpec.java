package io.pvnet.pci.device;

/**
 * The shape of an emulated BAR: kind, size (a power of two) and prefetchability.
 *
 * @param kind         I/O, 32-bit memory or 64-bit memory.
 * @param sizeBytes    power of two; at least 4 for I/O and 16 for memory.
 * @param prefetchable memory only.
 */
public record BarSpec(Kind kind, long sizeBytes, boolean prefetchable)
{
    /** BAR kinds an emulated device can have. */
    public enum Kind
    {
        /** An I/O space BAR. */
        IO,
        /** A 32-bit memory BAR. */
        MEM32,
        /** A 64-bit memory BAR (two registers). */
        MEM64
    }

    /**
     * Checks the shape.
     * @throws IllegalArgumentException with {@code size=value} when the size is not a power of two or out of range for
     *     the kind.
     */
    public BarSpec
    {
        if (sizeBytes <= 0 || Long.bitCount(sizeBytes) != 1)
        {
            throw new IllegalArgumentException("BAR size must be a power of two: size=" + sizeBytes);
        }
        if (kind == Kind.IO && (sizeBytes < 4 || sizeBytes > 256 || prefetchable))
        {
            throw new IllegalArgumentException("I/O BAR size must be 4..256 and not prefetchable: size=" + sizeBytes);
        }
        if (kind != Kind.IO && sizeBytes < 16)
        {
            throw new IllegalArgumentException("memory BAR size must be at least 16: size=" + sizeBytes);
        }
        if (kind == Kind.MEM32 && sizeBytes > 1L << 31)
        {
            throw new IllegalArgumentException("32-bit memory BAR larger than 2 GiB: size=" + sizeBytes);
        }
    }

    /**
     * {@return an I/O BAR of {@code sizeBytes} (4..256, a power of two)}
     * @param sizeBytes the size in bytes.
     */
    public static BarSpec io(final long sizeBytes)
    {
        return new BarSpec(Kind.IO, sizeBytes, false);
    }

    /**
     * {@return a 32-bit memory BAR of {@code sizeBytes} (16 bytes .. 2 GiB, a power of two)}
     * @param sizeBytes the size in bytes.
     * @param prefetchable whether the memory is prefetchable.
     */
    public static BarSpec mem32(final long sizeBytes, final boolean prefetchable)
    {
        return new BarSpec(Kind.MEM32, sizeBytes, prefetchable);
    }

    /**
     * {@return a 64-bit memory BAR of {@code sizeBytes} (at least 16, a power of two)}
     * @param sizeBytes the size in bytes.
     * @param prefetchable whether the memory is prefetchable.
     */
    public static BarSpec mem64(final long sizeBytes, final boolean prefetchable)
    {
        return new BarSpec(Kind.MEM64, sizeBytes, prefetchable);
    }

    /**
     * The flag bits in the low nibble of the register.
     * @return the flag bits: 0x1 for I/O, the type and prefetch bits for memory.
     */
    public int flagBits()
    {
        return switch (kind)
        {
            case IO -> 0x1;
            case MEM32 -> prefetchable ? 0x8 : 0;
            case MEM64 -> 0x4 | (prefetchable ? 0x8 : 0);
        };
    }
}
