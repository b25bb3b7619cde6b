package io.pvnet.pci.backend;

import io.pvnet.pci.ConfigAccess;
import io.pvnet.pci.PciRegisters;

/**
 * The enable/disable MSI and MSI-X operations, as Linux's pciback answers them: the backend, not the guest's config
 * writes, turns MSI and MSI-X on. On an emulated device the backend sets the enable bit and hands out pirq numbers; a
 * real device is never written, so enabling fails there ({@link XenPciError#OP_FAILED}) with a warning.
 */
final class MsiOps
{
    private MsiOps()
    {
    }

    static int enableMsi(final Pciback pciback, final ExportedDevice exported, final PciOp op)
    {
        final VirtualConfigSpace config = exported.config();
        final int status;
        if (config.isMsiEnabled())
        {
            status = XenPciError.EALREADY;
        }
        else if (config.isMsixEnabled())
        {
            status = XenPciError.ENXIO;
        }
        else if (config.msiOffset() < 0)
        {
            status = XenPciError.EINVAL;
        }
        else
        {
            status = setEnable(pciback, exported, config.msiOffset() + PciRegisters.MSI_FLAGS,
                PciRegisters.MSI_FLAGS_ENABLE, true);
        }
        if (status != XenPciError.SUCCESS)
        {
            op.value(0);
            return XenPciError.OP_FAILED;
        }
        exported.msiPirq = pciback.allocatePirq();
        op.value(exported.msiPirq);
        return XenPciError.SUCCESS;
    }

    static int disableMsi(final ExportedDevice exported, final PciOp op)
    {
        final VirtualConfigSpace config = exported.config();
        if (config.isMsiEnabled())
        {
            setEnable(null, exported, config.msiOffset() + PciRegisters.MSI_FLAGS, PciRegisters.MSI_FLAGS_ENABLE, false);
        }
        exported.msiPirq = -1;
        op.value(VirtualConfigSpace.value(config.read(PciRegisters.INTERRUPT_LINE, 1)));
        return XenPciError.SUCCESS;
    }

    static int enableMsix(final Pciback pciback, final ExportedDevice exported, final PciOp op)
    {
        final VirtualConfigSpace config = exported.config();
        final int count = op.value();
        if (count < 0 || count > XenPciOp.MAX_MSIX_ENTRIES)
        {
            return XenPciError.EINVAL;
        }
        if (config.isMsixEnabled())
        {
            return XenPciError.EALREADY;
        }
        if (config.isMsiEnabled())
        {
            return XenPciError.ENXIO;
        }
        if (config.msixOffset() < 0 || count == 0)
        {
            return XenPciError.EINVAL;
        }
        final int tableSize = (config.device().config().read(config.msixOffset() + PciRegisters.MSIX_FLAGS, 2) &
            PciRegisters.MSIX_FLAGS_QSIZE) + 1;
        for (int i = 0; i < count; i++)
        {
            if (op.msixEntry(i) >= tableSize)
            {
                return XenPciError.EINVAL;
            }
            for (int j = 0; j < i; j++)
            {
                if (op.msixEntry(j) == op.msixEntry(i))
                {
                    return XenPciError.EINVAL;
                }
            }
        }
        final int status = setEnable(pciback, exported, config.msixOffset() + PciRegisters.MSIX_FLAGS,
            PciRegisters.MSIX_FLAGS_ENABLE, true);
        if (status != XenPciError.SUCCESS)
        {
            return status;
        }
        for (int i = 0; i < count; i++)
        {
            op.msixVector(i, pciback.allocatePirq());
        }
        exported.msixVectors = count;
        op.value(0);
        return XenPciError.SUCCESS;
    }

    static int disableMsix(final ExportedDevice exported, final PciOp op)
    {
        final VirtualConfigSpace config = exported.config();
        if (config.isMsixEnabled())
        {
            setEnable(null, exported, config.msixOffset() + PciRegisters.MSIX_FLAGS, PciRegisters.MSIX_FLAGS_ENABLE,
                false);
        }
        exported.msixVectors = 0;
        op.value(VirtualConfigSpace.value(config.read(PciRegisters.INTERRUPT_LINE, 1)));
        return XenPciError.SUCCESS;
    }

    private static int setEnable(
        final Pciback pciback, final ExportedDevice exported, final int offset, final int bit, final boolean on)
    {
        final ConfigAccess hardware = exported.device().config();
        if (!hardware.isWritable())
        {
            if (pciback != null)
            {
                pciback.warnings().warn(exported.device().address(),
                    "MSI/MSI-X enable refused: pvnet never writes a real device's config space");
            }
            return XenPciError.OP_FAILED;
        }
        final int flags = hardware.read(offset, 2);
        hardware.write(offset, 2, on ? flags | bit : flags & ~bit);
        return XenPciError.SUCCESS;
    }
}
