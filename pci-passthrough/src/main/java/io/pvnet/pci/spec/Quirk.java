package io.pvnet.pci.spec;

import io.pvnet.pci.PciAddress;

/**
 * A xen-pciback quirk: one config register of one device that the guest may write through to the (emulated)
 * hardware, as written to pciback's sysfs {@code quirks} file: {@code [DDDD:]BB:DD.F-REG:SIZE:MASK}, all hex, for
 * example {@code 00:19.0-E0:2:FF}. pvnet writes only the MASK bits.
 *
 * @param address  the device.
 * @param register config offset, 0..0xFFF, aligned to its size.
 * @param size     1, 2 or 4.
 * @param mask     the bits a guest write may change.
 */
public record Quirk(PciAddress address, int register, int size, int mask)
{
    /**
     * Parses the quirks-file syntax; a {@link SpecSyntaxException} points at the offending text.
     * @param text one line of a quirks file.
     * @return the quirk.
     */
    public static Quirk parse(final String text)
    {
        final SpecCursor cursor = new SpecCursor(text);
        final PciSelector device = cursor.deviceAddress(false);
        cursor.expect('-', "before the register");
        final int registerAt = cursor.pos;
        final int register = cursor.hex(3, 0xFFF, "register");
        cursor.expect(':', "after the register");
        final int sizeAt = cursor.pos;
        final int size = cursor.hex(1, 4, "size");
        if (size != 1 && size != 2 && size != 4)
        {
            throw cursor.errorAt(sizeAt, "size must be 1, 2 or 4");
        }
        if (register % size != 0)
        {
            throw cursor.errorAt(registerAt, "register 0x" + Integer.toHexString(register) + " is not aligned to " +
                "its size " + size);
        }
        cursor.expect(':', "after the size");
        final int mask = (int)cursor.hexLong(8, size == 4 ? 0xFFFFFFFFL : (1L << (8 * size)) - 1, "mask");
        if (!cursor.atEnd())
        {
            throw cursor.error("unexpected text after the mask");
        }
        return new Quirk(new PciAddress(device.domain(), device.bus(), device.slot(), device.function()), register,
            size, mask);
    }
}
