package io.pvnet.perf.cli.pci;

import io.pvnet.pci.Bar;
import io.pvnet.pci.BarDecoder;
import io.pvnet.pci.ConfigAccess;
import io.pvnet.pci.ConfigSpace;
import io.pvnet.pci.PciDevice;
import io.pvnet.pci.Resource;
import io.pvnet.pci.backend.ExportedDevice;
import io.pvnet.pci.backend.Pciback;
import io.pvnet.pci.backend.WarningSink;
import io.pvnet.pci.spec.PciAssignment;
import io.pvnet.pci.spec.PciSelector;

import java.util.List;

/**
 * The guest's view of one device: the device is hidden and exported to a throw-away in-process pciback (for a real
 * device nothing is written: its config is a read-only snapshot), then the guest's reads are collected.
 */
final class VirtualView
{
    final ExportedDevice exported;
    final ConfigSpace config;
    final Resource[] resources;

    VirtualView(final PciDevice device, final boolean permissive)
    {
        final Pciback pciback = new Pciback(List.of(device), WarningSink.STDERR);
        pciback.hide(new io.pvnet.pci.spec.HideSpec(io.pvnet.pci.spec.HideSpecParser.Grammar.XEN,
            List.of(PciSelector.of(device.address()))));
        exported = pciback.attach(1, List.of(new PciAssignment(PciSelector.of(device.address()), -1, permissive,
            false, false, false, "strict"))).getFirst();
        config = exported.config().guestSnapshot();
        resources = guestResources(exported.config().guestAccess(), config);
    }

    /** What the guest's kernel would find by sizing the virtual BARs: the guest view's own resources. */
    private static Resource[] guestResources(final ConfigAccess guest, final ConfigSpace config)
    {
        final Resource[] resources = new Resource[7];
        java.util.Arrays.fill(resources, Resource.NONE);
        for (final Bar bar : BarDecoder.decode(config, null))
        {
            final long size = BarDecoder.probe(guest, bar.offset(), bar.is64Bit(), bar.isRom());
            final int flags = bar.isRom() ? 0 : (int)(guest.read(bar.offset(), 4) &
                (bar.isIo() ? 0x3 : 0xF));
            resources[bar.index()] = Resource.ofBar(bar.address(), size, flags, bar.isRom());
        }
        return resources;
    }
}
