package io.pvnet.pci;

import io.pvnet.pci.backend.Pciback;
import io.pvnet.pci.backend.VirtualConfigSpace;
import io.pvnet.pci.backend.WarningSink;
import io.pvnet.pci.backend.XenPciError;
import io.pvnet.pci.device.BarSpec;
import io.pvnet.pci.device.EmulatedDeviceBuilder;
import io.pvnet.pci.spec.HideSpecParser;
import io.pvnet.pci.spec.PciAssignment;
import io.pvnet.pci.spec.PciSelector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BarSizingTest
{
    private static final PciAddress ADDRESS = PciAddress.parse("00:04.0");

    static Stream<BarSpec> everyKind()
    {
        return Stream.of(
            BarSpec.io(4), BarSpec.io(32), BarSpec.io(256),
            BarSpec.mem32(16, false), BarSpec.mem32(4096, false), BarSpec.mem32(1 << 20, true),
            BarSpec.mem32(1L << 31, false),
            BarSpec.mem64(16, false), BarSpec.mem64(512 * 1024, false), BarSpec.mem64(1L << 32, true),
            BarSpec.mem64(64L << 30, true));
    }

    private static VirtualConfigSpace export(final PciDevice device)
    {
        final Pciback pciback = new Pciback(List.of(device), WarningSink.STDERR);
        pciback.hide(HideSpecParser.parseXen("(" + device.address() + ")"));
        return pciback.attach(1, List.of(new PciAssignment(PciSelector.of(device.address()), -1, false, false, false,
            false, "strict"))).getFirst().config();
    }

    @ParameterizedTest
    @MethodSource("everyKind")
    void shouldSizeEveryBarKindOnTheEmulatedHardwareAndInTheGuestView(final BarSpec spec)
    {
        final PciDevice device = new EmulatedDeviceBuilder(ADDRESS).bar(2, spec).build();
        final boolean is64 = spec.kind() == BarSpec.Kind.MEM64;
        final ConfigSpace before = device.snapshot();

        assertEquals(spec.sizeBytes(), BarDecoder.probe(device.config(), 0x18, is64, false), "hardware");
        assertEquals(before.readDword(0x18), device.config().read(0x18, 4), "probe restores the BAR");

        final VirtualConfigSpace guest = export(device);
        final ConfigSpace hardwareBefore = device.snapshot();
        assertEquals(spec.sizeBytes(), BarDecoder.probe(guest.guestAccess(), 0x18, is64, false), "guest view");
        assertEquals(hardwareBefore.readDword(0x18), device.config().read(0x18, 4), "guest sizing never reaches hw");
        assertEquals(hardwareBefore.readDword(0x1C), device.config().read(0x1C, 4));

        final List<Bar> bars = BarDecoder.decode(guest.guestSnapshot(), device.resources());
        assertEquals(1, bars.size());
        final Bar bar = bars.getFirst();
        assertEquals(2, bar.index());
        assertEquals(spec.kind() == BarSpec.Kind.IO ? Bar.Kind.IO :
            is64 ? Bar.Kind.MEMORY64 : Bar.Kind.MEMORY32, bar.kind());
        assertEquals(spec.prefetchable(), bar.prefetchable());
        assertEquals(device.resource(2).start(), bar.address());
        assertEquals(0, bar.address() % spec.sizeBytes(), "naturally aligned");
    }

    @Test
    void shouldSizeTheExpansionRomAndKeepItsEnableBit()
    {
        final PciDevice device = new EmulatedDeviceBuilder(ADDRESS).rom(64 * 1024).build();
        assertEquals(64 * 1024, BarDecoder.probe(device.config(), PciRegisters.ROM_ADDRESS, false, true));
        final VirtualConfigSpace guest = export(device);
        assertEquals(64 * 1024, BarDecoder.probe(guest.guestAccess(), PciRegisters.ROM_ADDRESS, false, true));
        // a sizing write with the enable bit set also counts (mask 0x7FF)
        assertEquals(XenPciError.SUCCESS, guest.write(PciRegisters.ROM_ADDRESS, 4, 0xFFFFFFFF));
        assertEquals(-(64 * 1024), VirtualConfigSpace.value(guest.read(PciRegisters.ROM_ADDRESS, 4)));
    }

    @Test
    void shouldReadUnimplementedBarsAsZeroInBothStates()
    {
        final PciDevice device = new EmulatedDeviceBuilder(ADDRESS).bar(0, BarSpec.mem32(4096, false)).build();
        assertEquals(0, BarDecoder.probe(device.config(), 0x14, false, false));
        final VirtualConfigSpace guest = export(device);
        assertEquals(0, BarDecoder.probe(guest.guestAccess(), 0x14, false, false));
        assertEquals(0, BarDecoder.probe(guest.guestAccess(), PciRegisters.ROM_ADDRESS, false, true));
    }

    @Test
    void shouldSizeBridgeBarsAndBridgeRom()
    {
        final PciDevice bridge = TestDevices.bridge(PciAddress.parse("00:1e.0"), 1, 3);
        assertEquals(4096, BarDecoder.probe(bridge.config(), 0x10, false, false));
        assertEquals(2048, BarDecoder.probe(bridge.config(), PciRegisters.ROM_ADDRESS1, false, true));
        final VirtualConfigSpace guest = export(bridge);
        assertEquals(4096, BarDecoder.probe(guest.guestAccess(), 0x10, false, false));
        assertEquals(2048, BarDecoder.probe(guest.guestAccess(), PciRegisters.ROM_ADDRESS1, false, true));
        // bus numbers are not fields: a guest write is dropped
        assertEquals(XenPciError.SUCCESS, guest.write(PciRegisters.SECONDARY_BUS, 1, 0x42));
        assertEquals(1, VirtualConfigSpace.value(guest.read(PciRegisters.SECONDARY_BUS, 1)));
    }

    @Test
    void shouldNeverLetTheGuestMoveABar()
    {
        final PciDevice device = TestDevices.nic(ADDRESS);
        final VirtualConfigSpace guest = export(device);
        final int original = device.config().read(0x10, 4);
        assertEquals(XenPciError.SUCCESS, guest.write(0x10, 4, 0x12345000));
        assertEquals(original, device.config().read(0x10, 4), "hardware BAR unchanged");
        assertEquals(original, VirtualConfigSpace.value(guest.read(0x10, 4)), "guest still sees the real BAR");
    }

    @Test
    void shouldRestoreTheBarValueWhenTheGuestWritesItBackAfterAHardwareChange()
    {
        final PciDevice device = TestDevices.nic(ADDRESS);
        final VirtualConfigSpace guest = export(device);
        final int original = device.config().read(0x10, 4);
        device.config().write(0x10, 4, 0); // e.g. the device lost its BAR in a reset
        assertEquals(XenPciError.SUCCESS, guest.write(0x10, 4, original));
        assertEquals(original, device.config().read(0x10, 4));
    }

    @Test
    void shouldRequireThirtyTwoBitAccessesToEnterSizing()
    {
        final PciDevice device = TestDevices.nic(ADDRESS);
        final VirtualConfigSpace guest = export(device);
        final int original = VirtualConfigSpace.value(guest.read(0x10, 4));
        for (int i = 0; i < 4; i++)
        {
            guest.write(0x10 + i, 1, 0xFF);
        }
        assertEquals(original, VirtualConfigSpace.value(guest.read(0x10, 4)), "byte writes never size");
        guest.write(0x10, 4, 0xFFFFFFFF);
        assertEquals(-(128 * 1024), VirtualConfigSpace.value(guest.read(0x10, 4)));
        assertEquals(0xFFFE, VirtualConfigSpace.value(guest.read(0x12, 2)), "partial reads of the sizing value");
    }

    @Test
    void shouldAnswerTheUpperHalfOfA64BitBarFromTheResource()
    {
        final PciDevice device = TestDevices.legacy(ADDRESS);
        final VirtualConfigSpace guest = export(device);
        final long start = device.resource(2).start();
        assertTrue(start >>> 32 != 0);
        assertEquals((int)(start >>> 32), VirtualConfigSpace.value(guest.read(0x1C, 4)));
        guest.write(0x18, 4, 0xFFFFFFFF);
        guest.write(0x1C, 4, 0xFFFFFFFF);
        assertEquals((int)(-(8L << 30) >>> 32), VirtualConfigSpace.value(guest.read(0x1C, 4)));
        assertEquals((int)(-(8L << 30)) | 0xC, VirtualConfigSpace.value(guest.read(0x18, 4)));
    }

    @Test
    void shouldMatchAReferenceForRandomSizes()
    {
        final Random random = new Random(42);
        for (int n = 0; n < 200; n++)
        {
            final int kind = random.nextInt(3);
            final BarSpec spec = switch (kind)
            {
                case 0 -> BarSpec.io(1L << (2 + random.nextInt(7)));
                case 1 -> BarSpec.mem32(1L << (4 + random.nextInt(28)), random.nextBoolean());
                default -> BarSpec.mem64(1L << (4 + random.nextInt(40)), random.nextBoolean());
            };
            final PciDevice device = new EmulatedDeviceBuilder(ADDRESS).bar(0, spec).build();
            final long size = BarDecoder.probe(device.config(), 0x10, kind == 2, false);
            assertEquals(spec.sizeBytes(), size, spec.toString());
            // reference: lowest set address bit of the read-back value
            final long rb = kind == 2 ? -spec.sizeBytes() : (-spec.sizeBytes()) & 0xFFFFFFFFL;
            assertEquals(Long.lowestOneBit(rb & (kind == 0 ? ~0x3L : ~0xFL)), spec.sizeBytes());
        }
        assertEquals(0, BarDecoder.sizeFromReadback32(0), "0 read back: unimplemented");
    }
}
