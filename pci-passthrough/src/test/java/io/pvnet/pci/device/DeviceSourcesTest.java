package io.pvnet.pci.device;

import io.pvnet.pci.Bar;
import io.pvnet.pci.ConfigSpace;
import io.pvnet.pci.PciAddress;
import io.pvnet.pci.PciDevice;
import io.pvnet.pci.PciRegisters;
import io.pvnet.pci.Resource;
import io.pvnet.pci.TestDevices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading devices: sysfs trees (read only), lspci dumps, emulated device files. */
class DeviceSourcesTest
{
    @TempDir
    Path dir;

    /** The first 64 bytes of 00:03.0 on the dev VM (virtio-net), as lspci -x printed them. */
    private static final String VIRTIO_NET_X = """
        00:03.0 Ethernet controller: Red Hat, Inc. Virtio 1.0 network device (rev 01)
        00: f4 1a 41 10 06 04 10 00 01 00 00 02 00 00 00 00
        10: 04 00 10 00 40 00 00 00 00 00 00 00 00 00 00 00
        20: 00 00 00 00 00 00 00 00 00 00 00 00 f4 1a 41 10
        30: 00 00 00 00 40 00 00 00 00 00 00 00 00 00 00 00

        """;

    @Test
    void shouldReadAnLspciDumpLikePciutilsDoes()
    {
        final List<LspciDump.Entry> entries = LspciDump.parse(VIRTIO_NET_X + """
            0001:02:1f.7 anything at all
            \tControl: I/O- Mem+ (decode lines are ignored)
            0: 86 80
            00000040: aa bb
            """);
        assertEquals(2, entries.size());
        final ConfigSpace net = entries.get(0).config();
        assertEquals(0x1af4, net.vendorId());
        assertEquals(64, net.readableLength());
        assertEquals(0x020000, net.classCode());
        assertEquals(0xFF, net.readByte(0x40), "past the dump reads as all ones");
        final Bar bar0 = net.headerLayout() == 0 ? BarDecoderView.first(net) : null;
        assertEquals(0x40_0010_0000L, bar0.address());
        assertEquals(PciAddress.parse("0001:02:1f.7"), entries.get(1).address());
        assertEquals(0xbbaa, entries.get(1).config().readWord(0x40));
    }

    @Test
    void shouldRejectMalformedDumpsWithTheLine()
    {
        final IllegalArgumentException malformed = assertThrows(IllegalArgumentException.class,
            () -> LspciDump.parse("00:03.0 x\n00: f4 1a 4\n"));
        assertTrue(malformed.getMessage().contains("line 2"), malformed.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LspciDump.parse("00:03.0 x\nff0: " + "00 ".repeat(16) +
            "00\n"), "offset beyond 4096");
        assertThrows(IllegalArgumentException.class, () -> LspciDump.parse("00:03.0 x\n00: f4 1a\n"),
            "shorter than the header");
        assertTrue(LspciDump.parse("00:03.0\n00: f4 1a\n").isEmpty(), "no space after the address: not a device line");
    }

    @Test
    void shouldWriteWhatItReads()
    {
        final PciDevice nic = TestDevices.nic(PciAddress.parse("0002:03:04.5"));
        final String text = LspciDump.write(nic.address(), "desc", nic.snapshot(), 4096);
        assertTrue(text.contains("\n100: "), "offsets past 0xff print with three digits");
        final LspciDump.Entry back = LspciDump.parse(text).getFirst();
        assertEquals(nic.address(), back.address());
        assertEquals(4096, back.config().readableLength());
        assertEquals(0x0123456789abcdefL & 0xFFFFFFFFL, back.config().readDword(0x14C) & 0xFFFFFFFFL);
    }

