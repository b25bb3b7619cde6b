package io.pvnet.pci.format;

import io.pvnet.pci.Capability;
import io.pvnet.pci.CapabilityWalker;
import io.pvnet.pci.ConfigSpace;
import io.pvnet.pci.PciAddress;
import io.pvnet.pci.Resource;

import static io.pvnet.pci.PciRegisters.*;

/**
 * Decodes a config space the way {@code lspci -vvn} (pciutils 3.9) prints it: the terse line with numeric ids,
 * subsystem, control and status flags, latency, interrupt, regions with address, kind and size, expansion ROM, and
 * each capability with its offset. Decoded in full: power management, MSI, MSI-X (table and PBA), virtio vendor
 * capabilities, device serial number, bridge windows and control. PCI Express and AER print their first line only.
 * <p>
 * Stateless; allocates freely (a command-line tool, not a data path).
 * <p>
 * Why one file of this length (about 694 lines of code, the rest javadoc): it follows lspci's ls-caps.c capability by
 * capability, one method each, so that the two read side by side.
 */
public final class LspciFormatter
{
    private static final int[] PM_AUX_CURRENT = {0, 55, 100, 160, 220, 270, 320, 375};

    /**
     * What to decode.
     *
     * @param address   the address to print.
     * @param config    the config image.
     * @param resources the OS's resources (BAR0..5, ROM) as lspci gets them from sysfs, or null as with {@code -F}.
     * @param irq       the IRQ routed, or -1 when unknown (then the config's interrupt line, as with {@code -F}).
     * @param driver    the bound driver, or null.
     */
    public record View(PciAddress address, ConfigSpace config, Resource[] resources, int irq, String driver)
    {
    }

    private LspciFormatter()
    {
    }

