package io.pvnet.pci;

/**
 * One line of a sysfs {@code resource} file, the kernel's view of a BAR, ROM or bridge window: start, inclusive end and
 * {@code IORESOURCE_*} flags, whose low nibble copies the BAR's flag bits.
 *
 * @param start first bus address.
 * @param end   last bus address (inclusive); equal to start and zero for an unused line.
 * @param flags Linux {@code IORESOURCE_*} flags.
 */
public record Resource(long start, long end, long flags)
{
    public static final long IORESOURCE_IO = 0x100;
    public static final long IORESOURCE_MEM = 0x200;
    public static final long IORESOURCE_PREFETCH = 0x2000;
    public static final long IORESOURCE_READONLY = 0x4000;
    public static final long IORESOURCE_SIZEALIGN = 0x40000;
    public static final long IORESOURCE_MEM_64 = 0x100000;
    public static final long IORESOURCE_DISABLED = 0x10000000;
    public static final long IORESOURCE_UNSET = 0x20000000;
    public static final long IORESOURCE_BUSY = 0x80000000L;
    /** The low nibble: the BAR's own flag bits (PCI_REGION_FLAG_MASK). */
    public static final long REGION_FLAG_MASK = 0xF;

    public static final Resource NONE = new Resource(0, 0, 0);

    /**
     * A resource for a BAR at {@code start} of {@code sizeBytes} with the given BAR flag bits (low nibble).
     * @param start the BAR's bus address.
     * @param sizeBytes its size (0: an unused resource).
     * @param barFlags the register's low flag bits.
     * @param rom true for the expansion ROM.
     * @return the resource.
     */
    public static Resource ofBar(final long start, final long sizeBytes, final int barFlags, final boolean rom)
    {
        if (sizeBytes == 0)
        {
            return NONE;
        }
        long flags = barFlags & REGION_FLAG_MASK;
        if (!rom && (barFlags & PciRegisters.BAR_SPACE_IO) != 0)
        {
            flags |= IORESOURCE_IO;
        }
        else
        {
            flags |= IORESOURCE_MEM;
            if ((barFlags & PciRegisters.BAR_MEM_PREFETCH) != 0 && !rom)
            {
                flags |= IORESOURCE_PREFETCH;
            }
            if (!rom && (barFlags & PciRegisters.BAR_MEM_TYPE_MASK) == PciRegisters.BAR_MEM_TYPE_64)
            {
                flags |= IORESOURCE_MEM_64;
            }
            if (rom)
            {
                flags |= IORESOURCE_READONLY;
            }
        }
        return new Resource(start, start + sizeBytes - 1, flags | IORESOURCE_SIZEALIGN);
    }

    /**
     * Parses one {@code 0x%016llx 0x%016llx 0x%016llx} line.
     * @param line one line of a sysfs {@code resource} file.
     * @return the resource.
     */
    public static Resource parse(final String line)
    {
        final String[] parts = line.trim().split("\\s+");
        if (parts.length != 3)
        {
            throw new IllegalArgumentException("resource line needs start, end and flags: line=" + line);
        }
        return new Resource(hex(parts[0], line), hex(parts[1], line), hex(parts[2], line));
    }

    private static long hex(final String text, final String line)
    {
        final String digits = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
        try
        {
            return Long.parseUnsignedLong(digits, 16);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("resource field is not hex: field=" + text + " line=" + line, ex);
        }
    }

    /** {@return true unless the line is all zeros} */
    public boolean isUsed()
    {
        return flags != 0;
    }

    /**
     * Size in bytes; 0 for an unused line.
     * @return the size.
     */
    public long size()
    {
        return flags == 0 && start == 0 && end == 0 ? 0 : end - start + 1;
    }

    /** {@return true for an I/O resource} */
    public boolean isIo()
    {
        return (flags & IORESOURCE_IO) != 0;
    }

    /** {@return true for a memory resource} */
    public boolean isMemory()
    {
        return (flags & IORESOURCE_MEM) != 0;
    }

    /** {@return true for a 64-bit memory resource} */
    public boolean isMem64()
    {
        return (flags & IORESOURCE_MEM_64) != 0;
    }

    /** {@return true for prefetchable memory} */
    public boolean isPrefetchable()
    {
        return (flags & IORESOURCE_PREFETCH) != 0;
    }

    /**
     * Unset, disabled or busy resources are not exported (xen-pciback {@code bar_init}).
     * @return true when the resource must not be exported.
     */
    public boolean isUnusable()
    {
        return flags == 0 || (flags & (IORESOURCE_DISABLED | IORESOURCE_UNSET | IORESOURCE_BUSY)) != 0;
    }

    /** {@return the resource as a sysfs {@code resource} line} */
    public String toSysfsLine()
    {
        return String.format("0x%016x 0x%016x 0x%016x", start, end, flags);
    }
}
