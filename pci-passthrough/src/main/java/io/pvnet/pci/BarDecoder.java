package io.pvnet.pci;

import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the BARs and expansion ROM of a type 0 or type 1 header, with sizes taken from the kernel's resources when
 * known, and the arithmetic of the BAR sizing protocol.
 */
public final class BarDecoder
{
    private BarDecoder()
    {
    }

    /**
     * Number of BAR registers of a header layout: 6 for type 0, 2 for a bridge, 1 for CardBus.
     * @param headerLayout the header layout: 0, 1 or 2 ({@link ConfigSpace#headerLayout()}).
     * @return the number of BAR registers.
     */
    public static int barCount(final int headerLayout)
    {
        return switch (headerLayout)
        {
            case PciRegisters.HEADER_TYPE_NORMAL -> 6;
            case PciRegisters.HEADER_TYPE_BRIDGE -> 2;
            case PciRegisters.HEADER_TYPE_CARDBUS -> 1;
            default -> 0;
        };
    }

    /**
     * Offset of the expansion ROM register, or -1 when the layout has none.
     * @param headerLayout the header layout: 0, 1 or 2 ({@link ConfigSpace#headerLayout()}).
     * @return the ROM register's offset, or -1.
     */
    public static int romOffset(final int headerLayout)
    {
        return switch (headerLayout)
        {
            case PciRegisters.HEADER_TYPE_NORMAL -> PciRegisters.ROM_ADDRESS;
            case PciRegisters.HEADER_TYPE_BRIDGE -> PciRegisters.ROM_ADDRESS1;
            default -> -1;
        };
    }

    /**
     * Decodes every implemented BAR and the ROM.
     *
     * @param config    the config image.
     * @param resources the kernel's resources, index 0..5 for BARs and 6 for the ROM, or null when unknown (sizes 0).
     * @return BARs with a non-zero register, a known size, or both, in index order, then the ROM if any.
     */
    public static List<Bar> decode(final ConfigSpace config, final Resource[] resources)
    {
        final int layout = config.headerLayout();
        final int count = barCount(layout);
        final List<Bar> bars = new ArrayList<>(count + 1);
        for (int i = 0; i < count; i++)
        {
            final int offset = PciRegisters.BAR0 + 4 * i;
            if (!config.isReadable(offset, 4))
            {
                break;
            }
            final int low = config.readDword(offset);
            final long size = sizeOf(resources, i);
            if ((low & PciRegisters.BAR_SPACE_IO) != 0)
            {
                bars.add(new Bar(i, offset, Bar.Kind.IO, false, low & ~PciRegisters.BAR_IO_FLAGS_MASK & 0xFFFFFFFFL,
                    size, low & PciRegisters.BAR_IO_FLAGS_MASK));
                continue;
            }
            final Bar.Kind kind = switch (low & PciRegisters.BAR_MEM_TYPE_MASK)
            {
                case 0 -> Bar.Kind.MEMORY32;
                case 2 -> Bar.Kind.MEMORY_LOW_1M;
                case 4 -> Bar.Kind.MEMORY64;
                default -> Bar.Kind.MEMORY_TYPE3;
            };
            long address = low & ~PciRegisters.BAR_MEM_FLAGS_MASK & 0xFFFFFFFFL;
            if (kind == Bar.Kind.MEMORY64 && i + 1 < count)
            {
                address |= (config.readDword(offset + 4) & 0xFFFFFFFFL) << 32;
            }
            if (low == 0 && address == 0 && size == 0)
            {
                if (kind == Bar.Kind.MEMORY64)
                {
                    i++;
                }
                continue;
            }
            bars.add(new Bar(i, offset, kind, (low & PciRegisters.BAR_MEM_PREFETCH) != 0, address, size,
                low & PciRegisters.BAR_MEM_FLAGS_MASK));
            if (kind == Bar.Kind.MEMORY64)
            {
                i++;
            }
        }
        final int romOffset = romOffset(layout);
        if (romOffset >= 0 && config.isReadable(romOffset, 4))
        {
            final int rom = config.readDword(romOffset);
            final long size = sizeOf(resources, Bar.ROM_INDEX);
            final long address = rom & ~PciRegisters.ROM_FLAGS_MASK & 0xFFFFFFFFL;
            if (address != 0 || size != 0 || (rom & PciRegisters.ROM_ENABLE) != 0)
            {
                bars.add(new Bar(Bar.ROM_INDEX, romOffset, Bar.Kind.ROM, false, address, size,
                    rom & PciRegisters.ROM_ENABLE));
            }
        }
        return bars;
    }

