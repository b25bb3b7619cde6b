package io.pvnet.pci.format;

import io.pvnet.pci.Capability;
import io.pvnet.pci.CapabilityWalker;
import io.pvnet.pci.ConfigSpace;

import static io.pvnet.pci.PciRegisters.*;
import static io.pvnet.pci.format.LspciText.hashHex;

/**
 * The extended capability lines of {@code lspci -vv} (config space from 0x100), as pciutils 3.9.0's ls-ecaps.c prints
 * them: AER (its first line), device serial number, vendor-specific (id, revision, length), others by id; a looped
 * chain said as lspci says it.
 * <p>
 * Stateless; allocates freely (a command-line tool, not a data path).
 */
final class LspciExtendedCapabilities
{
    private LspciExtendedCapabilities()
    {
    }

    /** pciutils 3.9.0's show_ext_caps: every extended capability of {@code c}. */
    static void extendedCapabilities(final StringBuilder out, final ConfigSpace c)
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
}