    /**
     * Formats a device as {@code lspci -vv} does.
     * @param view the device.
     * @return the text, one line per field, ending with a blank line.
     */
    public static String format(final View view)
    {
        final StringBuilder out = new StringBuilder(2048);
        final ConfigSpace c = view.config();
        final int layout = c.headerLayout();
        terse(out, view.address(), c);
        subsystem(out, c, layout);
        final int cmd = c.readWord(COMMAND);
        final int status = c.readWord(STATUS);
        out.append("\tControl: I/O").append(flag(cmd, COMMAND_IO))
            .append(" Mem").append(flag(cmd, COMMAND_MEMORY))
            .append(" BusMaster").append(flag(cmd, COMMAND_MASTER))
            .append(" SpecCycle").append(flag(cmd, COMMAND_SPECIAL))
            .append(" MemWINV").append(flag(cmd, COMMAND_INVALIDATE))
            .append(" VGASnoop").append(flag(cmd, COMMAND_VGA_PALETTE))
            .append(" ParErr").append(flag(cmd, COMMAND_PARITY))
            .append(" Stepping").append(flag(cmd, COMMAND_WAIT))
            .append(" SERR").append(flag(cmd, COMMAND_SERR))
            .append(" FastB2B").append(flag(cmd, COMMAND_FAST_BACK))
            .append(" DisINTx").append(flag(cmd, COMMAND_INTX_DISABLE)).append('\n');
        final int devsel = status & STATUS_DEVSEL_MASK;
        out.append("\tStatus: Cap").append(flag(status, STATUS_CAP_LIST))
            .append(" 66MHz").append(flag(status, STATUS_66MHZ))
            .append(" UDF").append(flag(status, STATUS_UDF))
            .append(" FastB2B").append(flag(status, STATUS_FAST_BACK))
            .append(" ParErr").append(flag(status, STATUS_PARITY))
            .append(" DEVSEL=").append(devsel == 0 ? "fast" : devsel == 0x200 ? "medium" : devsel == 0x400 ? "slow" : "??")
            .append(" >TAbort").append(flag(status, STATUS_SIG_TARGET_ABORT))
            .append(" <TAbort").append(flag(status, STATUS_REC_TARGET_ABORT))
            .append(" <MAbort").append(flag(status, STATUS_REC_MASTER_ABORT))
            .append(" >SERR").append(flag(status, STATUS_SIG_SYSTEM_ERROR))
            .append(" <PERR").append(flag(status, STATUS_DETECTED_PARITY))
            .append(" INTx").append(flag(status, STATUS_INTERRUPT)).append('\n');
        if ((cmd & COMMAND_MASTER) != 0)
        {
            final int minGnt = layout == HEADER_TYPE_NORMAL ? c.readByte(MIN_GNT) : 0;
            final int maxLat = layout == HEADER_TYPE_NORMAL ? c.readByte(MAX_LAT) : 0;
            out.append("\tLatency: ").append(c.readByte(LATENCY_TIMER));
            if (minGnt != 0 || maxLat != 0)
            {
                out.append(" (");
                if (minGnt != 0)
                {
                    out.append(minGnt * 250).append("ns min");
                }
                if (minGnt != 0 && maxLat != 0)
                {
                    out.append(", ");
                }
                if (maxLat != 0)
                {
                    out.append(maxLat * 250).append("ns max");
                }
                out.append(')');
            }
            final int cacheLine = c.readByte(CACHE_LINE_SIZE);
            if (cacheLine != 0)
            {
                out.append(", Cache Line Size: ").append(cacheLine * 4).append(" bytes");
            }
            out.append('\n');
        }
        final int pin = c.readByte(INTERRUPT_PIN);
        final int irq = view.irq() >= 0 ? view.irq() : c.readByte(INTERRUPT_LINE);
        if (pin != 0 || irq != 0)
        {
            out.append("\tInterrupt: pin ").append(pin != 0 ? (char)('A' + pin - 1) : '?').append(" routed to IRQ ")
                .append(irq).append('\n');
        }
        if (layout == HEADER_TYPE_NORMAL)
        {
            bases(out, c, view.resources(), 6);
            rom(out, c, view.resources(), ROM_ADDRESS);
        }
        else if (layout == HEADER_TYPE_BRIDGE)
        {
            bases(out, c, view.resources(), 2);
            out.append(String.format("\tBus: primary=%02x, secondary=%02x, subordinate=%02x, sec-latency=%d%n",
                c.readByte(PRIMARY_BUS), c.readByte(SECONDARY_BUS), c.readByte(SUBORDINATE_BUS),
                c.readByte(SEC_LATENCY_TIMER)));
            bridgeWindows(out, c);
            rom(out, c, view.resources(), ROM_ADDRESS1);
            final int brc = c.readWord(BRIDGE_CONTROL);
            out.append("\tBridgeCtl: Parity").append(flag(brc, 0x1)).append(" SERR").append(flag(brc, 0x2))
                .append(" NoISA").append(flag(brc, 0x4)).append(" VGA").append(flag(brc, 0x8))
                .append(" VGA16").append(flag(brc, 0x10)).append(" MAbort").append(flag(brc, 0x20))
                .append(" >Reset").append(flag(brc, 0x40)).append(" FastB2B").append(flag(brc, 0x80)).append('\n');
            out.append("\t\tPriDiscTmr").append(flag(brc, 0x100)).append(" SecDiscTmr").append(flag(brc, 0x200))
                .append(" DiscTmrStat").append(flag(brc, 0x400)).append(" DiscTmrSERREn").append(flag(brc, 0x800))
                .append('\n');
        }
        capabilities(out, c);
        if (view.driver() != null)
        {
            out.append("\tKernel driver in use: ").append(view.driver()).append('\n');
        }
        out.append('\n');
        return out.toString();
    }

    /**
     * pciutils 3.9.0's show_htype1 windows from the config registers (as with {@code -F}; sysfs bridge resources are
     * not used), then the secondary status.
     */
    private static void bridgeWindows(final StringBuilder out, final ConfigSpace c)
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
        final int secondary = c.readWord(SEC_STATUS);
        final int devsel = secondary & STATUS_DEVSEL_MASK;
        out.append("\tSecondary status: 66MHz").append(flag(secondary, STATUS_66MHZ))
            .append(" FastB2B").append(flag(secondary, STATUS_FAST_BACK))
            .append(" ParErr").append(flag(secondary, STATUS_PARITY))
            .append(" DEVSEL=").append(devsel == 0 ? "fast" : devsel == 0x200 ? "medium" : devsel == 0x400 ? "slow" : "??")
            .append(" >TAbort").append(flag(secondary, STATUS_SIG_TARGET_ABORT))
            .append(" <TAbort").append(flag(secondary, STATUS_REC_TARGET_ABORT))
            .append(" <MAbort").append(flag(secondary, STATUS_REC_MASTER_ABORT))
            .append(" <SERR").append(flag(secondary, STATUS_SIG_SYSTEM_ERROR))
            .append(" <PERR").append(flag(secondary, STATUS_DETECTED_PARITY)).append('\n');
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

