package io.pvnet.pci.format;

import io.pvnet.pci.Capability;
import io.pvnet.pci.CapabilityWalker;
import io.pvnet.pci.ConfigSpace;

import static io.pvnet.pci.PciRegisters.*;
import static io.pvnet.pci.format.LspciText.flag;
import static io.pvnet.pci.format.LspciText.hashHex;

/**
 * The capability lines of {@code lspci -vv}, as pciutils 3.9.0's ls-caps.c prints them: the list walked with
 * {@link CapabilityWalker} (a looped, broken or unreadable chain said as lspci says it), one method per capability,
 * each next to its ls-caps.c function: power management ({@code cap_pm}), MSI ({@code cap_msi}), MSI-X
 * ({@code cap_msix}), PCI Express (its first line, {@code cap_express}), vendor-specific with virtio's
 * ({@code cap_vendor}), subsystem. After a PCI Express or PCI-X capability, the extended list
 * ({@link LspciExtendedCapabilities}, ls-ecaps.c).
 * <p>
 * Stateless; allocates freely (a command-line tool, not a data path).
 */
final class LspciCapabilities
{
    private static final int[] PM_AUX_CURRENT = {0, 55, 100, 160, 220, 270, 320, 375};

    private LspciCapabilities()
    {
    }

    /** pciutils 3.9.0's show_caps: every capability of {@code c}, then its extended ones where lspci reads them. */
    static void capabilities(final StringBuilder out, final ConfigSpace c)
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
            LspciExtendedCapabilities.extendedCapabilities(out, c);
        }
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
}
