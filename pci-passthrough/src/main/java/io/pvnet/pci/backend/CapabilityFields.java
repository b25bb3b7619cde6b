package io.pvnet.pci.backend;

import io.pvnet.pci.PciRegisters;

/**
 * The capability fields xen-pciback virtualizes (only for the first instance of each capability): a read-only
 * id/next header, and power management, VPD, MSI and MSI-X flags. MSI address/data, the PCIe capability and all
 * extended capabilities have no fields: hardware reads, writes dropped unless permissive.
 */
final class CapabilityFields
{
    private CapabilityFields()
    {
    }

    /** PM capabilities register: PME-support bits (0xF800) read as 0, so the guest never arms PME. */
    static final class PmCapabilities extends ConfigField
    {
        PmCapabilities(final int capOffset)
        {
            super(capOffset + PciRegisters.PM_PMC, 2);
        }

        @Override
        int read(final VirtualConfigSpace space)
        {
            return space.hardwareRead(offset, 2) & ~PciRegisters.PM_CAP_PME_MASK;
        }
    }

    /**
     * PM control/status: only PME_STATUS and DATA_SEL reach the hardware from the written value; the D-state bits are
     * a power-state request the backend carries out. PME_EN is cleared at attach.
     */
    static final class PmControl extends ConfigField
    {
        private static final int OK_BITS = PciRegisters.PM_CTRL_PME_STATUS | PciRegisters.PM_CTRL_DATA_SEL_MASK;

        PmControl(final int capOffset)
        {
            super(capOffset + PciRegisters.PM_CTRL, 2);
        }

        @Override
        void init(final VirtualConfigSpace space)
        {
            final int value = space.hardwareRead(offset, 2);
            if ((value & PciRegisters.PM_CTRL_PME_ENABLE) != 0)
            {
                space.backendWrite(offset, 2, value & ~PciRegisters.PM_CTRL_PME_ENABLE);
            }
        }

        @Override
        int write(final VirtualConfigSpace space, final int written)
        {
            final int old = space.hardwareRead(offset, 2);
            final int newState = written & PciRegisters.PM_CTRL_STATE_MASK;
            int value = written & OK_BITS;
            if ((old & OK_BITS) != value)
            {
                value = (old & ~OK_BITS) | value;
                final int error = space.hardwareWrite(offset, 2, value);
                if (error != XenPciError.SUCCESS)
                {
                    return error;
                }
            }
            // pci_set_power_state: the backend moves the device to the requested D-state
            final int now = space.hardwareRead(offset, 2);
            if ((now & PciRegisters.PM_CTRL_STATE_MASK) != newState)
            {
                final int error = space.hardwareWrite(offset, 2,
                    (now & ~PciRegisters.PM_CTRL_STATE_MASK & ~PciRegisters.PM_CTRL_PME_STATUS) | newState);
                if (error != XenPciError.SUCCESS)
                {
                    return XenPciError.ACCESS_DENIED;
                }
            }
            return XenPciError.SUCCESS;
        }
    }

    /** VPD address: a write with the F flag (0x8000) set is refused; others reach the hardware. */
    static final class VpdAddress extends ConfigField
    {
        VpdAddress(final int capOffset)
        {
            super(capOffset + PciRegisters.VPD_ADDR, 2);
        }

        @Override
        int write(final VirtualConfigSpace space, final int value)
        {
            if ((value & PciRegisters.VPD_ADDR_F) != 0)
            {
                return XenPciError.ACCESS_DENIED;
            }
            return space.hardwareWrite(offset, 2, value);
        }
    }

    /**
     * MSI or MSI-X message control. MSI and MSI-X are enabled by the backend through the enable_msi(x) ops; a guest
     * config write that changes the word is refused (access denied), unless {@code allowInterruptControl} is set and
     * only the enable (and for MSI-X mask-all) bits change, and enabling one type while the other is on is refused.
     * Permissive mode writes through.
     */
    static final class MessageControl extends ConfigField
    {
        private final boolean msix;

        MessageControl(final int capOffset, final boolean msix)
        {
            super(capOffset + (msix ? PciRegisters.MSIX_FLAGS : PciRegisters.MSI_FLAGS), 2);
            this.msix = msix;
        }

        @Override
        int write(final VirtualConfigSpace space, final int value)
        {
            if (space.isPermissive())
            {
                return space.hardwareWrite(offset, 2, value);
            }
            final int old = space.hardwareRead(offset, 2);
            if (old == value)
            {
                return XenPciError.SUCCESS;
            }
            final int allowed = msix ? PciRegisters.MSIX_FLAGS_ENABLE | PciRegisters.MSIX_FLAGS_MASKALL :
                PciRegisters.MSI_FLAGS_ENABLE;
            if (!space.allowsInterruptControl() || ((value ^ old) & ~allowed) != 0)
            {
                return XenPciError.ACCESS_DENIED;
            }
            final int enable = msix ? PciRegisters.MSIX_FLAGS_ENABLE : PciRegisters.MSI_FLAGS_ENABLE;
            if ((value & enable) != 0 && (msix ? space.isMsiEnabled() : space.isMsixEnabled()))
            {
                return XenPciError.ACCESS_DENIED;
            }
            return space.hardwareWrite(offset, 2, value);
        }
    }
}
