package io.pvnet.pci.format;

import io.pvnet.pci.ConfigSpace;
import io.pvnet.pci.Resource;

import static io.pvnet.pci.PciRegisters.*;

/**
 * The address lines of {@code lspci -vv} (pciutils 3.9.0's {@code show_bases}, {@code show_rom} and the bridge windows
 * of {@code show_htype1}, in lspci.c): each region with its address, kind, state and size, the expansion ROM, and
 * what a bridge forwards. With the OS's resources (sysfs) a region's kind and size come from them, without (as
 * {@code lspci -F}) from the registers. {@link LspciFormatter} calls these in the order lspci prints them.
 * <p>
 * Stateless; allocates freely (a command-line tool, not a data path).
 */
final class LspciRegions
{
    private LspciRegions()
    {
    }

    /**
     * pciutils 3.9.0's show_bases: with OS resources (sysfs) the BAR kind comes from the resource flags and every index
     * is visited (a 64-bit BAR's upper half has no resource, so it is skipped); without them (lspci -F) the kind comes
     * from the register, and the upper half of a 64-bit BAR prints as a 32-bit region at {@code <unassigned>}.
     */
    static void bases(final StringBuilder out, final ConfigSpace c, final Resource[] resources, final int count)
    {
        final int cmd = c.readWord(COMMAND);
        final boolean known = resources != null;
        for (int i = 0; i < count; i++)
        {
            final long pos;
            final long len;
            final long ioflg;
            int flg;
            if (known)
            {
                final Resource resource = resources[i];
                pos = resource.isUsed() ? resource.start() | (resource.flags() & Resource.REGION_FLAG_MASK) : 0;
                len = resource.size();
                ioflg = resource.flags();
                flg = pciFlags(ioflg);
            }
            else
            {
                pos = configBase(c, i, count);
                len = 0;
                ioflg = 0;
                flg = c.readDword(BAR0 + 4 * i);
            }
            if (flg == 0xFFFFFFFF)
            {
                flg = 0;
            }
            if (pos == 0 && flg == 0 && len == 0)
            {
                continue;
            }
            out.append("\tRegion ").append(i).append(": ");
            int hwLower = 0;
            int hwUpper = 0;
            boolean broken = false;
            boolean virtual = false;
            if (known)
            {
                hwLower = c.readDword(BAR0 + 4 * i);
                if ((hwLower & BAR_SPACE_IO) == (pciFlags(ioflg) & BAR_SPACE_IO))
                {
                    if ((ioflg & 0x1F00) == Resource.IORESOURCE_MEM && (hwLower & BAR_MEM_TYPE_MASK) == BAR_MEM_TYPE_64)
                    {
                        if (i >= count - 1)
                        {
                            broken = true;
                        }
                        else
                        {
                            // pciutils 3.9.0 reads at 4*i + 1 (sic); only its zero-ness matters
                            hwUpper = c.readDword(BAR0 + 4 * i + 1);
                        }
                    }
                    virtual = pos != 0 && hwLower == 0 && hwUpper == 0;
                }
            }
            if ((flg & BAR_SPACE_IO) != 0)
            {
                final long a = pos & ~(long)BAR_IO_FLAGS_MASK;
                out.append("I/O ports at ");
                if (a != 0 || (cmd & COMMAND_IO) != 0)
                {
                    out.append(String.format("%04x", a));
                }
                else
                {
                    out.append(hwLower != 0 ? "<ignored>" : "<unassigned>");
                }
                if (virtual)
                {
                    out.append(" [virtual]");
                }
                else if ((cmd & COMMAND_IO) == 0)
                {
                    out.append(" [disabled]");
                }
            }
            else
            {
                final int type = flg & BAR_MEM_TYPE_MASK;
                final long a = pos & ~(long)BAR_MEM_FLAGS_MASK;
                out.append("Memory at ");
                if (broken)
                {
                    out.append("<broken-64-bit-slot>");
                }
                else if (a != 0)
                {
                    out.append(String.format("%08x", a));
                }
                else
                {
                    out.append(hwLower != 0 || hwUpper != 0 ? "<ignored>" : "<unassigned>");
                }
                out.append(" (").append(type == 0 ? "32-bit" : type == 4 ? "64-bit" : type == 2 ? "low-1M" : "type 3")
                    .append(", ").append((flg & BAR_MEM_PREFETCH) != 0 ? "prefetchable" : "non-prefetchable")
                    .append(')');
                if (virtual)
                {
                    out.append(" [virtual]");
                }
                else if ((cmd & COMMAND_MEMORY) == 0)
                {
                    out.append(" [disabled]");
                }
            }
            size(out, len);
            out.append('\n');
        }
    }