    /**
     * lspci -n's first line: {@code 00:03.0 0200: 1af4:1041 (rev 01)}.
     * @param address the device's address.
     * @param c its config space.
     * @return the line.
     */
    public static String terseLine(final PciAddress address, final ConfigSpace c)
    {
        final StringBuilder out = new StringBuilder();
        terse(out, address, c);
        return out.substring(0, out.length() - 1);
    }

    private static void terse(final StringBuilder out, final PciAddress address, final ConfigSpace c)
    {
        out.append(address.toLspciString()).append(' ')
            .append(String.format("%04x: %04x:%04x", c.classCode() >> 8, c.vendorId(), c.deviceId()));
        final int revision = c.readByte(REVISION);
        if (revision != 0)
        {
            out.append(String.format(" (rev %02x)", revision));
        }
        final int progIf = c.readByte(PROG_IF);
        if (progIf != 0)
        {
            out.append(String.format(" (prog-if %02x)", progIf));
        }
        out.append('\n');
    }

    private static void subsystem(final StringBuilder out, final ConfigSpace c, final int layout)
    {
        int vendor = 0;
        int device = 0;
        if (layout == HEADER_TYPE_NORMAL)
        {
            vendor = c.readWord(SUBSYSTEM_VENDOR_ID);
            device = c.readWord(SUBSYSTEM_ID);
        }
        else if (layout == HEADER_TYPE_BRIDGE)
        {
            final Capability ssvid = CapabilityWalker.walk(c).find(CAP_ID_SSVID);
            if (ssvid != null)
            {
                vendor = c.readWord(ssvid.offset() + 4);
                device = c.readWord(ssvid.offset() + 6);
            }
        }
        if (vendor != 0 && vendor != 0xFFFF)
        {
            out.append(String.format("\tSubsystem: %04x:%04x%n", vendor, device));
        }
    }

    /**
     * pciutils 3.9.0's show_bases: with OS resources (sysfs) the BAR kind comes from the resource flags and every index
     * is visited (a 64-bit BAR's upper half has no resource, so it is skipped); without them (lspci -F) the kind comes
     * from the register, and the upper half of a 64-bit BAR prints as a 32-bit region at {@code <unassigned>}.
     */
    private static void bases(final StringBuilder out, final ConfigSpace c, final Resource[] resources, final int count)
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

    private static void rom(final StringBuilder out, final ConfigSpace c, final Resource[] resources, final int reg)
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

    private static void capabilities(final StringBuilder out, final ConfigSpace c)
    {
        if ((c.readWord(STATUS) & STATUS_CAP_LIST) == 0)
        {
            return;
        }
        boolean canHaveExtended = false;
        final CapabilityWalker.Walk walk = CapabilityWalker.walk(c);
        for (final Capability cap : walk.capabilities())
        {
            out.append("\tCapabilities: ");
            if (!c.isReadable(cap.offset(), 4))
            {
                out.append("<access denied>\n");
                return;
            }
            out.append(String.format("[%02x] ", cap.offset()));
            final int where = cap.offset();
            final int word = c.readWord(where + 2);
            switch (cap.id())
            {
                case 0 -> out.append("Null\n");
                case CAP_ID_PM -> powerManagement(out, c, where, word);
                case CAP_ID_VPD -> out.append("Vital Product Data\n");
                case CAP_ID_MSI -> msi(out, c, where, word);
                case CAP_ID_VNDR -> vendor(out, c, where, word);
                case CAP_ID_EXP ->
                {
                    express(out, word);
                    canHaveExtended = true;
                }
                case CAP_ID_PCIX ->
                {
                    out.append("PCI-X non-bridge device\n");
                    canHaveExtended = true;
                }
                case CAP_ID_MSIX -> msix(out, c, where, word);
                case CAP_ID_SSVID -> out.append(String.format("Subsystem: %04x:%04x%n", c.readWord(where + 4),
                    c.readWord(where + 6)));
                default -> out.append(String.format("Capability ID %s [%04x]%n", hashHex(cap.id()), word));
            }
        }
        switch (walk.end())
        {
            case LOOPED -> out.append(String.format("\tCapabilities: [%02x] <chain looped>%n", walk.stopOffset()));
            case BROKEN -> out.append(String.format("\tCapabilities: [%02x] <chain broken>%n", walk.stopOffset()));
            case UNREADABLE -> out.append("\tCapabilities: <access denied>\n");
            case BAD_POINTER -> out.append(String.format(
                "\tCapabilities: [%02x] <chain broken: points into the header>%n", walk.stopOffset()));
            default ->
            {
            }
        }
        if (canHaveExtended)
        {
            extendedCapabilities(out, c);
        }
    }

