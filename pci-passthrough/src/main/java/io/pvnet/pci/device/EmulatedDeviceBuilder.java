package io.pvnet.pci.device;

import io.pvnet.pci.ConfigSpace;
import io.pvnet.pci.PciAddress;
import io.pvnet.pci.PciDevice;
import io.pvnet.pci.PciRegisters;
import io.pvnet.pci.Resource;

/**
 * Defines an emulated PCI function: ids, class, a type 0 or type 1 header, BARs of given kinds and sizes, an expansion
 * ROM, and power-management, MSI, MSI-X, PCI Express and vendor capabilities (plus AER and DSN extended capabilities
 * with a 4096-byte config space). Capabilities are laid out from 0x40 in the order PM, MSI, MSI-X, PCIe, vendor.
 * <p>
 * BARs get naturally aligned addresses from {@link #memoryBase}/{@link #ioBase}. Not thread-safe; use once.
 * <p>
 * Why one file of this length (about 398 lines of code, the rest javadoc): one builder method per capability a device
 * may carry, each small.
 */
public final class EmulatedDeviceBuilder
{
    private final PciAddress address;
    private int vendorId = 0x1af4;
    private int deviceId = 0x10f0;
    private int subsystemVendorId = -1;
    private int subsystemId = -1;
    private int classCode = 0xFF0000;
    private int revision = 1;
    private boolean bridge;
    private int primaryBus;
    private int secondaryBus;
    private int subordinateBus;
    private final BarSpec[] bars = new BarSpec[6];
    private long romSize;
    private int interruptPin = 1;
    private int interruptLine = 11;
    private int command = -1;
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
    private long memoryBase = 0xFE000000L;
    private long memory64Base = 0x80_0000_0000L;
    private long lowMemoryBase = 0x8000_0000L;
    private int ioBase = 0xC000;

    /**
     * A builder for the emulated function at {@code address}. Single-threaded.
     * @param address the function's address.
     */
    public EmulatedDeviceBuilder(final PciAddress address)
    {
        this.address = address;
    }

    /**
     * Sets the vendor and device IDs.
     * @param vendorId the vendor ID (u16).
     * @param deviceId the device ID (u16).
     * @return this builder.
     */
    public EmulatedDeviceBuilder ids(final int vendorId, final int deviceId)
    {
        this.vendorId = check(vendorId, 0xFFFF, "vendor");
        this.deviceId = check(deviceId, 0xFFFF, "device");
        return this;
    }

    /**
     * Sets the subsystem vendor and subsystem IDs.
     * @param vendorId the subsystem vendor ID (u16).
     * @param id the subsystem ID (u16).
     * @return this builder.
     */
    public EmulatedDeviceBuilder subsystem(final int vendorId, final int id)
    {
        this.subsystemVendorId = check(vendorId, 0xFFFF, "subsystemVendor");
        this.subsystemId = check(id, 0xFFFF, "subsystem");
        return this;
    }

    /**
     * Class, subclass and programming interface as 0xCCSSPP.
     * @param classCode 0xCCSSPP.
     * @return this builder.
     */
    public EmulatedDeviceBuilder classCode(final int classCode)
    {
        this.classCode = check(classCode, 0xFFFFFF, "class");
        return this;
    }

    /**
     * Sets the revision ID.
     * @param revision the revision (u8).
     * @return this builder.
     */
    public EmulatedDeviceBuilder revision(final int revision)
    {
        this.revision = check(revision, 0xFF, "revision");
        return this;
    }

    /**
     * A type 1 (PCI-to-PCI bridge) header with the given bus numbers; only BAR0/1 exist then.
     * @param primary the primary bus number.
     * @param secondary the secondary bus number.
     * @param subordinate the highest bus number behind the bridge.
     * @return this builder.
     */
    public EmulatedDeviceBuilder bridge(final int primary, final int secondary, final int subordinate)
    {
        bridge = true;
        primaryBus = check(primary, 0xFF, "primary");
        secondaryBus = check(secondary, 0xFF, "secondary");
        subordinateBus = check(subordinate, 0xFF, "subordinate");
        return this;
    }

