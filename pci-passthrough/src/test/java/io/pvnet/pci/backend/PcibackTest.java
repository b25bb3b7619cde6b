package io.pvnet.pci.backend;

import io.pvnet.pci.ConfigSpace;
import io.pvnet.pci.PciAddress;
import io.pvnet.pci.PciDevice;
import io.pvnet.pci.PciRegisters;
import io.pvnet.pci.SnapshotConfigAccess;
import io.pvnet.pci.TestDevices;
import io.pvnet.pci.spec.DomainConfigParser;
import io.pvnet.pci.spec.HideSpecParser;
import io.pvnet.pci.spec.PciAssignment;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.pvnet.pci.backend.VirtualConfigSpace.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PcibackTest
{
    private final List<String> warnings = new ArrayList<>();

    private static PciDevice real(final String address)
    {
        final PciDevice emulated = TestDevices.legacy(PciAddress.parse(address));
        return new PciDevice(emulated.address(), new SnapshotConfigAccess(emulated.snapshot()), emulated.resources(),
            "virtio-pci", PciDevice.Origin.SYSFS, "test");
    }

    private Pciback pciback(final PciDevice... devices)
    {
        return new Pciback(List.of(devices), (address, message) -> warnings.add(address + ": " + message));
    }

    private static List<PciAssignment> pci(final String list)
    {
        return DomainConfigParser.parse("pci = [ " + list + " ]").pci();
    }

    @Test
    void shouldPlaceDevicesOnVirtualBusZeroKeepingFunctionsTogether()
    {
        final Pciback pciback = pciback(TestDevices.nic(PciAddress.parse("03:05.0")),
            TestDevices.legacy(PciAddress.parse("02:1a.0")), TestDevices.legacy(PciAddress.parse("02:1a.1")));
        pciback.hide(HideSpecParser.parseXen("(03:05.0)(02:1a.*)"));
        final List<ExportedDevice> exported = pciback.attach(7, pci("'03:05.0', '02:1a.*'"));
        assertEquals(List.of("0000:00:00.0", "0000:00:01.0", "0000:00:01.1"),
            exported.stream().map(e -> e.virtualAddress().toString()).toList());
        assertEquals(exported.get(2), pciback.lookup(7, 0, 0, PciAddress.parse("00:01.1").devfn()));
        assertNull(pciback.lookup(8, 0, 0, 0), "another guest sees nothing");
    }

    @Test
    void shouldHonourRequestedVirtualSlots()
    {
        final Pciback pciback = pciback(TestDevices.nic(PciAddress.parse("03:00.0")),
            TestDevices.nic(PciAddress.parse("04:00.0")));
        pciback.hide(HideSpecParser.parseXen("(03:*.*)(04:*.*)"));
        pciback.attach(1, pci("'03:00.0@5'"));
        assertThrows(IllegalStateException.class, () -> pciback.attach(1, pci("'04:00.0@5'")));
        assertEquals("0000:00:00.0", pciback.attach(1, pci("'04:00.0'")).getFirst().virtualAddress().toString());
    }

    @Test
    void shouldAttachNothingWhenAnyEntryIsBad()
    {
        final PciDevice a = TestDevices.nic(PciAddress.parse("03:00.0"));
        final PciDevice b = TestDevices.nic(PciAddress.parse("04:00.0"));
        final Pciback pciback = pciback(a, b);
        pciback.hide(HideSpecParser.parseXen("(03:00.0)"));
        final long writesBefore = ((io.pvnet.pci.device.EmulatedFunction)a.config()).writes();
        assertThrows(IllegalStateException.class, () -> pciback.attach(1, pci("'03:00.0', '04:00.0'")),
            "04:00.0 is not hidden");
        assertThrows(IllegalArgumentException.class, () -> pciback.attach(1, pci("'03:00.0', '05:00.0'")),
            "05:00.0 does not exist");
        assertNull(pciback.exportedAs(a.address()));
        assertTrue(pciback.exportedTo(1).isEmpty());
        assertEquals(writesBefore, ((io.pvnet.pci.device.EmulatedFunction)a.config()).writes(), "a was not touched");
    }

    @Test
    void shouldSeizeOnlyEmulatedDevices()
    {
        final PciDevice emulated = TestDevices.nic(PciAddress.parse("03:00.0"));
        final PciDevice realDevice = real("00:03.0");
        final Pciback pciback = pciback(emulated, realDevice);
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> pciback.attach(1, pci("'00:03.0,seize=1'")));
        assertTrue(ex.getMessage().contains("never"), ex.getMessage());
        assertFalse(pciback.isHidden(realDevice.address()));
        assertEquals(1, pciback.attach(1, pci("'03:00.0,seize=1'")).size());
        assertTrue(pciback.isHidden(emulated.address()));
    }

    @Test
    void shouldHideDevicesBehindAHiddenBridge()
    {
        final Pciback pciback = pciback(TestDevices.bridge(PciAddress.parse("00:1e.0"), 1, 2),
            TestDevices.nic(PciAddress.parse("01:00.0")), TestDevices.nic(PciAddress.parse("02:03.0")),
            TestDevices.nic(PciAddress.parse("03:00.0")));
        final List<PciAddress> hidden = pciback.hide(HideSpecParser.parseXen("(00:1e.0)"));
        assertEquals(List.of(PciAddress.parse("00:1e.0"), PciAddress.parse("01:00.0"), PciAddress.parse("02:03.0")),
            hidden);
        assertFalse(pciback.isHidden(PciAddress.parse("03:00.0")));
    }

    @Test
    void shouldDetachAtRunTimeAndRestoreTheConfig()
    {
        final PciDevice device = TestDevices.nic(PciAddress.parse("03:00.0"));
        final ConfigSpace original = device.snapshot();
        final Pciback pciback = pciback(device);
        pciback.hide(HideSpecParser.parseXen("(03:00.0)"));
        final ExportedDevice exported = pciback.attach(4, pci("'03:00.0,permissive=1'")).getFirst();
        final VirtualConfigSpace guest = exported.config();
        guest.write(PciRegisters.COMMAND, 2, 0);
        guest.write(0x108, 4, 0x00003000); // permissive: reaches the emulated AER mask
        guest.write(PciRegisters.CACHE_LINE_SIZE, 1, 0x10);
        assertEquals(0x3000, device.config().read(0x108, 4));

        pciback.detach(device.address());
        final ConfigSpace after = device.snapshot();
        for (int i = 0; i < after.size(); i++)
        {
            assertEquals(original.readByte(i), after.readByte(i), "byte 0x" + Integer.toHexString(i));
        }
        assertNull(pciback.exportedAs(device.address()));
        assertTrue(pciback.isHidden(device.address()), "stays assignable");
        // and can be attached again, to another guest, without a restart
        assertEquals(9, pciback.attach(9, pci("'03:00.0'")).getFirst().domainId());
        assertThrows(IllegalStateException.class, () -> pciback.unhide(List.of(device.address())));
    }

    @Test
    void shouldAnswerOpsWithXenErrorCodes()
    {
        final PciDevice device = TestDevices.nic(PciAddress.parse("03:00.0"));
        final Pciback pciback = pciback(device);
        pciback.hide(HideSpecParser.parseXen("(03:00.0)"));
        pciback.attach(3, pci("'03:00.0'"));
        final PciOp op = new PciOp();

        assertEquals(XenPciError.SUCCESS, pciback.handle(3, op.clear().set(XenPciOp.CONF_READ, 0, 0, 0, 0, 4, 0)));
        assertEquals(0x10d38086, op.value());
        assertEquals(XenPciError.DEV_NOT_FOUND, pciback.handle(3, op.clear().set(XenPciOp.CONF_READ, 0, 0, 8, 0, 4, 0)));
        assertEquals(XenPciError.DEV_NOT_FOUND, pciback.handle(3, op.clear().set(XenPciOp.CONF_READ, 1, 0, 0, 0, 4, 0)));
        assertEquals(XenPciError.DEV_NOT_FOUND, pciback.handle(4, op.clear().set(XenPciOp.CONF_READ, 0, 0, 0, 0, 4, 0)));
        assertEquals(XenPciError.DEV_NOT_FOUND,
            pciback.handle(3, op.clear().set(XenPciOp.CONF_READ, -1, 999, 77777, 0, 4, 0)), "hostile fields");
        assertEquals(XenPciError.INVALID_OFFSET, pciback.handle(3, op.clear().set(XenPciOp.CONF_READ, 0, 0, 0, 2, 4, 0)));
        assertEquals(XenPciError.NOT_IMPLEMENTED, pciback.handle(3, op.clear().set(77, 0, 0, 0, 0, 4, 0)));
        assertEquals(XenPciError.NOT_IMPLEMENTED,
            pciback.handle(3, op.clear().set(XenPciOp.AER_DETECTED, 0, 0, 0, 0, 4, 0)));
    }

    @Test
    void shouldEnableMsiAndMsixThroughTheBackendOnly()
    {
        final PciDevice device = TestDevices.nic(PciAddress.parse("03:00.0"));
        final Pciback pciback = pciback(device);
        pciback.hide(HideSpecParser.parseXen("(03:00.0)"));
        final VirtualConfigSpace guest = pciback.attach(3, pci("'03:00.0'")).getFirst().config();
        final PciOp op = new PciOp();

        assertEquals(XenPciError.SUCCESS, pciback.handle(3, op.clear().set(XenPciOp.ENABLE_MSI, 0, 0, 0, 0, 0, 0)));
        assertTrue(op.value() > 0, "a pirq");
        assertTrue(guest.isMsiEnabled());
        assertEquals(XenPciError.OP_FAILED, pciback.handle(3, op.clear().set(XenPciOp.ENABLE_MSI, 0, 0, 0, 0, 0, 0)),
            "already enabled (-EALREADY inside)");
        assertEquals(0, op.value());
        assertEquals(XenPciError.ENXIO, pciback.handle(3, op.clear().set(XenPciOp.ENABLE_MSIX, 0, 0, 0, 0, 0, 1)),
            "MSI-X while MSI is on");
        assertEquals(XenPciError.SUCCESS, pciback.handle(3, op.clear().set(XenPciOp.DISABLE_MSI, 0, 0, 0, 0, 0, 0)));
        assertEquals(11, op.value(), "the INTx line again");

        op.clear().set(XenPciOp.ENABLE_MSIX, 0, 0, 0, 0, 0, 3).msixEntry(0, 0).msixEntry(1, 4).msixEntry(2, 2);
        assertEquals(XenPciError.SUCCESS, pciback.handle(3, op));
        assertTrue(guest.isMsixEnabled());
        assertTrue(op.msixVector(0) > 0 && op.msixVector(1) > op.msixVector(0) && op.msixVector(2) > op.msixVector(1));
        assertEquals(XenPciError.EALREADY, pciback.handle(3, op.clear().set(XenPciOp.ENABLE_MSIX, 0, 0, 0, 0, 0, 1)));
        pciback.handle(3, op.clear().set(XenPciOp.DISABLE_MSIX, 0, 0, 0, 0, 0, 0));
        assertFalse(guest.isMsixEnabled());
        assertEquals(XenPciError.EINVAL, pciback.handle(3, op.clear().set(XenPciOp.ENABLE_MSIX, 0, 0, 0, 0, 0, 129)));
        op.clear().set(XenPciOp.ENABLE_MSIX, 0, 0, 0, 0, 0, 1).msixEntry(0, 5);
        assertEquals(XenPciError.EINVAL, pciback.handle(3, op), "entry 5 of a 5-entry table");
        op.clear().set(XenPciOp.ENABLE_MSIX, 0, 0, 0, 0, 0, 2).msixEntry(0, 1).msixEntry(1, 1);
        assertEquals(XenPciError.EINVAL, pciback.handle(3, op), "duplicate entries");
    }

    @Test
    void shouldAnswerHostileOpsWithErrorCodesNeverExceptions()
    {
        final PciDevice device = TestDevices.nic(PciAddress.parse("03:00.0"));
        final PciDevice bridge = TestDevices.bridge(PciAddress.parse("00:1e.0"), 1, 1);
        final Pciback pciback = pciback(device, bridge, real("00:04.0"));
        pciback.hide(HideSpecParser.parseXen("(03:00.0)(00:1e.0)(00:04.0)"));
        pciback.attach(3, pci("'03:00.0', '00:1e.0', '00:04.0,permissive=1'"));
        pciback.allowInterruptControl(device.address(), true);
        final java.util.Random random = new java.util.Random(11);
        final java.util.Set<Integer> known = java.util.Set.of(XenPciError.SUCCESS, XenPciError.DEV_NOT_FOUND,
            XenPciError.INVALID_OFFSET, XenPciError.ACCESS_DENIED, XenPciError.NOT_IMPLEMENTED, XenPciError.OP_FAILED,
            XenPciError.ENXIO, XenPciError.EINVAL, XenPciError.EALREADY);
        final PciOp op = new PciOp();
        final int ops = Integer.getInteger("pvnet.pci.fuzzOps", 100_000);
        for (int i = 0; i < ops; i++)
        {
            op.clear().set(random.nextInt(12) - 1, random.nextInt(4) == 0 ? random.nextInt() : 0,
                random.nextInt(8) == 0 ? random.nextInt() : 0, random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(24),
                random.nextInt(8) == 0 ? random.nextInt() : random.nextInt(4100), random.nextInt(6), random.nextInt());
            for (int e = 0; e < 8; e++)
            {
                op.msixEntry(e, random.nextInt(16));
            }
            final int err = pciback.handle(3, op);
            assertTrue(known.contains(err), "op " + i + " err " + err);
            assertEquals(err, op.err());
        }
        assertEquals(ops, pciback.ops());
        assertTrue(pciback.opsUnknownDevice() > 0 && pciback.opsFailed() > pciback.opsUnknownDevice());
    }

    @Test
    void shouldPassQuirkRegistersThroughWithTheirMask()
    {
        final PciDevice device = TestDevices.legacy(PciAddress.parse("00:19.0"));
        final Pciback pciback = pciback(device);
        pciback.hide(HideSpecParser.parseXen("(00:19.0)"));
        // the MSI data register (0x50 on this device) has no xen-pciback field: a quirk lets the guest write it
        pciback.addQuirk(io.pvnet.pci.spec.Quirk.parse("00:19.0-50:2:0F"));
        assertThrows(IllegalArgumentException.class,
            () -> pciback.addQuirk(io.pvnet.pci.spec.Quirk.parse("00:19.0-100:4:FF")), "no extended space");
        final VirtualConfigSpace guest = pciback.attach(1, pci("'00:19.0'")).getFirst().config();
        assertEquals(PciRegisters.CAP_ID_MSI, device.config().read(0x48, 1));
        assertEquals(XenPciError.SUCCESS, guest.write(0x50, 2, 0xFFFF));
        assertEquals(0x000F, device.config().read(0x50, 2), "only the mask bits reach the hardware");
        assertEquals(0, guest.droppedWrites(), "a quirk is a field: no dropped-write warning");
        guest.write(0x4C, 4, 0xFEE00000);
        assertEquals(1, guest.droppedWrites(), "the MSI address has no quirk: dropped");
        assertEquals(0, device.config().read(0x4C, 4));
        pciback.permissive(device.address(), true);
        assertTrue(guest.isPermissive());
    }

    @Test
    void shouldRefuseMsiOnARealDeviceWithAWarning()
    {
        final PciDevice device = real("00:03.0");
        final Pciback pciback = pciback(device);
        pciback.hide(HideSpecParser.parseXen("(00:03.0)"));
        pciback.attach(3, pci("'00:03.0'"));
        final PciOp op = new PciOp();
        assertEquals(XenPciError.OP_FAILED, pciback.handle(3, op.clear().set(XenPciOp.ENABLE_MSI, 0, 0, 0, 0, 0, 0)));
        assertEquals(1, warnings.size());
        assertEquals(0, ((SnapshotConfigAccess)device.config()).refusedWrites(), "never even attempted");
        assertEquals(0x10f1, value(pciback.exportedAs(device.address()).config().read(PciRegisters.DEVICE_ID, 2)));
    }
}