    @Test
    void shouldScanAFakeSysfsTreeReadOnly() throws Exception
    {
        final PciDevice model = TestDevices.legacy(PciAddress.parse("0000:00:07.0"));
        final Path device = TestDevices.writeSysfs(dir, model);
        Files.writeString(device.resolve("irq"), "23\n");
        Files.createDirectories(dir.resolve("drivers/virtio-pci"));
        Files.createSymbolicLink(device.resolve("driver"), dir.resolve("drivers/virtio-pci"));
        Files.createDirectories(dir.resolve("not-a-device"));
        final Path shortConfig = Files.createDirectories(dir.resolve("0000:00:08.0"));
        Files.write(shortConfig.resolve("config"), new byte[64]);
        final byte[] before = Files.readAllBytes(device.resolve("config"));
        device.resolve("config").toFile().setWritable(false);

        final List<PciDevice> devices = new SysfsScanner(dir).scan();
        assertEquals(List.of(PciAddress.parse("00:07.0"), PciAddress.parse("00:08.0")),
            devices.stream().map(PciDevice::address).toList());
        final PciDevice scanned = devices.getFirst();
        assertEquals("virtio-pci", scanned.driver());
        assertEquals(23, scanned.irq());
        assertFalse(scanned.config().isWritable());
        assertEquals(PciDevice.Origin.SYSFS, scanned.origin());
        assertEquals(model.bars(), scanned.bars());
        assertEquals(8L << 30, scanned.resource(2).size());
        assertTrue(scanned.resource(2).isMem64() && scanned.resource(2).isPrefetchable());
        assertEquals(64, devices.get(1).snapshot().readableLength(), "an unprivileged reader's 64 bytes");
        assertEquals(-1, scanned.config().write(PciRegisters.COMMAND, 2, 0), "writes refused");
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(device.resolve("config"))));
        assertNull(new SysfsScanner(dir).find(PciAddress.parse("00:09.0")));
        assertThrows(java.io.UncheckedIOException.class, () -> new SysfsScanner(dir.resolve("missing")).scan());
    }

    @Test
    void shouldParseSysfsResourceLines()
    {
        final Resource r = Resource.parse("0x0000004000100000 0x000000400017ffff 0x0000000000140204");
        assertEquals(512 * 1024, r.size());
        assertTrue(r.isMemory() && r.isMem64() && !r.isPrefetchable() && !r.isIo());
        assertEquals(0, Resource.parse("0x0000000000000000 0x0000000000000000 0x0000000000000000").size());
        assertThrows(IllegalArgumentException.class, () -> Resource.parse("0x10 0x20"));
        assertThrows(IllegalArgumentException.class, () -> Resource.parse("0x10 0x20 zz"));
    }

    @Test
    void shouldDefineEmulatedDevicesFromAFile()
    {
        final List<PciDevice> devices = EmulatedDeviceFile.parse("""
            # two devices
            device 0000:00:07.0
            ids 8086:10d3
            subsystem 8086:a01f
            class 020000
            bar 0 mem32 128K
            bar 2 io 32
            bar 4 mem64 16K prefetch
            rom 64K
            pm
            msi 4 64bit maskable
            msix 5 bar 4 table 0 pba 2000
            pcie endpoint
            extended 0123456789abcdef

            device 00:1e.0
            bridge 00 01 02
            class 060400
            """);
        assertEquals(2, devices.size());
        final PciDevice nic = devices.getFirst();
        assertEquals(0x8086, nic.snapshot().vendorId());
        assertEquals(4, nic.bars().size());
        assertEquals(Bar.Kind.MEMORY64, nic.bars().get(2).kind());
        assertEquals(4096, nic.snapshot().size());
        assertEquals(PciRegisters.HEADER_TYPE_BRIDGE, devices.get(1).snapshot().headerLayout());

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> EmulatedDeviceFile.parse("device 00:07.0\nbar 0 mem32 100\n"));
        assertTrue(ex.getMessage().contains("line 2") && ex.getMessage().contains("power of two"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EmulatedDeviceFile.parse("ids 8086:10d3\n"));
        assertThrows(IllegalArgumentException.class, () -> EmulatedDeviceFile.parse("device 00:07.0\nfrobnicate\n"));
        assertThrows(IllegalArgumentException.class,
            () -> EmulatedDeviceFile.parse("device 00:07.0\nbar 5 mem64 16K\n"), "64-bit BAR in the last slot");
    }

    /** Tiny helper so the dump test reads naturally. */
    private static final class BarDecoderView
    {
        static Bar first(final ConfigSpace config)
        {
            return io.pvnet.pci.BarDecoder.decode(config, null).getFirst();
        }
    }
}
