package io.pvnet.pci.device;

import io.pvnet.pci.ConfigSpace;
import io.pvnet.pci.PciRegisters;

/**
 * The capabilities an {@link EmulatedDeviceBuilder} gives a function, and how they are laid out in its config space:
 * power management, MSI, MSI-X, PCI Express and a vendor-specific capability in the list from 0x40, in that order,
 * and AER and a device serial number as extended capabilities of a 4096-byte config space. Each comes with the write
 * masks and RW1C bits the hardware has ({@link ConfigImage}), so that the guest's writes behave as on a real device.
 * <p>
 * Not thread-safe: its builder's.
 */
final class EmulatedCapabilities
{
    private boolean powerManagement;
    private int msiVectors;
    private boolean msi64;
    private boolean msiMaskable;
    private int msixVectors;
    private int msixBar;
    private int msixTableOffset;
    private int msixPbaOffset;
    private int pcieType = -1;
    private byte[] vendorCapability;
    private boolean extendedSpace;
    private long serialNumber = -1;

    /** Adds a power management capability. */
    void powerManagement()
    {
        powerManagement = true;
    }

    /** {@link EmulatedDeviceBuilder#msi}. */
    void msi(final int vectors, final boolean is64Bit, final boolean maskable)
    {
        if (vectors < 1 || vectors > 32 || Integer.bitCount(vectors) != 1)
        {
            throw new IllegalArgumentException("MSI vectors must be 1, 2, 4, 8, 16 or 32: vectors=" + vectors);
        }
        msiVectors = vectors;
        msi64 = is64Bit;
        msiMaskable = maskable;
    }

    /** {@link EmulatedDeviceBuilder#msix}. */
    void msix(final int vectors, final int bar, final int tableOffset, final int pbaOffset)
    {
        if (vectors < 1 || vectors > 2048 || bar < 0 || bar > 5 || (tableOffset & 7) != 0 || (pbaOffset & 7) != 0)
        {
            throw new IllegalArgumentException("MSI-X needs 1..2048 vectors, BAR 0..5 and 8-byte aligned offsets: " +
                "vectors=" + vectors + " bar=" + bar + " table=" + tableOffset + " pba=" + pbaOffset);
        }
        msixVectors = vectors;
        msixBar = bar;
        msixTableOffset = tableOffset;
        msixPbaOffset = pbaOffset;
    }

    /** A PCI Express capability (version 2) of device/port type {@code portType} (0..15, checked by the builder). */
    void pcie(final int portType)
    {
        pcieType = portType;
    }

    /** A vendor-specific capability whose bytes after id and next are {@code body} (copied). */
    void vendorCapability(final byte[] body)
    {
        vendorCapability = body.clone();
    }

    /** A 4096-byte config space with AER and the device serial number {@code serial}. */
    void extendedConfig(final long serial)
    {
        extendedSpace = true;
        serialNumber = serial;
    }

    /** {@return whether the config space is 4096 bytes (extended capabilities) rather than 256} */
    boolean extendedSpace()
    {
        return extendedSpace;
    }

