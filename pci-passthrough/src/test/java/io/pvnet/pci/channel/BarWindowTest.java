package io.pvnet.pci.channel;

import io.pvnet.pci.Bar;
import io.pvnet.pci.PciAddress;
import io.pvnet.pci.PciDevice;
import io.pvnet.pci.TestDevices;
import io.pvnet.pci.backend.ExportedDevice;
import io.pvnet.pci.backend.Pciback;
import io.pvnet.pci.backend.WarningSink;
import io.pvnet.pci.device.SysfsScanner;
import io.pvnet.pci.spec.DomainConfigParser;
import io.pvnet.pci.spec.HideSpecParser;
import io.pvnet.ring.region.Region;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BarWindowTest
{
    private final Region region = Region.createAnonymous(4 << 20);

    @TempDir
    Path sysfs;

    @AfterEach
    void close()
    {
        region.close();
    }

    private static ExportedDevice export(final Pciback pciback, final PciDevice device, final int domid)
    {
        pciback.hide(HideSpecParser.parseXen("(" + device.address() + ")"));
        return pciback.attach(domid, DomainConfigParser.parse("pci = ['" + device.address() + "']").pci())
            .getFirst();
    }

    @Test
    void shouldBackEmulatedBarsWithRegionMemoryAndProtectTheMsixTable()
    {
        final PciSection section = PciSection.allocate(region, 3, 8, 1 << 20);
        final PciDevice device = TestDevices.nic(PciAddress.parse("03:00.0"));
        final ExportedDevice exported = export(new Pciback(List.of(device), WarningSink.STDERR), device, 3);
        final List<String> reasons = new ArrayList<>();
        final List<BarWindow> windows = section.exportBars(exported, null, reasons);
        assertTrue(reasons.isEmpty(), reasons.toString());
        assertEquals(List.of(0, 2, 3), windows.stream().map(BarWindow::barIndex).toList());
        assertEquals(128 * 1024, windows.get(0).lengthBytes());
        assertTrue((windows.get(1).flags() & PciSectionDescriptor.FLAG_IO) != 0);

        final BarWindow bar3 = windows.get(2);
        assertTrue((bar3.flags() & PciSectionDescriptor.FLAG_MEM64) != 0);
        assertEquals(BarWindow.WRITE_PROTECTED, bar3.putInt(0, 1), "MSI-X table (5 entries at 0)");
        assertEquals(BarWindow.WRITE_PROTECTED, bar3.putInt(0x2000, 1), "PBA at 0x2000");
        assertEquals(BarWindow.OK, bar3.putInt(0x1000, 0xCAFE));
        assertEquals(0xCAFE, bar3.getInt(0x1000, -1));
        assertEquals(BarWindow.OUT_OF_BOUNDS, bar3.putInt(16 * 1024, 1));
        assertEquals(BarWindow.OUT_OF_BOUNDS, bar3.putInt(2, 1));
        assertEquals(-1, bar3.getInt(-4, -1));
        assertEquals(5, bar3.refusedAccesses());

        // the window is region memory: another view of the section (another process) sees the write
        final PciSection other = PciSection.find(region, 3);
        final PciSection.WindowEntry entry = other.windows().get(2);
        assertEquals(exported.virtualAddress(), entry.virtualAddress());
        assertEquals(0xCAFE, other.buffer().getInt((int)entry.dataOffset() + 0x1000));

        // detach frees the windows and zeroes their memory; the next device reuses it
        assertEquals(3, section.removeWindows(exported.virtualAddress()));
        assertTrue(section.windows().isEmpty());
        final int free = section.windowDataFree();
        final BarWindow again = section.addWindow(exported.virtualAddress(), 3, 0, 16 * 1024);
        assertEquals(free, section.windowDataFree(), "a freed window of the same size was reused");
        assertEquals(0, again.getInt(0x1000, -1));
    }

    @Test
    void shouldSayWhyABarGetsNoWindow()
    {
        final PciSection small = PciSection.allocate(region, 4, 8, 64 * 1024);
        final PciDevice device = TestDevices.legacy(PciAddress.parse("05:00.0"));
        final ExportedDevice exported = export(new Pciback(List.of(device), WarningSink.STDERR), device, 4);
        final List<String> reasons = new ArrayList<>();
        final List<BarWindow> windows = small.exportBars(exported, null, reasons);
        assertEquals(List.of(0, 1), windows.stream().map(BarWindow::barIndex).toList());
        assertEquals(1, reasons.size());
        assertTrue(reasons.getFirst().contains("BAR2") && reasons.getFirst().contains("do not fit"), reasons.toString());
    }

    /** A sysfs-like tree in a temp dir: config, resource and a resource0 file standing in for a BAR. */
    private PciDevice fakeRealDevice(final boolean withResource0) throws Exception
    {
        final Path dir = TestDevices.writeSysfs(sysfs, TestDevices.legacy(PciAddress.parse("0000:00:09.0")));
        if (withResource0)
        {
            final byte[] bar = new byte[16 * 1024];
            bar[0x100] = 0x42;
            Files.write(dir.resolve("resource0"), bar);
        }
        final PciDevice real = new SysfsScanner(sysfs).find(PciAddress.parse("0000:00:09.0"));
        assertFalse(real.isEmulated());
        return real;
    }

    @Test
    void shouldMapARealBarOnlyWhenTheUserNamedTheDevice() throws Exception
    {
        final PciDevice real = fakeRealDevice(true);
        final Bar bar0 = real.bars().getFirst();
        try (Arena arena = Arena.ofConfined())
        {
            final RealBarMapper.Result refused = new RealBarMapper(sysfs, RealBarMapper.Policy.NONE, arena)
                .map(real, bar0);
            assertFalse(refused.isMapped());
            assertTrue(refused.reason().contains("--map-bar 0000:00:09.0"), refused.reason());

            final RealBarMapper mapper = new RealBarMapper(sysfs,
                new RealBarMapper.Policy(Set.of(real.address()), Set.of()), arena);
            final RealBarMapper.Result mapped = mapper.map(real, bar0);
            assertTrue(mapped.isMapped(), mapped.reason());
            assertFalse(mapped.writable());
            assertEquals(16 * 1024, mapped.segment().byteSize());
            assertEquals(0x42, mapped.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0x100));

            final RealBarMapper.Result io = mapper.map(real, real.bars().get(1));
            assertTrue(io.reason().contains("I/O BAR"), io.reason());
            final RealBarMapper.Result missing = mapper.map(real, real.bars().get(2));
            assertTrue(missing.reason().contains("resource2"), missing.reason());

            final PciSection section = PciSection.allocate(region, 6, 8, 64 * 1024);
            final Pciback pciback = new Pciback(List.of(real), WarningSink.STDERR);
            final ExportedDevice exported = export(pciback, real, 6);
            final List<String> reasons = new ArrayList<>();
            final List<BarWindow> windows = section.exportBars(exported, mapper, reasons);
            assertEquals(1, windows.size());
            final BarWindow window = windows.getFirst();
            assertTrue(window.isExternal() && window.isReadOnly());
            assertEquals(0x42, window.getInt(0x100, -1) & 0xFF);
            assertEquals(BarWindow.WRITE_PROTECTED, window.putInt(0x200, 7), "read-only mapping");
            assertEquals(2, reasons.size(), reasons.toString());
            assertEquals(PciSectionDescriptor.FLAG_EXTERNAL | PciSectionDescriptor.FLAG_READ_ONLY,
                section.windows().getFirst().flags() & (PciSectionDescriptor.FLAG_EXTERNAL |
                PciSectionDescriptor.FLAG_READ_ONLY));
        }
    }

    @Test
    void shouldMapWritableOnlyWithTheWritableFlag() throws Exception
    {
        final PciDevice real = fakeRealDevice(true);
        try (Arena arena = Arena.ofConfined())
        {
            final RealBarMapper mapper = new RealBarMapper(sysfs,
                new RealBarMapper.Policy(Set.of(real.address()), Set.of(real.address())), arena);
            final RealBarMapper.Result mapped = mapper.map(real, real.bars().getFirst());
            assertTrue(mapped.writable());
            mapped.segment().set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0x10, (byte)9);
        }
        assertEquals(9, Files.readAllBytes(sysfs.resolve("0000:00:09.0").resolve("resource0"))[0x10]);
    }

    @Test
    void shouldNeverMapThisMachinesRealDevicesWithoutAFlag()
    {
        if (!Files.isDirectory(SysfsScanner.DEFAULT_ROOT))
        {
            return;
        }
        try (Arena arena = Arena.ofConfined())
        {
            final RealBarMapper mapper = new RealBarMapper(SysfsScanner.DEFAULT_ROOT, RealBarMapper.Policy.NONE, arena);
            for (final PciDevice device : new SysfsScanner(SysfsScanner.DEFAULT_ROOT).scan())
            {
                for (final Bar bar : device.bars())
                {
                    final RealBarMapper.Result result = mapper.map(device, bar);
                    assertFalse(result.isMapped());
                    assertNull(result.segment());
                }
            }
        }
    }
}
