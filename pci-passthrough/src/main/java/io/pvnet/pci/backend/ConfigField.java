package io.pvnet.pci.backend;

/**
 * One virtualized register of a device's config space, as xen-pciback's {@code config_field}: an offset, a size
 * (1, 2 or 4) and read/write behaviour. {@link VirtualConfigSpace} merges the fields that overlap an access.
 * <p>
 * By default a field reads the hardware and drops writes silently (xen-pciback: a field without a write handler).
 */
abstract class ConfigField
{
    final int offset;
    final int size;

    ConfigField(final int offset, final int size)
    {
        this.offset = offset;
        this.size = size;
    }

    /** The field's value as the guest sees it. */
    int read(final VirtualConfigSpace space)
    {
        return space.hardwareRead(offset, size);
    }

    /** Handles a guest write of the whole field (already merged with the field's old value); a Xen error code. */
    int write(final VirtualConfigSpace space, final int value)
    {
        return XenPciError.SUCCESS;
    }

    /** Called when the device is attached, after the backend took it over. */
    void init(final VirtualConfigSpace space)
    {
    }

    /** Called when the guest is detached: forget the guest's virtual state. */
    void reset(final VirtualConfigSpace space)
    {
    }

    /** A field that reads the hardware and drops writes (vendor, device, latency, pin, capability headers). */
    static final class ReadOnly extends ConfigField
    {
        ReadOnly(final int offset, final int size)
        {
            super(offset, size);
        }
    }

    /** A field whose reads and writes go to the hardware (cache line size). */
    static final class PassThrough extends ConfigField
    {
        PassThrough(final int offset, final int size)
        {
            super(offset, size);
        }

        @Override
        int write(final VirtualConfigSpace space, final int value)
        {
            return space.hardwareWrite(offset, size, value);
        }
    }

    /** A field with a value captured at attach time (interrupt line: the IRQ the backend routed). */
    static final class Captured extends ConfigField
    {
        private int value;

        Captured(final int offset, final int size)
        {
            super(offset, size);
        }

        @Override
        void init(final VirtualConfigSpace space)
        {
            value = space.hardwareRead(offset, size);
        }

        @Override
        int read(final VirtualConfigSpace space)
        {
            return value;
        }
    }

    /** BIST: a write goes to the hardware only if it leaves the non-START bits unchanged or is exactly START. */
    static final class Bist extends ConfigField
    {
        Bist(final int offset)
        {
            super(offset, 1);
        }

        @Override
        int write(final VirtualConfigSpace space, final int value)
        {
            final int old = space.hardwareRead(offset, 1);
            final int start = io.pvnet.pci.PciRegisters.BIST_START;
            if ((value & ~start & 0xFF) == (old & ~start) || value == start)
            {
                return space.hardwareWrite(offset, 1, value);
            }
            return XenPciError.SUCCESS;
        }
    }

    /** A quirk: a register the guest may write through, MASK bits only (xen-pciback's quirks file). */
    static final class Quirk extends ConfigField
    {
        private final int mask;

        Quirk(final int offset, final int size, final int mask)
        {
            super(offset, size);
            this.mask = mask;
        }

        @Override
        int write(final VirtualConfigSpace space, final int value)
        {
            final int hw = space.hardwareRead(offset, size);
            return space.hardwareWrite(offset, size, (hw & ~mask) | (value & mask));
        }
    }
}