    /**
     * Writes the capabilities chosen into {@code image}: the list from 0x40 in the order PM, MSI, MSI-X, PCIe, vendor
     * (the status register's capability bit set when there is one), then the extended ones from 0x100.
     * @throws IllegalArgumentException when they do not fit in 256 bytes.
     */
    void layOut(final ConfigImage image)
    {
        final ConfigSpace space = image.space;
        int pos = PciRegisters.STANDARD_HEADER_SIZE;
        int previousNext = PciRegisters.CAPABILITY_LIST;
        if (powerManagement)
        {
            space.writeByte(pos, PciRegisters.CAP_ID_PM);
            space.writeWord(pos + PciRegisters.PM_PMC, 0xC803);
            space.writeWord(pos + PciRegisters.PM_CTRL, 0x0008);
            image.writable(pos + PciRegisters.PM_CTRL, 2, PciRegisters.PM_CTRL_STATE_MASK |
                PciRegisters.PM_CTRL_PME_ENABLE | PciRegisters.PM_CTRL_DATA_SEL_MASK);
            image.writeOneToClear(pos + PciRegisters.PM_CTRL, 2, PciRegisters.PM_CTRL_PME_STATUS);
            previousNext = link(space, previousNext, pos);
            pos += 8;
        }
        if (msiVectors > 0)
        {
            space.writeByte(pos, PciRegisters.CAP_ID_MSI);
            final int flags = (Integer.numberOfTrailingZeros(msiVectors) << 1) |
                (msi64 ? PciRegisters.MSI_FLAGS_64BIT : 0) | (msiMaskable ? PciRegisters.MSI_FLAGS_MASKBIT : 0);
            space.writeWord(pos + PciRegisters.MSI_FLAGS, flags);
            image.writable(pos + PciRegisters.MSI_FLAGS, 2, PciRegisters.MSI_FLAGS_ENABLE | PciRegisters.MSI_FLAGS_QSIZE);
            image.writable(pos + 4, 4, 0xFFFFFFFC);
            int data = pos + 8;
            if (msi64)
            {
                image.writable(pos + 8, 4, 0xFFFFFFFF);
                data = pos + 12;
            }
            image.writable(data, 2, 0xFFFF);
            int length = data + 2 - pos;
            if (msiMaskable)
            {
                image.writable(data + 4, 4, (int)((1L << msiVectors) - 1));
                length = data + 12 - pos;
            }
            previousNext = link(space, previousNext, pos);
            pos += (length + 3) & ~3;
        }
        if (msixVectors > 0)
        {
            space.writeByte(pos, PciRegisters.CAP_ID_MSIX);
            space.writeWord(pos + PciRegisters.MSIX_FLAGS, msixVectors - 1);
            image.writable(pos + PciRegisters.MSIX_FLAGS, 2,
                PciRegisters.MSIX_FLAGS_ENABLE | PciRegisters.MSIX_FLAGS_MASKALL);
            space.writeDword(pos + PciRegisters.MSIX_TABLE, msixTableOffset | msixBar);
            space.writeDword(pos + PciRegisters.MSIX_PBA, msixPbaOffset | msixBar);
            previousNext = link(space, previousNext, pos);
            pos += 12;
        }
        if (pcieType >= 0)
        {
            space.writeByte(pos, PciRegisters.CAP_ID_EXP);
            space.writeWord(pos + PciRegisters.EXP_FLAGS, 2 | pcieType << 4);
            // DevCap: 256-byte max payload, FLR capable on an endpoint
            space.writeDword(pos + PciRegisters.EXP_DEVCAP, 0x1 | (pcieType == 0 ? 1 << 28 : 0));
            space.writeWord(pos + PciRegisters.EXP_DEVCTL, 0x2810);
            image.writable(pos + PciRegisters.EXP_DEVCTL, 2, 0x7FFF);
            image.writeOneToClear(pos + PciRegisters.EXP_DEVSTA, 2, 0x000F);
            // LnkCap: 5 GT/s x1, LnkSta: 5 GT/s x1
            space.writeDword(pos + 0x0C, 0x00000012);
            space.writeWord(pos + 0x12, 0x1012);
            image.writable(pos + 0x10, 2, 0x0FFB);
            previousNext = link(space, previousNext, pos);
            pos += 0x3C;
        }
        if (vendorCapability != null)
        {
            space.writeByte(pos, PciRegisters.CAP_ID_VNDR);
            for (int i = 0; i < vendorCapability.length; i++)
            {
                space.writeByte(pos + 2 + i, vendorCapability[i]);
            }
            previousNext = link(space, previousNext, pos);
            pos += (vendorCapability.length + 2 + 3) & ~3;
        }
        if (pos > PciRegisters.CONFIG_SPACE_SIZE)
        {
            throw new IllegalArgumentException("capabilities do not fit in 256 bytes: end=" + pos);
        }
        if (previousNext != PciRegisters.CAPABILITY_LIST)
        {
            space.writeWord(PciRegisters.STATUS, PciRegisters.STATUS_CAP_LIST);
        }
        if (extendedSpace)
        {
            // AER v2 at 0x100 (0x48 bytes), then DSN v1 at 0x148
            space.writeDword(0x100, PciRegisters.EXT_CAP_ID_ERR | 2 << 16 | 0x148 << 20);
            image.writeOneToClear(0x104, 4, 0x003FF030);
            image.writable(0x108, 4, 0x003FF030);
            image.writable(0x10C, 4, 0x003FF030);
            space.writeDword(0x148, PciRegisters.EXT_CAP_ID_DSN | 1 << 16);
            space.writeDword(0x14C, (int)serialNumber);
            space.writeDword(0x150, (int)(serialNumber >>> 32));
        }
    }

    private static int link(final ConfigSpace space, final int previousNextOffset, final int pos)
    {
        space.writeByte(previousNextOffset, pos);
        return pos + 1;
    }
}