    /** pciutils' ioflg_to_pciflg: BAR flag bits from resource flags. */
    private static int pciFlags(final long ioflg)
    {
        if ((ioflg & Resource.IORESOURCE_IO) != 0)
        {
            return BAR_SPACE_IO;
        }
        if ((ioflg & Resource.IORESOURCE_MEM) == 0)
        {
            return 0;
        }
        return ((ioflg & Resource.IORESOURCE_MEM_64) != 0 ? BAR_MEM_TYPE_64 : 0) |
            ((ioflg & Resource.IORESOURCE_PREFETCH) != 0 ? BAR_MEM_PREFETCH : 0);
    }

    /** The base address as pciutils' generic code reads it from config (no sysfs): 64-bit pairs joined. */
    private static long configBase(final ConfigSpace c, final int index, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final int x = c.readDword(BAR0 + 4 * i);
            if (x == 0 || x == 0xFFFFFFFF)
            {
                if (i == index)
                {
                    return 0;
                }
                continue;
            }
            final boolean is64 = (x & BAR_SPACE_IO) == 0 && (x & BAR_MEM_TYPE_MASK) == BAR_MEM_TYPE_64;
            if (is64 && i < count - 1)
            {
                if (i == index)
                {
                    return (x & 0xFFFFFFFFL) | (long)c.readDword(BAR0 + 4 * (i + 1)) << 32;
                }
                if (i + 1 == index)
                {
                    return 0;
                }
                i++;
                continue;
            }
            if (i == index)
            {
                return is64 ? 0 : x & 0xFFFFFFFFL;
            }
        }
        return 0;
    }

    /** pciutils 3.9.0's show_rom: the expansion ROM at config register {@code reg}, with the OS's resource when known. */
    static void rom(final StringBuilder out, final ConfigSpace c, final Resource[] resources, final int reg)
    {
        final Resource resource = resources == null ? null : resources[6];
        long rom;
        long len = 0;
        if (resource != null)
        {
            rom = resource.isUsed() ? resource.start() | (resource.flags() & Resource.REGION_FLAG_MASK) : 0;
            len = resource.size();
        }
        else
        {
            final int x = c.readDword(reg);
            rom = x == 0xFFFFFFFF ? 0 : x & 0xFFFFFFFFL;
        }
        int flg = c.readDword(reg);
        if (flg == 0xFFFFFFFF)
        {
            flg = 0;
        }
        if (rom == 0 && flg == 0 && len == 0)
        {
            return;
        }
        final long mask = ~(long)ROM_FLAGS_MASK & 0xFFFFFFFFL;
        boolean virtual = false;
        if ((rom & mask) != 0 && (flg & mask) == 0)
        {
            flg = (int)rom;
            virtual = true;
        }
        out.append("\tExpansion ROM at ");
        if ((rom & mask) != 0)
        {
            out.append(String.format("%08x", rom & mask));
        }
        else
        {
            out.append((flg & mask) != 0 ? "<ignored>" : "<unassigned>");
        }
        if (virtual)
        {
            out.append(" [virtual]");
        }
        if ((flg & ROM_ENABLE) == 0)
        {
            out.append(" [disabled]");
        }
        else if (!virtual && (c.readWord(COMMAND) & COMMAND_MEMORY) == 0)
        {
            out.append(" [disabled by cmd]");
        }
        size(out, len);
        out.append('\n');
    }

    /**
     * pciutils 3.9.0's show_htype1 windows (I/O, memory, prefetchable memory behind the bridge) from the config
     * registers, as with {@code -F}; sysfs bridge resources are not used.
     */
    static void bridgeWindows(final StringBuilder out, final ConfigSpace c)
    {
        final int ioBase = c.readByte(IO_BASE);
        final int ioLimit = c.readByte(IO_LIMIT);
        final int ioType = ioBase & 0xF;
        if (ioType != (ioLimit & 0xF) || (ioType != 0 && ioType != 1))
        {
            out.append(String.format("\t!!! Unknown I/O range types %x/%x%n", ioBase, ioLimit));
        }
        else
        {
            long base = (long)(ioBase & 0xF0) << 8;
            long limit = (long)(ioLimit & 0xF0) << 8;
            if (ioType == 1)
            {
                base |= (long)c.readWord(IO_BASE_UPPER16) << 16;
                limit |= (long)c.readWord(IO_LIMIT_UPPER16) << 16;
            }
            range(out, "\tI/O behind bridge", base, limit + 0xFFF, ioType == 1 ? 32 : 16);
        }
        final int memBase = c.readWord(MEMORY_BASE);
        final int memLimit = c.readWord(MEMORY_LIMIT);
        if ((memBase & 0xF) != (memLimit & 0xF) || (memBase & 0xF) != 0)
        {
            out.append(String.format("\t!!! Unknown memory range types %x/%x%n", memBase, memLimit));
        }
        else
        {
            range(out, "\tMemory behind bridge", (long)(memBase & 0xFFF0) << 16, ((long)(memLimit & 0xFFF0) << 16) +
                0xFFFFF, 32);
        }
        final int prefBase = c.readWord(PREF_MEMORY_BASE);
        final int prefLimit = c.readWord(PREF_MEMORY_LIMIT);
        final int prefType = prefBase & 0xF;
        if (prefType != (prefLimit & 0xF) || (prefType != 0 && prefType != 1))
        {
            out.append(String.format("\t!!! Unknown prefetchable memory range types %x/%x%n", prefBase, prefLimit));
        }
        else
        {
            long base = (long)(prefBase & 0xFFF0) << 16;
            long limit = (long)(prefLimit & 0xFFF0) << 16;
            if (prefType == 1)
            {
                base |= (c.readDword(PREF_BASE_UPPER32) & 0xFFFFFFFFL) << 32;
                limit |= (c.readDword(PREF_LIMIT_UPPER32) & 0xFFFFFFFFL) << 32;
            }
            range(out, "\tPrefetchable memory behind bridge", base, limit + 0xFFFFF, prefType == 1 ? 64 : 32);
        }
    }

    private static void range(final StringBuilder out, final String prefix, final long base, final long limit,
        final int bits)
    {
        out.append(prefix).append(':');
        if (Long.compareUnsigned(base, limit) <= 0)
        {
            final int width = (bits + 3) / 4;
            out.append(' ').append(pad(Long.toHexString(base), width)).append('-')
                .append(pad(Long.toHexString(limit), width));
            size(out, limit - base + 1);
        }
        else
        {
            out.append(" [disabled]");
        }
        out.append(" [").append(bits).append("-bit]\n");
    }

    private static String pad(final String hex, final int width)
    {
        return hex.length() >= width ? hex : "0".repeat(width - hex.length()) + hex;
    }

    private static void size(final StringBuilder out, final long size)
    {
        if (size == 0)
        {
            return;
        }
        final String[] suffix = {"", "K", "M", "G", "T"};
        long x = size;
        int i = 0;
        for (; i < suffix.length - 1; i++)
        {
            if (x % 1024 != 0)
            {
                break;
            }
            x /= 1024;
        }
        out.append(" [size=").append(x).append(suffix[i]).append(']');
    }
}