    private static String hashHex(final int value)
    {
        return value == 0 ? "0" : "0x" + Integer.toHexString(value);
    }

    private static void powerManagement(final StringBuilder out, final ConfigSpace c, final int where, final int cap)
    {
        out.append("Power Management version ").append(cap & 7).append('\n');
        out.append(String.format("\t\tFlags: PMEClk%c DSI%c D1%c D2%c AuxCurrent=%dmA PME(D0%c,D1%c,D2%c,D3hot%c," +
            "D3cold%c)%n", flag(cap, 0x8), flag(cap, 0x20), flag(cap, 0x200), flag(cap, 0x400),
            PM_AUX_CURRENT[(cap & 0x1C0) >> 6], flag(cap, 0x800), flag(cap, 0x1000), flag(cap, 0x2000),
            flag(cap, 0x4000), flag(cap, 0x8000)));
        if (!c.isReadable(where + 4, 4))
        {
            return;
        }
        final int t = c.readWord(where + PM_CTRL);
        out.append(String.format("\t\tStatus: D%d NoSoftRst%c PME-Enable%c DSel=%d DScale=%d PME%c%n", t & 3,
            flag(t, 0x8), flag(t, PM_CTRL_PME_ENABLE), (t & PM_CTRL_DATA_SEL_MASK) >> 9, (t & 0x6000) >> 13,
            flag(t, PM_CTRL_PME_STATUS)));
        if (c.readByte(where + 6) != 0)
        {
            out.append(String.format("\t\tBridge: PM%c B3%c%n", flag(t, 0x80), flag(~t, 0x40)));
        }
    }

    private static void msi(final StringBuilder out, final ConfigSpace c, final int where, final int cap)
    {
        out.append(String.format("MSI: Enable%c Count=%d/%d Maskable%c 64bit%c%n", flag(cap, MSI_FLAGS_ENABLE),
            1 << ((cap & MSI_FLAGS_QSIZE) >> 4), 1 << ((cap & MSI_FLAGS_QMASK) >> 1), flag(cap, MSI_FLAGS_MASKBIT),
            flag(cap, MSI_FLAGS_64BIT)));
        final boolean is64 = (cap & MSI_FLAGS_64BIT) != 0;
        if (!c.isReadable(where + 4, (is64 ? 12 : 8) + 2 - 4))
        {
            return;
        }
        final int low = c.readDword(where + 4);
        if (is64)
        {
            out.append(String.format("\t\tAddress: %08x%08x  Data: %04x%n", c.readDword(where + 8), low,
                c.readWord(where + 12)));
        }
        else
        {
            out.append(String.format("\t\tAddress: %08x  Data: %04x%n", low, c.readWord(where + 8)));
        }
        if ((cap & MSI_FLAGS_MASKBIT) != 0)
        {
            final int maskAt = where + (is64 ? 0x10 : 0x0C);
            if (!c.isReadable(maskAt, 8))
            {
                return;
            }
            out.append(String.format("\t\tMasking: %08x  Pending: %08x%n", c.readDword(maskAt),
                c.readDword(maskAt + 4)));
        }
    }

    private static void msix(final StringBuilder out, final ConfigSpace c, final int where, final int cap)
    {
        out.append(String.format("MSI-X: Enable%c Count=%d Masked%c%n", flag(cap, MSIX_FLAGS_ENABLE),
            (cap & MSIX_FLAGS_QSIZE) + 1, flag(cap, MSIX_FLAGS_MASKALL)));
        if (!c.isReadable(where + MSIX_TABLE, 8))
        {
            return;
        }
        final int table = c.readDword(where + MSIX_TABLE);
        final int pba = c.readDword(where + MSIX_PBA);
        out.append(String.format("\t\tVector table: BAR=%d offset=%08x%n", table & MSIX_BIR_MASK,
            table & ~MSIX_BIR_MASK));
        out.append(String.format("\t\tPBA: BAR=%d offset=%08x%n", pba & MSIX_BIR_MASK, pba & ~MSIX_BIR_MASK));
    }

