package io.pvnet.pci.device;

import io.pvnet.pci.Lspci;
import io.pvnet.pci.PciDevice;
import io.pvnet.pci.format.LspciFormatter;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * This machine's own PCI devices, decoded by pvnet from sysfs (read only) and by {@code lspci -vvn}: the two agree.
 * Nothing is written: sysfs files are opened for reading only.
 */
class RealDevicesTest
{
    @Test
    void shouldDecodeEveryRealDeviceAsLspciDoes() throws Exception
    {
        Assumptions.assumeTrue(Files.isDirectory(SysfsScanner.DEFAULT_ROOT), "no /sys/bus/pci/devices here");
        Assumptions.assumeTrue(Lspci.binary() != null, "lspci (pciutils) is not installed");
        final List<PciDevice> devices = new SysfsScanner(SysfsScanner.DEFAULT_ROOT).scan();
        Assumptions.assumeFalse(devices.isEmpty(), "this machine shows no PCI devices");
        for (final PciDevice device : devices)
        {
            final String ours = LspciFormatter.format(new LspciFormatter.View(device.address(), device.snapshot(),
                device.resources(), device.irq(), device.driver()));
            final String theirs = Lspci.run("-vvn", "-s", device.address().toString());
            assertFalse(theirs.isBlank(), "lspci does not see " + device.address());
            final boolean pcie = theirs.contains("Express (") || theirs.contains("\tBus: ");
            Lspci.assertMatches(ours, theirs, !pcie);
        }
    }
}
