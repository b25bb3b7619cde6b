package io.pvnet.pci.format;

import io.pvnet.pci.Capability;
import io.pvnet.pci.CapabilityWalker;
import io.pvnet.pci.ConfigSpace;
import io.pvnet.pci.PciAddress;
import io.pvnet.pci.Resource;

import static io.pvnet.pci.PciRegisters.*;
import static io.pvnet.pci.format.LspciText.devsel;
import static io.pvnet.pci.format.LspciText.flag;

/**
 * Decodes a config space the way {@code lspci -vvn} (pciutils 3.9) prints it: the terse line with numeric ids,
 * subsystem, control and status flags, latency, interrupt, regions with address, kind and size, expansion ROM, and
 * each capability with its offset. Decoded in full: power management, MSI, MSI-X (table and PBA), virtio vendor
 * capabilities, device serial number, bridge windows and control. PCI Express and AER print their first line only.
 * <p>
 * Split as pciutils splits lspci: this class prints the header lines (lspci.c's {@code show_verbose},
 * {@code show_htype0}, {@code show_htype1}: ids, subsystem, control, status, latency, interrupt, bus numbers, bridge
 * control) and calls {@link LspciRegions} for regions, ROM and bridge windows (lspci.c's {@code show_bases},
 * {@code show_rom}), {@link LspciCapabilities} for the capability list (ls-caps.c) and, through it,
 * {@link LspciExtendedCapabilities} for the extended one (ls-ecaps.c), so that each reads beside its C file.
 * <p>
 * Stateless; allocates freely (a command-line tool, not a data path). Any thread.
 */
public final class LspciFormatter
{
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
        out.append("\tStatus: Cap").append(flag(status, STATUS_CAP_LIST))
            .append(" 66MHz").append(flag(status, STATUS_66MHZ))
            .append(" UDF").append(flag(status, STATUS_UDF))
            .append(" FastB2B").append(flag(status, STATUS_FAST_BACK))
            .append(" ParErr").append(flag(status, STATUS_PARITY))
            .append(" DEVSEL=").append(devsel(status))
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
            LspciRegions.bases(out, c, view.resources(), 6);
            LspciRegions.rom(out, c, view.resources(), ROM_ADDRESS);
        }
        else if (layout == HEADER_TYPE_BRIDGE)
        {
            LspciRegions.bases(out, c, view.resources(), 2);
            out.append(String.format("\tBus: primary=%02x, secondary=%02x, subordinate=%02x, sec-latency=%d%n",
                c.readByte(PRIMARY_BUS), c.readByte(SECONDARY_BUS), c.readByte(SUBORDINATE_BUS),
                c.readByte(SEC_LATENCY_TIMER)));
            LspciRegions.bridgeWindows(out, c);
            secondaryStatus(out, c);
            LspciRegions.rom(out, c, view.resources(), ROM_ADDRESS1);
            final int brc = c.readWord(BRIDGE_CONTROL);
            out.append("\tBridgeCtl: Parity").append(flag(brc, 0x1)).append(" SERR").append(flag(brc, 0x2))
                .append(" NoISA").append(flag(brc, 0x4)).append(" VGA").append(flag(brc, 0x8))
                .append(" VGA16").append(flag(brc, 0x10)).append(" MAbort").append(flag(brc, 0x20))
                .append(" >Reset").append(flag(brc, 0x40)).append(" FastB2B").append(flag(brc, 0x80)).append('\n');
            out.append("\t\tPriDiscTmr").append(flag(brc, 0x100)).append(" SecDiscTmr").append(flag(brc, 0x200))
                .append(" DiscTmrStat").append(flag(brc, 0x400)).append(" DiscTmrSERREn").append(flag(brc, 0x800))
                .append('\n');
        }
        LspciCapabilities.capabilities(out, c);
        if (view.driver() != null)
        {
            out.append("\tKernel driver in use: ").append(view.driver()).append('\n');
        }
        out.append('\n');
        return out.toString();
    }

    /** The secondary status line of a bridge (pciutils 3.9.0's show_htype1), after its windows. */
    private static void secondaryStatus(final StringBuilder out, final ConfigSpace c)
    {
        final int secondary = c.readWord(SEC_STATUS);
        out.append("\tSecondary status: 66MHz").append(flag(secondary, STATUS_66MHZ))
            .append(" FastB2B").append(flag(secondary, STATUS_FAST_BACK))
            .append(" ParErr").append(flag(secondary, STATUS_PARITY))
            .append(" DEVSEL=").append(devsel(secondary))
            .append(" >TAbort").append(flag(secondary, STATUS_SIG_TARGET_ABORT))
            .append(" <TAbort").append(flag(secondary, STATUS_REC_TARGET_ABORT))
            .append(" <MAbort").append(flag(secondary, STATUS_REC_MASTER_ABORT))
            .append(" <SERR").append(flag(secondary, STATUS_SIG_SYSTEM_ERROR))
            .append(" <PERR").append(flag(secondary, STATUS_DETECTED_PARITY)).append('\n');
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
}