    private static void express(final StringBuilder out, final int cap)
    {
        final int type = (cap & EXP_FLAGS_TYPE) >> 4;
        out.append("Express (v").append(cap & EXP_FLAGS_VERS).append(") ");
        final boolean slot = (cap & 0x0100) != 0;
        out.append(switch (type)
        {
            case 0 -> "Endpoint";
            case 1 -> "Legacy Endpoint";
            case 4 -> "Root Port (Slot" + (slot ? '+' : '-') + ")";
            case 5 -> "Upstream Port";
            case 6 -> "Downstream Port (Slot" + (slot ? '+' : '-') + ")";
            case 7 -> "PCI-Express to PCI/PCI-X Bridge";
            case 8 -> "PCI/PCI-X to PCI-Express Bridge";
            case 9 -> "Root Complex Integrated Endpoint";
            case 10 -> "Root Complex Event Collector";
            default -> "Unknown type " + type;
        });
        out.append(String.format(", MSI %02x%n", (cap & EXP_FLAGS_IRQ) >> 9));
    }

    private static void vendor(final StringBuilder out, final ConfigSpace c, final int where, final int cap)
    {
        out.append("Vendor Specific Information: ");
        final int vendor = c.vendorId();
        final int device = c.deviceId();
        final int length = cap & 0xFF;
        if (vendor == 0x1af4 && device >= 0x1000 && device <= 0x107f && length >= 16 && c.isReadable(where, length))
        {
            final int type = (cap >> 8) & 0xFF;
            out.append("VirtIO: ").append(switch (type)
            {
                case 1 -> "CommonCfg";
                case 2 -> "Notify";
                case 3 -> "ISR";
                case 4 -> "DeviceCfg";
                default -> "<unknown>";
            }).append('\n');
            out.append(String.format("\t\tBAR=%d offset=%08x size=%08x", c.readByte(where + 4),
                c.readDword(where + 8), c.readDword(where + 12)));
            if (type == 2 && length >= 20)
            {
                out.append(String.format(" multiplier=%08x", c.readDword(where + 16)));
            }
            out.append('\n');
            return;
        }
        out.append(String.format("Len=%02x <?>%n", length));
    }

    private static void extendedCapabilities(final StringBuilder out, final ConfigSpace c)
    {
        final CapabilityWalker.Walk walk = CapabilityWalker.walkExtended(c);
        for (final Capability cap : walk.capabilities())
        {
            out.append(String.format("\tCapabilities: [%03x v%d] ", cap.offset(), cap.version()));
            final int where = cap.offset();
            switch (cap.id())
            {
                case 0 -> out.append("Null\n");
                case EXT_CAP_ID_ERR -> out.append("Advanced Error Reporting\n");
                case EXT_CAP_ID_DSN ->
                {
                    final int low = c.readDword(where + 4);
                    final int high = c.readDword(where + 8);
                    out.append(String.format("Device Serial Number %02x-%02x-%02x-%02x-%02x-%02x-%02x-%02x%n",
                        high >>> 24, (high >>> 16) & 0xFF, (high >>> 8) & 0xFF, high & 0xFF,
                        low >>> 24, (low >>> 16) & 0xFF, (low >>> 8) & 0xFF, low & 0xFF));
                }
                case EXT_CAP_ID_VNDR ->
                {
                    if (!c.isReadable(where + 4, 4))
                    {
                        out.append("Vendor Specific Information: <unreadable>\n");
                        continue;
                    }
                    final int header = c.readDword(where + 4);
                    out.append(String.format("Vendor Specific Information: ID=%04x Rev=%d Len=%03x <?>%n",
                        header & 0xFFFF, (header >>> 16) & 0xF, header >>> 20));
                }
                default -> out.append(String.format("Extended Capability ID %s%n", hashHex(cap.id())));
            }
        }
        if (walk.end() == CapabilityWalker.End.LOOPED)
        {
            final int header = c.readDword(walk.stopOffset());
            out.append(String.format("\tCapabilities: [%03x v%d] <chain looped>%n", walk.stopOffset(),
                (header >>> 16) & 0xF));
        }
    }

    private static char flag(final int value, final int bit)
    {
        return (value & bit) != 0 ? '+' : '-';
    }
}
