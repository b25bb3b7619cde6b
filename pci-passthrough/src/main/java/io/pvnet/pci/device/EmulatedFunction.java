package io.pvnet.pci.device;

import io.pvnet.pci.ConfigAccess;
import io.pvnet.pci.ConfigSpace;
import io.pvnet.pci.PciRegisters;

/**
 * The config space of an emulated PCI function, behaving like hardware: per-bit write masks, write-one-to-clear bits,
 * and BARs that decode only their size (writing all ones reads back {@code -size | flags}). Built by
 * {@link EmulatedDeviceBuilder}.
 * <p>
 * Not thread-safe: its backend is its single caller.
 */
public final class EmulatedFunction implements ConfigAccess
{
    private final ConfigSpace space;
    private final byte[] writable;
    private final byte[] writeOneToClear;
    /** Per BAR register (0..5) the mask of address bits that stick, 0 for unimplemented; index 6 the ROM. */
    private final int[] barAddressMask = new int[7];
    private final int[] barFlags = new int[7];
    private final int romOffset;
    private long writes;

    EmulatedFunction(final ConfigSpace space, final byte[] writable, final byte[] writeOneToClear, final int romOffset)
    {
        this.space = space;
        this.writable = writable;
        this.writeOneToClear = writeOneToClear;
        this.romOffset = romOffset;
    }

    void defineBarRegister(final int index, final int addressMask, final int flags)
    {
        barAddressMask[index] = addressMask;
        barFlags[index] = flags;
    }

    @Override
    public int size()
    {
        return space.size();
    }

    @Override
    public boolean isWritable()
    {
        return true;
    }

    @Override
    public int read(final int offset, final int size)
    {
        return space.read(offset, size);
    }

    @Override
    public int write(final int offset, final int size, final int value)
    {
        if ((size != 1 && size != 2 && size != 4) || offset < 0 || offset + size > space.size())
        {
            return WRITE_OUT_OF_RANGE;
        }
        writes++;
        for (int i = 0; i < size; i++)
        {
            final int at = offset + i;
            final int b = (value >>> (8 * i)) & 0xFF;
            final int barIndex = barIndexOf(at);
            if (barIndex >= 0)
            {
                writeBarByte(barIndex, at, b);
                continue;
            }
            final int mask = writable[at] & 0xFF;
            final int clear = writeOneToClear[at] & 0xFF & b;
            final int old = space.readByte(at);
            space.writeByte(at, ((old & ~mask) | (b & mask)) & ~clear);
        }
        return WRITE_OK;
    }

    private int barIndexOf(final int offset)
    {
        if (romOffset >= 0 && offset >= romOffset && offset < romOffset + 4)
        {
            return 6;
        }
        final int count = space.headerLayout() == PciRegisters.HEADER_TYPE_BRIDGE ? 2 : 6;
        if (offset >= PciRegisters.BAR0 && offset < PciRegisters.BAR0 + 4 * count)
        {
            return (offset - PciRegisters.BAR0) / 4;
        }
        return -1;
    }

    private void writeBarByte(final int index, final int offset, final int b)
    {
        final int register = index == 6 ? romOffset : PciRegisters.BAR0 + 4 * index;
        final int shift = 8 * (offset - register);
        final int merged = (space.readDword(register) & ~(0xFF << shift)) | (b << shift);
        final int value = (merged & barAddressMask[index]) | barFlags[index] |
            (index == 6 ? merged & PciRegisters.ROM_ENABLE & (barAddressMask[index] == 0 ? 0 : 1) : 0);
        space.writeDword(register, value);
    }

    /**
     * Config writes accepted so far (how tests see that the guest never reached the hardware).
     * @return config writes accepted.
     */
    public long writes()
    {
        return writes;
    }

    @Override
    public ConfigSpace snapshot()
    {
        return space.copy();
    }

    /**
     * Restores every byte from {@code image} (a reset to a saved state), bypassing the write masks.
     * @param image the saved image.
     */
    public void restore(final ConfigSpace image)
    {
        for (int i = 0; i < space.size() && i < image.readableLength(); i++)
        {
            space.writeByte(i, image.readByte(i));
        }
    }
}
