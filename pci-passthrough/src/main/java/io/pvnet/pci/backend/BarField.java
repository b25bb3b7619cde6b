package io.pvnet.pci.backend;

import io.pvnet.pci.PciRegisters;
import io.pvnet.pci.Resource;

/**
 * A BAR, the upper half of a 64-bit BAR, or the expansion ROM, virtualized as xen-pciback does: at attach it caches
 * {@code val} (resource start | flag bits) and {@code lenVal} ({@code -size | flags}); a 32-bit write of all ones (bar
 * the read-only flag bits) enters the sizing state, in which reads return {@code lenVal}; any other write leaves it and,
 * if it writes back {@code val} while the hardware differs, restores {@code val} in hardware. The guest can never move
 * a BAR. Unset, disabled or busy resources read as 0 in both states.
 */
final class BarField extends ConfigField
{
    private final Kind kind;
    private final Resource resource;
    private int value;
    private int lengthValue;
    private boolean sizing;

    /** What the register is, which decides the mask of read-only bits in a sizing write. */
    enum Kind
    {
        BAR, UPPER_HALF, ROM
    }

    /**
     * @param offset   the register.
     * @param kind     BAR, upper half of the 64-bit BAR below, or ROM.
     * @param resource the kernel's resource for this BAR (for an upper half, the 64-bit BAR's resource).
     */
    BarField(final int offset, final Kind kind, final Resource resource)
    {
        super(offset, 4);
        this.kind = kind;
        this.resource = resource;
    }

    @Override
    void init(final VirtualConfigSpace space)
    {
        sizing = false;
        value = 0;
        lengthValue = 0;
        if (kind == Kind.UPPER_HALF)
        {
            value = (int)(resource.start() >>> 32);
            lengthValue = (int)(-resource.size() >>> 32);
            return;
        }
        if (resource.isUnusable())
        {
            return;
        }
        final int flags = (int)(resource.flags() & Resource.REGION_FLAG_MASK);
        value = (int)resource.start() | flags;
        lengthValue = (int)-resource.size() | flags;
    }

    @Override
    void reset(final VirtualConfigSpace space)
    {
        sizing = false;
    }

    @Override
    int read(final VirtualConfigSpace space)
    {
        return sizing ? lengthValue : value;
    }

    @Override
    int write(final VirtualConfigSpace space, final int written)
    {
        final int mask;
        if (kind == Kind.ROM)
        {
            mask = PciRegisters.ROM_FLAGS_MASK;
        }
        else if (kind == Kind.UPPER_HALF)
        {
            mask = 0;
        }
        else if (resource.isIo())
        {
            mask = PciRegisters.BAR_IO_FLAGS_MASK;
        }
        else
        {
            mask = PciRegisters.BAR_MEM_FLAGS_MASK;
        }
        if ((written | mask) == 0xFFFFFFFF)
        {
            sizing = true;
            return XenPciError.SUCCESS;
        }
        sizing = false;
        if (written == value && space.hardwareRead(offset, 4) != value)
        {
            // allow restoration of the BAR value (xen-pciback bar_write)
            return space.hardwareWrite(offset, 4, value);
        }
        return XenPciError.SUCCESS;
    }

    boolean isSizing()
    {
        return sizing;
    }
}
