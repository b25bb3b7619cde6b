package io.pvnet.pci.backend;

import io.pvnet.pci.ConfigSpace;
import io.pvnet.pci.PciAddress;
import io.pvnet.pci.PciDevice;
import io.pvnet.pci.PciRegisters;
import io.pvnet.pci.SnapshotConfigAccess;
import io.pvnet.pci.TestDevices;
import io.pvnet.pci.device.EmulatedFunction;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.pvnet.pci.PciRegisters.*;
import static io.pvnet.pci.backend.VirtualConfigSpace.error;
import static io.pvnet.pci.backend.VirtualConfigSpace.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VirtualConfigSpaceTest
{
    private static final PciAddress ADDRESS = PciAddress.parse("00:03.0");
    private final List<String> warnings = new ArrayList<>();

    private VirtualConfigSpace space(final PciDevice device, final boolean permissive)
    {
        final VirtualConfigSpace space = new VirtualConfigSpace(device, permissive, false,
            (address, message) -> warnings.add(address + " " + message));
        space.init();
        return space;
    }

    /** The same device as a real one: a read-only snapshot. */
    private static PciDevice asReal(final PciDevice emulated)
    {
        return new PciDevice(emulated.address(), new SnapshotConfigAccess(emulated.snapshot()),
            emulated.resources(), "e1000e", PciDevice.Origin.SYSFS, "test");
    }

    @Test
    void shouldFilterCommandWritesWhenNotPermissive()
    {
        final PciDevice device = TestDevices.nic(ADDRESS);
        device.config().write(COMMAND, 2, 0); // a freshly seized, disabled device
        final VirtualConfigSpace space = space(device, false);

        assertEquals(XenPciError.SUCCESS, space.write(COMMAND, 2, 0xFFFF));
        final int hw = device.config().read(COMMAND, 2);
        // enable: decode for the BAR kinds present (memory and I/O); MASTER and MWI set by the backend
        assertEquals(COMMAND_IO | COMMAND_MEMORY | COMMAND_MASTER | COMMAND_INVALIDATE, hw);
        assertEquals(0, hw & (COMMAND_SERR | COMMAND_PARITY | COMMAND_INTX_DISABLE | COMMAND_SPECIAL |
            COMMAND_VGA_PALETTE | COMMAND_WAIT | COMMAND_FAST_BACK), "no other bit reaches the hardware");
        // guest reads GUEST bits from hardware, the rest from its shadow
        assertEquals((hw & CommandField.GUEST) | (0xFFFF & ~CommandField.GUEST), value(space.read(COMMAND, 2)));
        assertEquals(0xFFFF, space.commandShadow());

        assertEquals(XenPciError.SUCCESS, space.write(COMMAND, 2, 0));
        assertEquals(COMMAND_IO | COMMAND_MEMORY, device.config().read(COMMAND, 2),
            "disable clears bus mastering and MWI, keeps decode (pci_disable_device)");
        assertEquals(0, value(space.read(COMMAND, 2)));
        assertEquals(0, space.permissiveWrites());
    }

    @Test
    void shouldPassOnlyGuestBitsOfCommandWritesWhenPermissive()
    {
        final PciDevice device = TestDevices.nic(ADDRESS);
        device.config().write(COMMAND, 2, COMMAND_MEMORY | COMMAND_SERR);
        final VirtualConfigSpace space = space(device, true);

        assertEquals(XenPciError.SUCCESS, space.write(COMMAND, 2, COMMAND_MEMORY | COMMAND_MASTER | COMMAND_SPECIAL |
            COMMAND_WAIT | COMMAND_PARITY | COMMAND_INTX_DISABLE));
        // enabling the device turned on decode for its memory and I/O BARs; guest bits (SPECIAL, WAIT, MASTER) reach
        // hardware; non-guest bits keep the hardware's value (SERR stays, PARITY and INTX_DISABLE do not arrive)
        assertEquals(COMMAND_IO | COMMAND_MEMORY | COMMAND_SERR | COMMAND_MASTER | COMMAND_SPECIAL | COMMAND_WAIT,
            device.config().read(COMMAND, 2));
    }

    @Test
    void shouldSendIntxDisableToHardwareOnlyWithInterruptControl()
    {
        final PciDevice device = TestDevices.nic(ADDRESS);
        final VirtualConfigSpace space = space(device, false);
        space.write(COMMAND, 2, COMMAND_MEMORY | COMMAND_INTX_DISABLE);
        assertEquals(0, device.config().read(COMMAND, 2) & COMMAND_INTX_DISABLE);
        space.allowInterruptControl(true);
        space.write(COMMAND, 2, COMMAND_MEMORY);
        space.write(COMMAND, 2, COMMAND_MEMORY | COMMAND_INTX_DISABLE);
        assertTrue((device.config().read(COMMAND, 2) & COMMAND_INTX_DISABLE) != 0);
    }

    @Test
    void shouldDropWritesToReadOnlyFieldsSilentlyAndUnknownRegistersWithOneWarning()
    {
        final PciDevice device = TestDevices.nic(ADDRESS);
        final EmulatedFunction hw = (EmulatedFunction)device.config();
        final VirtualConfigSpace space = space(device, false);
        final long before = hw.writes();

        assertEquals(XenPciError.SUCCESS, space.write(VENDOR_ID, 2, 0x1234));
        assertEquals(XenPciError.SUCCESS, space.write(INTERRUPT_LINE, 1, 5));
        assertEquals(XenPciError.SUCCESS, space.write(LATENCY_TIMER, 1, 0x40));
        assertTrue(warnings.isEmpty(), "fields without a write handler drop silently");
        assertEquals(0x8086, value(space.read(VENDOR_ID, 2)));
        assertEquals(11, value(space.read(INTERRUPT_LINE, 1)));

        assertEquals(XenPciError.SUCCESS, space.write(STATUS, 2, 0xFFFF));
        assertEquals(XenPciError.SUCCESS, space.write(SUBSYSTEM_ID, 2, 0));
        assertEquals(XenPciError.SUCCESS, space.write(0x100 + 8, 4, 0)); // AER mask: extended, no field
        assertEquals(1, warnings.size(), "one warning per device: " + warnings);
        assertTrue(warnings.getFirst().contains("offset 0x6"), warnings.getFirst());
        assertEquals(3, space.droppedWrites());
        assertEquals(before, hw.writes(), "nothing reached the hardware");
        assertEquals(0xa01f, value(space.read(SUBSYSTEM_ID, 2)));
    }

    @Test
    void shouldPassUnknownRegisterWritesToAnEmulatedDeviceWhenPermissive()
    {
        final PciDevice device = TestDevices.nic(ADDRESS);
        final VirtualConfigSpace space = space(device, true);
        final int aerMask = 0x108;
        assertEquals(XenPciError.SUCCESS, space.write(aerMask, 4, 0x00001000));
        assertEquals(0x00001000, device.config().read(aerMask, 4));
        assertEquals(1, space.permissiveWrites());
        assertTrue(warnings.isEmpty());
        // fields keep filtering in permissive mode
        space.write(VENDOR_ID, 2, 0);
        assertEquals(0x8086, device.config().read(VENDOR_ID, 2));
    }

    @Test
    void shouldNeverWriteARealDeviceEvenWhenPermissive()
    {
        final PciDevice real = asReal(TestDevices.nic(ADDRESS));
        final ConfigSpace before = real.snapshot();
        final VirtualConfigSpace space = space(real, true);
        assertEquals(XenPciError.ACCESS_DENIED, space.write(0x108, 4, 0x1000));
        assertEquals(XenPciError.ACCESS_DENIED, space.write(CACHE_LINE_SIZE, 1, 0x10));
        space.write(COMMAND, 2, 0);
        space.write(0x10, 4, 0xFFFFFFFF);
        assertTrue(space.refusedRealDeviceWrites() >= 2);
        assertEquals(((SnapshotConfigAccess)real.config()).refusedWrites(), 0, "refused before reaching it");
        final ConfigSpace after = real.snapshot();
        for (int i = 0; i < 4096; i++)
        {
            assertEquals(before.readByte(i), after.readByte(i), "byte " + i);
        }
        // the guest still sizes the virtual BAR
        assertEquals(-(128 * 1024), value(space.read(0x10, 4)));
    }

    @Test
    void shouldRejectBadOffsetsAndSizes()
    {
        final VirtualConfigSpace space = space(TestDevices.legacy(ADDRESS), false);
        assertEquals(XenPciError.INVALID_OFFSET, error(space.read(1, 2)));
        assertEquals(XenPciError.INVALID_OFFSET, error(space.read(2, 4)));
        assertEquals(XenPciError.INVALID_OFFSET, error(space.read(0, 3)));
        assertEquals(XenPciError.INVALID_OFFSET, error(space.read(256, 4)), "no extended space on this device");
        assertEquals(XenPciError.INVALID_OFFSET, error(space.read(-4, 4)));
        assertEquals(0, value(space.read(-4, 4)));
        assertEquals(XenPciError.INVALID_OFFSET, space.write(3, 2, 0));
        assertEquals(XenPciError.SUCCESS, error(space.read(252, 4)));
    }

    @Test
    void shouldMergeFieldsByteByByte()
    {
        final PciDevice device = TestDevices.nic(ADDRESS);
        final VirtualConfigSpace space = space(device, false);
        space.write(COMMAND, 2, 0xFFFF);
        final int dword = value(space.read(COMMAND, 4));
        assertEquals(value(space.read(COMMAND, 2)), dword & 0xFFFF);
        assertEquals(device.config().read(STATUS, 2), dword >>> 16, "status comes from hardware");
        assertEquals(value(space.read(COMMAND, 2)) & 0xFF, value(space.read(COMMAND, 1)));
        assertEquals(value(space.read(COMMAND, 2)) >>> 8, value(space.read(COMMAND + 1, 1)));
        // a byte write is merged with the field's current (guest-visible) value, as xen-pciback does
        final int lowByte = value(space.read(COMMAND, 1));
        space.write(COMMAND + 1, 1, 0);
        assertEquals(lowByte, space.commandShadow() & 0xFF);
        assertEquals(0, space.commandShadow() >>> 8);
    }

    @Test
    void shouldRefuseMsiEnableByConfigWriteUnlessAllowed()
    {
        final PciDevice device = TestDevices.nic(ADDRESS);
        final VirtualConfigSpace space = space(device, false);
        final int msiFlags = space.msiOffset() + MSI_FLAGS;
        final int flags = value(space.read(msiFlags, 2));
        assertEquals(XenPciError.SUCCESS, space.write(msiFlags, 2, flags), "an unchanged value is accepted");
        assertEquals(XenPciError.ACCESS_DENIED, space.write(msiFlags, 2, flags | MSI_FLAGS_ENABLE));
        assertFalse(space.isMsiEnabled());

        space.allowInterruptControl(true);
        assertEquals(XenPciError.ACCESS_DENIED, space.write(msiFlags, 2, flags | MSI_FLAGS_QSIZE),
            "only the enable bit may change");
        final int msixFlags = space.msixOffset() + MSIX_FLAGS;
        assertEquals(XenPciError.SUCCESS, space.write(msixFlags, 2, value(space.read(msixFlags, 2)) |
            MSIX_FLAGS_ENABLE));
        assertTrue(space.isMsixEnabled());
        assertEquals(XenPciError.ACCESS_DENIED, space.write(msiFlags, 2, flags | MSI_FLAGS_ENABLE),
            "not while MSI-X is on");
        space.write(msixFlags, 2, value(space.read(msixFlags, 2)) & ~MSIX_FLAGS_ENABLE);
        assertEquals(XenPciError.SUCCESS, space.write(msiFlags, 2, flags | MSI_FLAGS_ENABLE));
        assertTrue(space.isMsiEnabled());
        // MSI address/data have no field: dropped
        final int address = space.msiOffset() + 4;
        space.write(address, 4, 0xFEE00000);
        assertEquals(0, device.config().read(address, 4));
    }

    @Test
    void shouldHidePmeSupportAndClearPmeEnableAtInit()
    {
        final PciDevice device = TestDevices.nic(ADDRESS);
        final int pm = 0x40;
        device.config().write(pm + PM_CTRL, 2, PM_CTRL_PME_ENABLE);
        final VirtualConfigSpace space = space(device, false);
        assertEquals(0, device.config().read(pm + PM_CTRL, 2) & PM_CTRL_PME_ENABLE, "cleared at attach");
        assertEquals(0xC803, device.config().read(pm + PM_PMC, 2));
        assertEquals(0x0003, value(space.read(pm + PM_PMC, 2)), "PME support bits read as 0");
        // D-state change through the backend
        assertEquals(XenPciError.SUCCESS, space.write(pm + PM_CTRL, 2, 3));
        assertEquals(3, device.config().read(pm + PM_CTRL, 2) & PM_CTRL_STATE_MASK);
        // PME_EN from the guest never reaches the hardware
        space.write(pm + PM_CTRL, 2, PM_CTRL_PME_ENABLE);
        assertEquals(0, device.config().read(pm + PM_CTRL, 2) & PM_CTRL_PME_ENABLE);
    }

    @Test
    void shouldAcceptBistStartOrUnchangedBitsOnly()
    {
        final PciDevice device = TestDevices.nic(ADDRESS);
        final VirtualConfigSpace space = space(device, false);
        final EmulatedFunction hw = (EmulatedFunction)device.config();
        final long before = hw.writes();
        space.write(BIST, 1, 0x0F);
        assertEquals(before, hw.writes(), "changes non-START bits: dropped");
        space.write(BIST, 1, BIST_START);
        assertEquals(before + 1, hw.writes(), "exactly START: written");
    }
}