    /**
     * Defines BAR {@code index}; a 64-bit BAR also takes register {@code index + 1}.
     * @param index the BAR's index, 0..5 (0..1 for a bridge).
     * @param spec its shape.
     * @return this builder.
     */
    public EmulatedDeviceBuilder bar(final int index, final BarSpec spec)
    {
        if (index < 0 || index > 5)
        {
            throw new IllegalArgumentException("BAR index must be 0..5: index=" + index);
        }
        bars[index] = spec;
        return this;
    }

    /**
     * Adds an expansion ROM of {@code sizeBytes}.
     * @param sizeBytes a power of two from 2 KiB to 16 MiB.
     * @return this builder.
     */
    public EmulatedDeviceBuilder rom(final long sizeBytes)
    {
        if (sizeBytes < 2048 || Long.bitCount(sizeBytes) != 1 || sizeBytes > 1L << 24)
        {
            throw new IllegalArgumentException("ROM size must be a power of two from 2 KiB to 16 MiB: size=" + sizeBytes);
        }
        romSize = sizeBytes;
        return this;
    }

    /**
     * Interrupt pin 0 (none) or 1..4 (INTA..INTD) and the line (IRQ) value.
     * @param pin the interrupt pin.
     * @param line the interrupt line.
     * @return this builder.
     */
    public EmulatedDeviceBuilder interrupt(final int pin, final int line)
    {
        interruptPin = check(pin, 4, "pin");
        interruptLine = check(line, 0xFF, "line");
        return this;
    }

    /**
     * The initial command register; by default I/O and memory decode for the BAR kinds present, and bus master.
     * @param value the command register's value.
     * @return this builder.
     */
    public EmulatedDeviceBuilder command(final int value)
    {
        command = check(value, 0xFFFF, "command");
        return this;
    }

    /**
     * Adds a power management capability.
     * @return this builder.
     */
    public EmulatedDeviceBuilder powerManagement()
    {
        powerManagement = true;
        return this;
    }

    /**
     * An MSI capability with {@code vectors} (1..32, a power of two) messages.
     * @param vectors the messages the device asks for.
     * @param is64Bit whether the message address is 64-bit.
     * @param maskable whether the capability has per-vector mask bits.
     * @return this builder.
     */
    public EmulatedDeviceBuilder msi(final int vectors, final boolean is64Bit, final boolean maskable)
    {
        if (vectors < 1 || vectors > 32 || Integer.bitCount(vectors) != 1)
        {
            throw new IllegalArgumentException("MSI vectors must be 1, 2, 4, 8, 16 or 32: vectors=" + vectors);
        }
        msiVectors = vectors;
        msi64 = is64Bit;
        msiMaskable = maskable;
        return this;
    }