    private static long sizeOf(final Resource[] resources, final int index)
    {
        return resources != null && index < resources.length && resources[index] != null ?
            resources[index].size() : 0;
    }

    /**
     * Size from the value read back after writing all ones to a 32-bit BAR: {@code ~(readback & ~flags) + 1}, where the
     * flag bits are 2 for I/O and 4 for memory; 0 means unimplemented.
     * @param readback the register's value after the all-ones write.
     * @return the BAR's size in bytes, or 0.
     */
    public static long sizeFromReadback32(final int readback)
    {
        if (readback == 0)
        {
            return 0;
        }
        final int mask = (readback & PciRegisters.BAR_SPACE_IO) != 0 ?
            ~PciRegisters.BAR_IO_FLAGS_MASK : ~PciRegisters.BAR_MEM_FLAGS_MASK;
        final int address = readback & mask;
        // I/O BARs may implement only 16 bits: the upper half reads back 0 then
        final long bits = (readback & PciRegisters.BAR_SPACE_IO) != 0 && (address & 0xFFFF0000) == 0 ?
            address | 0xFFFF0000L : address & 0xFFFFFFFFL;
        return address == 0 ? 0 : (~bits & 0xFFFFFFFFL) + 1;
    }

    /**
     * Size from the two halves read back after writing all ones to both registers of a 64-bit BAR.
     * @param lowReadback the lower register's value after the all-ones write.
     * @param highReadback the upper register's value after the all-ones write.
     * @return the BAR's size in bytes, or 0.
     */
    public static long sizeFromReadback64(final int lowReadback, final int highReadback)
    {
        final long bits = ((long)highReadback << 32) | (lowReadback & ~PciRegisters.BAR_MEM_FLAGS_MASK & 0xFFFFFFFFL);
        return bits == 0 ? 0 : ~bits + 1;
    }

    /**
     * Size from the value read back after writing all ones (bit 0 clear) to a ROM register.
     * @param readback the register's value after the all-ones write.
     * @return the ROM's size in bytes, or 0.
     */
    public static long sizeFromRomReadback(final int readback)
    {
        final long bits = readback & ~PciRegisters.ROM_FLAGS_MASK & 0xFFFFFFFFL;
        return bits == 0 ? 0 : (~bits & 0xFFFFFFFFL) + 1;
    }

    /**
     * Runs the sizing protocol a guest driver runs (save, write all ones, read back, restore) on {@code access} for the
     * BAR at {@code offset}, and returns the size: what the device (or the guest view of it) claims.
     * Must only be given writable (emulated or virtual) config spaces.
     *
     * @param is64 whether to size the register pair as a 64-bit BAR.
     * @param rom  whether the register is an expansion ROM.
     * @param access the writable config space to probe.
     * @param offset the BAR register's offset.
     * @return the BAR's size in bytes, or 0 when unimplemented.
     */
    public static long probe(final ConfigAccess access, final int offset, final boolean is64, final boolean rom)
    {
        if (!access.isWritable())
        {
            throw new IllegalArgumentException("BAR sizing writes config space; refusing on a read-only device");
        }
        final int savedLow = access.read(offset, 4);
        final int savedHigh = is64 ? access.read(offset + 4, 4) : 0;
        access.write(offset, 4, rom ? ~PciRegisters.ROM_ENABLE : 0xFFFFFFFF);
        if (is64)
        {
            access.write(offset + 4, 4, 0xFFFFFFFF);
        }
        final int low = access.read(offset, 4);
        final int high = is64 ? access.read(offset + 4, 4) : 0;
        access.write(offset, 4, savedLow);
        if (is64)
        {
            access.write(offset + 4, 4, savedHigh);
        }
        if (rom)
        {
            return sizeFromRomReadback(low);
        }
        return is64 ? sizeFromReadback64(low, high) : sizeFromReadback32(low);
    }
}
