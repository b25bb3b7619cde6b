package io.pvnet.pci.backend;

import static io.pvnet.pci.PciRegisters.COMMAND;
import static io.pvnet.pci.PciRegisters.COMMAND_FAST_BACK;
import static io.pvnet.pci.PciRegisters.COMMAND_INTX_DISABLE;
import static io.pvnet.pci.PciRegisters.COMMAND_INVALIDATE;
import static io.pvnet.pci.PciRegisters.COMMAND_IO;
import static io.pvnet.pci.PciRegisters.COMMAND_MASTER;
import static io.pvnet.pci.PciRegisters.COMMAND_MEMORY;
import static io.pvnet.pci.PciRegisters.COMMAND_SPECIAL;
import static io.pvnet.pci.PciRegisters.COMMAND_VGA_PALETTE;
import static io.pvnet.pci.PciRegisters.COMMAND_WAIT;

/**
 * The command register, virtualized as xen-pciback does since XSA-120 (CVE-2015-2150):
 * <ul>
 * <li>read: the {@link #GUEST} bits from hardware, the rest from a shadow of what the guest wrote;</li>
 * <li>write: I/O or memory decode turned on enables the device (the backend sets decode for the BAR kinds it has),
 * both off disables it; MASTER and MWI changes set or clear them in hardware; INTx-disable reaches the hardware only
 * with {@code allowInterruptControl}; the shadow takes the value; only in permissive mode is
 * {@code (value & GUEST) | (hw & ~GUEST)} written to the hardware.</li>
 * </ul>
 */
final class CommandField extends ConfigField
{
    /** The bits a guest may control: MASTER|SPECIAL|MWI|VGA_SNOOP|WAIT|FAST_B2B = 0x02BC. */
    static final int GUEST = COMMAND_MASTER | COMMAND_SPECIAL | COMMAND_INVALIDATE | COMMAND_VGA_PALETTE |
        COMMAND_WAIT | COMMAND_FAST_BACK;

    private int shadow;

    CommandField()
    {
        super(COMMAND, 2);
    }

    @Override
    void init(final VirtualConfigSpace space)
    {
        shadow = space.hardwareRead(COMMAND, 2);
    }

    @Override
    void reset(final VirtualConfigSpace space)
    {
        init(space);
    }

    @Override
    int read(final VirtualConfigSpace space)
    {
        return (space.hardwareRead(COMMAND, 2) & GUEST) | (shadow & ~GUEST & 0xFFFF);
    }

    @Override
    int write(final VirtualConfigSpace space, final int value)
    {
        final boolean wantsDecode = (value & (COMMAND_IO | COMMAND_MEMORY)) != 0;
        if (!space.isEnabled() && wantsDecode)
        {
            space.enableDevice();
        }
        else if (space.isEnabled() && !wantsDecode)
        {
            space.disableDevice();
        }
        final int hw = space.hardwareRead(COMMAND, 2);
        if ((hw & COMMAND_MASTER) == 0 && (value & COMMAND_MASTER) != 0)
        {
            space.setHardwareCommandBits(COMMAND_MASTER, true);
        }
        else if ((hw & COMMAND_MASTER) != 0 && (value & COMMAND_MASTER) == 0)
        {
            space.setHardwareCommandBits(COMMAND_MASTER, false);
        }
        int accepted = value & 0xFFFF;
        if ((shadow & COMMAND_INVALIDATE) == 0 && (value & COMMAND_INVALIDATE) != 0)
        {
            if (!space.setHardwareCommandBits(COMMAND_INVALIDATE, true))
            {
                accepted &= ~COMMAND_INVALIDATE;
            }
        }
        else if ((shadow & COMMAND_INVALIDATE) != 0 && (value & COMMAND_INVALIDATE) == 0)
        {
            space.setHardwareCommandBits(COMMAND_INVALIDATE, false);
        }
        if (space.allowsInterruptControl() && ((shadow ^ value) & COMMAND_INTX_DISABLE) != 0)
        {
            space.setHardwareCommandBits(COMMAND_INTX_DISABLE, (value & COMMAND_INTX_DISABLE) != 0);
        }
        shadow = accepted;
        if (!space.isPermissive())
        {
            return XenPciError.SUCCESS;
        }
        final int current = space.hardwareRead(COMMAND, 2);
        if (current == accepted)
        {
            return XenPciError.SUCCESS;
        }
        return space.hardwareWrite(COMMAND, 2, (accepted & GUEST) | (current & ~GUEST & 0xFFFF));
    }

    /** The shadow the guest wrote (tests and {@code pci show --virtual}). */
    int shadow()
    {
        return shadow;
    }
}
