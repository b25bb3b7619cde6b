package io.pvnet.pci;

import io.pvnet.pci.device.BarSpec;
import io.pvnet.pci.device.EmulatedDeviceBuilder;

/** Emulated devices the tests share. */
public final class TestDevices
{
    private TestDevices()
    {
    }

    /** An Intel-like NIC: 32-bit BARs, an I/O BAR, a 64-bit prefetchable BAR, ROM, PM, MSI, MSI-X, PCIe, AER, DSN. */
    public static PciDevice nic(final PciAddress address)
    {
        return new EmulatedDeviceBuilder(address)
            .ids(0x8086, 0x10d3)
            .subsystem(0x8086, 0xa01f)
            .classCode(0x020000)
            .revision(0)
            .bar(0, BarSpec.mem32(128 * 1024, false))
            .bar(2, BarSpec.io(32))
            .bar(3, BarSpec.mem64(16 * 1024, true))
            .rom(64 * 1024)
            .powerManagement()
            .msi(4, true, true)
            .msix(5, 3, 0, 0x2000)
            .pcie(0)
            .extendedConfig(0x0123456789abcdefL)
            .build();
    }

    /** A conventional PCI device (no PCIe): 32-bit MSI, MSI-X in BAR 0, an I/O BAR, a 64-bit BAR above 4 GiB size. */
    public static PciDevice legacy(final PciAddress address)
    {
        return new EmulatedDeviceBuilder(address)
            .ids(0x1af4, 0x10f1)
            .subsystem(0x1af4, 0x0001)
            .classCode(0x018000)
            .revision(2)
            .bar(0, BarSpec.mem32(16 * 1024, false))
            .bar(1, BarSpec.io(256))
            .bar(2, BarSpec.mem64(8L << 30, true))
            .rom(2048)
            .powerManagement()
            .msi(1, false, false)
            .msix(8, 0, 0x1000, 0x3000)
            .build();
    }

    /** A PCI-to-PCI bridge (type 1 header) with one 32-bit BAR. */
    public static PciDevice bridge(final PciAddress address, final int secondary, final int subordinate)
    {
        return new EmulatedDeviceBuilder(address)
            .ids(0x8086, 0x244e)
            .classCode(0x060400)
            .bridge(address.bus(), secondary, subordinate)
            .bar(0, BarSpec.mem32(4096, false))
            .rom(2048)
            .powerManagement()
            .build();
    }

    /**
     * Writes {@code model} into a sysfs-like tree under {@code root} (a temp dir): {@code config} and {@code resource}.
     *
     * @return the device's directory.
     */
    public static java.nio.file.Path writeSysfs(final java.nio.file.Path root, final PciDevice model)
        throws java.io.IOException
    {
        final java.nio.file.Path dir = java.nio.file.Files.createDirectories(root.resolve(model.address().toString()));
        java.nio.file.Files.write(dir.resolve("config"), model.snapshot().toByteArray());
        final StringBuilder resource = new StringBuilder();
        for (int i = 0; i < 7; i++)
        {
            resource.append(model.resource(i).toSysfsLine()).append('\n');
        }
        java.nio.file.Files.writeString(dir.resolve("resource"), resource);
        return dir;
    }
}
