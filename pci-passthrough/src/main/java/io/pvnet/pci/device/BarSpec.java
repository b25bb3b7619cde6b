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
        IO, MEM32, MEM64
    }

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

    public static BarSpec io(final long sizeBytes)
    {
        return new BarSpec(Kind.IO, sizeBytes, false);
    }

    public static BarSpec mem32(final long sizeBytes, final boolean prefetchable)
    {
        return new BarSpec(Kind.MEM32, sizeBytes, prefetchable);
    }

    public static BarSpec mem64(final long sizeBytes, final boolean prefetchable)
    {
        return new BarSpec(Kind.MEM64, sizeBytes, prefetchable);
    }

    /** The flag bits in the low nibble of the register. */
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