    /**
     * An MSI-X capability with {@code vectors} (1..2048) entries, table and PBA in BAR {@code bar}.
     * @param vectors the table's entries.
     * @param bar the BAR holding the table and the PBA.
     * @param tableOffset the table's offset in that BAR (8-byte aligned).
     * @param pbaOffset the PBA's offset in that BAR (8-byte aligned).
     * @return this builder.
     */
    public EmulatedDeviceBuilder msix(final int vectors, final int bar, final int tableOffset, final int pbaOffset)
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
        return this;
    }

    /**
     * A PCI Express capability (version 2) of the given device/port type (0 endpoint, 4 root port, ...).
     * @param portType the PCI Express device/port type.
     * @return this builder.
     */
    public EmulatedDeviceBuilder pcie(final int portType)
    {
        pcieType = check(portType, 0xF, "portType");
        return this;
    }

    /**
     * A vendor-specific capability whose body (after id and next) is {@code body}; body[0] is the length byte.
     * @param body the capability's bytes after the ID and next pointer.
     * @return this builder.
     */
    public EmulatedDeviceBuilder vendorCapability(final byte[] body)
    {
        vendorCapability = body.clone();
        return this;
    }

    /**
     * A 4096-byte config space with AER and a device serial number as extended capabilities.
     * @param serial the device serial number.
     * @return this builder.
     */
    public EmulatedDeviceBuilder extendedConfig(final long serial)
    {
        extendedSpace = true;
        serialNumber = serial;
        return this;
    }

    /**
     * Sets where BARs are placed in bus address space.
     * @param base32 the first 32-bit memory BAR's address.
     * @param base64 the first 64-bit memory BAR's address.
     * @return this builder.
     */
    public EmulatedDeviceBuilder memoryBase(final long base32, final long base64)
    {
        memoryBase = base32;
        memory64Base = base64;
        return this;
    }

    /**
     * Sets where I/O BARs are placed.
     * @param base the first I/O BAR's address.
     * @return this builder.
     */
    public EmulatedDeviceBuilder ioBase(final int base)
    {
        ioBase = base;
        return this;
    }

    private static int check(final int value, final int max, final String name)
    {
        if (value < 0 || value > max)
        {
            throw new IllegalArgumentException(name + " out of range 0.." + Integer.toHexString(max) + ": " + name +
                "=" + value);
        }
        return value;
    }

    /**
     * Builds the function: config image, write masks and BAR addresses as set.
     * @return a new emulated device; the builder may be reused.
     */
    public PciDevice build()
    {
        final int size = extendedSpace ? PciRegisters.EXTENDED_CONFIG_SPACE_SIZE : PciRegisters.CONFIG_SPACE_SIZE;
        final ConfigSpace space = new ConfigSpace(size);
        final byte[] writable = new byte[size];
        final byte[] rw1c = new byte[size];
        final int romOffset = romSize == 0 ? -1 : bridge ? PciRegisters.ROM_ADDRESS1 : PciRegisters.ROM_ADDRESS;
        final EmulatedFunction function = new EmulatedFunction(space, writable, rw1c,
            bridge ? PciRegisters.ROM_ADDRESS1 : PciRegisters.ROM_ADDRESS);

        space.writeWord(PciRegisters.VENDOR_ID, vendorId);
        space.writeWord(PciRegisters.DEVICE_ID, deviceId);
        space.writeByte(PciRegisters.REVISION, revision);
        space.writeByte(PciRegisters.PROG_IF, classCode);
        space.writeByte(PciRegisters.SUBCLASS, classCode >> 8);
        space.writeByte(PciRegisters.CLASS, classCode >> 16);
        space.writeByte(PciRegisters.HEADER_TYPE, bridge ? PciRegisters.HEADER_TYPE_BRIDGE : 0);
        space.writeByte(PciRegisters.INTERRUPT_LINE, interruptLine);
        space.writeByte(PciRegisters.INTERRUPT_PIN, interruptPin);
        mask(writable, PciRegisters.COMMAND, 2, 0x07FF);
        mask(rw1c, PciRegisters.STATUS, 2, PciRegisters.STATUS_RW1C);
        mask(writable, PciRegisters.CACHE_LINE_SIZE, 1, 0xFF);
        mask(writable, PciRegisters.LATENCY_TIMER, 1, 0xFF);
        mask(writable, PciRegisters.INTERRUPT_LINE, 1, 0xFF);
        if (bridge)
        {
            space.writeByte(PciRegisters.PRIMARY_BUS, primaryBus);
            space.writeByte(PciRegisters.SECONDARY_BUS, secondaryBus);
            space.writeByte(PciRegisters.SUBORDINATE_BUS, subordinateBus);
            mask(writable, PciRegisters.PRIMARY_BUS, 4, 0xFFFFFFFF);
            mask(writable, PciRegisters.IO_BASE, 2, 0xF0F0);
            mask(writable, PciRegisters.MEMORY_BASE, 4, 0xFFF0FFF0);
            mask(writable, PciRegisters.PREF_MEMORY_BASE, 4, 0xFFF0FFF0);
            mask(writable, PciRegisters.BRIDGE_CONTROL, 2, 0x0FFF);
            mask(rw1c, PciRegisters.SEC_STATUS, 2, PciRegisters.STATUS_RW1C);
        }
        else if (subsystemVendorId >= 0)
        {
            space.writeWord(PciRegisters.SUBSYSTEM_VENDOR_ID, subsystemVendorId);
            space.writeWord(PciRegisters.SUBSYSTEM_ID, subsystemId);
        }

        final Resource[] resources = new Resource[7];
        java.util.Arrays.fill(resources, Resource.NONE);
        final int barCount = bridge ? 2 : 6;
        boolean anyIo = false;
        boolean anyMemory = false;
        for (int i = 0; i < 6; i++)
        {
            final BarSpec spec = bars[i];
            if (spec == null)
            {
                continue;
            }
            if (i >= barCount || (spec.kind() == BarSpec.Kind.MEM64 && i + 1 >= barCount))
            {
                throw new IllegalArgumentException("BAR does not fit the header: index=" + i + " kind=" + spec.kind() +
                    " bridge=" + bridge);
            }
            if (spec.kind() == BarSpec.Kind.MEM64 && bars[i + 1] != null)
            {
                throw new IllegalArgumentException("64-bit BAR overlaps the next BAR: index=" + i);
            }
            final long sizeBytes = spec.sizeBytes();
            final long start;
            if (spec.kind() == BarSpec.Kind.IO)
            {
                anyIo = true;
                start = align(ioBase, sizeBytes);
                ioBase = (int)(start + sizeBytes);
                function.defineBarRegister(i, (int)(~(sizeBytes - 1)) & ~PciRegisters.BAR_IO_FLAGS_MASK, 0x1);
            }
            else if (spec.kind() == BarSpec.Kind.MEM32)
            {
                anyMemory = true;
                start = allocate32(sizeBytes);
                function.defineBarRegister(i, (int)(~(sizeBytes - 1)) & ~PciRegisters.BAR_MEM_FLAGS_MASK,
                    spec.flagBits());
            }
            else
            {
                anyMemory = true;
                start = align(memory64Base, sizeBytes);
                memory64Base = start + sizeBytes;
                final long mask = ~(sizeBytes - 1);
                function.defineBarRegister(i, (int)mask & ~PciRegisters.BAR_MEM_FLAGS_MASK, spec.flagBits());
                function.defineBarRegister(i + 1, (int)(mask >>> 32), 0);
                space.writeDword(PciRegisters.BAR0 + 4 * (i + 1), (int)(start >>> 32));
            }
            space.writeDword(PciRegisters.BAR0 + 4 * i, (int)start | spec.flagBits());
            resources[i] = Resource.ofBar(start, sizeBytes, spec.flagBits(), false);
        }
        if (romSize != 0)
        {
            final long start = allocate32(romSize);
            function.defineBarRegister(6, (int)(~(romSize - 1)) & ~PciRegisters.ROM_FLAGS_MASK, 0);
            space.writeDword(romOffset, (int)start);
            resources[6] = Resource.ofBar(start, romSize, 0, true);
        }
        space.writeWord(PciRegisters.COMMAND, command >= 0 ? command :
            (anyIo ? PciRegisters.COMMAND_IO : 0) | (anyMemory ? PciRegisters.COMMAND_MEMORY : 0) |
                PciRegisters.COMMAND_MASTER);

        layOutCapabilities(space, writable, rw1c);
        return new PciDevice(address, function, resources, null, PciDevice.Origin.EMULATED,
            "emulated " + String.format("%04x:%04x", vendorId, deviceId));
    }

    private void layOutCapabilities(final ConfigSpace space, final byte[] writable, final byte[] rw1c)
    {
        int pos = PciRegisters.STANDARD_HEADER_SIZE;
        int previousNext = PciRegisters.CAPABILITY_LIST;
        if (powerManagement)
        {
            space.writeByte(pos, PciRegisters.CAP_ID_PM);
            space.writeWord(pos + PciRegisters.PM_PMC, 0xC803);
            space.writeWord(pos + PciRegisters.PM_CTRL, 0x0008);
            mask(writable, pos + PciRegisters.PM_CTRL, 2, PciRegisters.PM_CTRL_STATE_MASK |
                PciRegisters.PM_CTRL_PME_ENABLE | PciRegisters.PM_CTRL_DATA_SEL_MASK);
            mask(rw1c, pos + PciRegisters.PM_CTRL, 2, PciRegisters.PM_CTRL_PME_STATUS);
            previousNext = link(space, previousNext, pos);
            pos += 8;
        }
        if (msiVectors > 0)
        {
            space.writeByte(pos, PciRegisters.CAP_ID_MSI);
            final int flags = (Integer.numberOfTrailingZeros(msiVectors) << 1) |
                (msi64 ? PciRegisters.MSI_FLAGS_64BIT : 0) | (msiMaskable ? PciRegisters.MSI_FLAGS_MASKBIT : 0);
            space.writeWord(pos + PciRegisters.MSI_FLAGS, flags);
            mask(writable, pos + PciRegisters.MSI_FLAGS, 2, PciRegisters.MSI_FLAGS_ENABLE | PciRegisters.MSI_FLAGS_QSIZE);
            mask(writable, pos + 4, 4, 0xFFFFFFFC);
            int data = pos + 8;
            if (msi64)
            {
                mask(writable, pos + 8, 4, 0xFFFFFFFF);
                data = pos + 12;
            }
            mask(writable, data, 2, 0xFFFF);
            int length = data + 2 - pos;
            if (msiMaskable)
            {
                mask(writable, data + 4, 4, (int)((1L << msiVectors) - 1));
                length = data + 12 - pos;
            }
            previousNext = link(space, previousNext, pos);
            pos += (length + 3) & ~3;
        }
        if (msixVectors > 0)
        {
            space.writeByte(pos, PciRegisters.CAP_ID_MSIX);
            space.writeWord(pos + PciRegisters.MSIX_FLAGS, msixVectors - 1);
            mask(writable, pos + PciRegisters.MSIX_FLAGS, 2,
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
            mask(writable, pos + PciRegisters.EXP_DEVCTL, 2, 0x7FFF);
            mask(rw1c, pos + PciRegisters.EXP_DEVSTA, 2, 0x000F);
            // LnkCap: 5 GT/s x1, LnkSta: 5 GT/s x1
            space.writeDword(pos + 0x0C, 0x00000012);
            space.writeWord(pos + 0x12, 0x1012);
            mask(writable, pos + 0x10, 2, 0x0FFB);
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
            mask(rw1c, 0x104, 4, 0x003FF030);
            mask(writable, 0x108, 4, 0x003FF030);
            mask(writable, 0x10C, 4, 0x003FF030);
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

    private static void mask(final byte[] masks, final int offset, final int length, final int bits)
    {
        for (int i = 0; i < length; i++)
        {
            masks[offset + i] |= (byte)(bits >>> (8 * i));
        }
    }

    /** A naturally aligned range below 4 GiB: from memoryBase up, else from 2 GiB up (for BARs of up to 2 GiB). */
    private long allocate32(final long sizeBytes)
    {
        long start = align(memoryBase, sizeBytes);
        if (start + sizeBytes > 1L << 32)
        {
            start = align(lowMemoryBase, sizeBytes);
            if (start + sizeBytes > 1L << 32)
            {
                throw new IllegalArgumentException("32-bit BARs do not fit below 4 GiB: size=" + sizeBytes);
            }
            lowMemoryBase = start + sizeBytes;
            return start;
        }
        memoryBase = start + sizeBytes;
        return start;
    }

    private static long align(final long value, final long alignment)
    {
        return (value + alignment - 1) & -alignment;
    }
}
