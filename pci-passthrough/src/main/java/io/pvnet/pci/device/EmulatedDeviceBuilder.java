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
 * BARs get naturally aligned addresses from {@link #memoryBase}/{@link #ioBase} ({@link BusAddressAllocator}); the
 * capabilities and their layout are {@link EmulatedCapabilities}'. Not thread-safe.
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
    private final EmulatedCapabilities capabilities = new EmulatedCapabilities();
    private final BusAddressAllocator addresses = new BusAddressAllocator();

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
        capabilities.powerManagement();
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
        capabilities.msi(vectors, is64Bit, maskable);
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
        capabilities.msix(vectors, bar, tableOffset, pbaOffset);
        return this;
    }

    /**
     * A PCI Express capability (version 2) of the given device/port type (0 endpoint, 4 root port, ...).
     * @param portType the PCI Express device/port type.
     * @return this builder.
     */
    public EmulatedDeviceBuilder pcie(final int portType)
    {
        capabilities.pcie(check(portType, 0xF, "portType"));
        return this;
    }

    /**
     * A vendor-specific capability whose body (after id and next) is {@code body}; body[0] is the length byte.
     * @param body the capability's bytes after the ID and next pointer.
     * @return this builder.
     */
    public EmulatedDeviceBuilder vendorCapability(final byte[] body)
    {
        capabilities.vendorCapability(body);
        return this;
    }

    /**
     * A 4096-byte config space with AER and a device serial number as extended capabilities.
     * @param serial the device serial number.
     * @return this builder.
     */
    public EmulatedDeviceBuilder extendedConfig(final long serial)
    {
        capabilities.extendedConfig(serial);
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
        addresses.memoryBase(base32, base64);
        return this;
    }

    /**
     * Sets where I/O BARs are placed.
     * @param base the first I/O BAR's address.
     * @return this builder.
     */
    public EmulatedDeviceBuilder ioBase(final int base)
    {
        addresses.ioBase(base);
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
        final ConfigImage image = new ConfigImage(capabilities.extendedSpace() ?
            PciRegisters.EXTENDED_CONFIG_SPACE_SIZE : PciRegisters.CONFIG_SPACE_SIZE);
        final ConfigSpace space = image.space;
        final int romOffset = romSize == 0 ? -1 : bridge ? PciRegisters.ROM_ADDRESS1 : PciRegisters.ROM_ADDRESS;
        final EmulatedFunction function = new EmulatedFunction(space, image.writable, image.writeOneToClear,
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
        image.writable(PciRegisters.COMMAND, 2, 0x07FF);
        image.writeOneToClear(PciRegisters.STATUS, 2, PciRegisters.STATUS_RW1C);
        image.writable(PciRegisters.CACHE_LINE_SIZE, 1, 0xFF);
        image.writable(PciRegisters.LATENCY_TIMER, 1, 0xFF);
        image.writable(PciRegisters.INTERRUPT_LINE, 1, 0xFF);
        if (bridge)
        {
            space.writeByte(PciRegisters.PRIMARY_BUS, primaryBus);
            space.writeByte(PciRegisters.SECONDARY_BUS, secondaryBus);
            space.writeByte(PciRegisters.SUBORDINATE_BUS, subordinateBus);
            image.writable(PciRegisters.PRIMARY_BUS, 4, 0xFFFFFFFF);
            image.writable(PciRegisters.IO_BASE, 2, 0xF0F0);
            image.writable(PciRegisters.MEMORY_BASE, 4, 0xFFF0FFF0);
            image.writable(PciRegisters.PREF_MEMORY_BASE, 4, 0xFFF0FFF0);
            image.writable(PciRegisters.BRIDGE_CONTROL, 2, 0x0FFF);
            image.writeOneToClear(PciRegisters.SEC_STATUS, 2, PciRegisters.STATUS_RW1C);
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
                start = addresses.io(sizeBytes);
                function.defineBarRegister(i, (int)(~(sizeBytes - 1)) & ~PciRegisters.BAR_IO_FLAGS_MASK, 0x1);
            }
            else if (spec.kind() == BarSpec.Kind.MEM32)
            {
                anyMemory = true;
                start = addresses.memory32(sizeBytes);
                function.defineBarRegister(i, (int)(~(sizeBytes - 1)) & ~PciRegisters.BAR_MEM_FLAGS_MASK,
                    spec.flagBits());
            }
            else
            {
                anyMemory = true;
                start = addresses.memory64(sizeBytes);
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
            final long start = addresses.memory32(romSize);
            function.defineBarRegister(6, (int)(~(romSize - 1)) & ~PciRegisters.ROM_FLAGS_MASK, 0);
            space.writeDword(romOffset, (int)start);
            resources[6] = Resource.ofBar(start, romSize, 0, true);
        }
        space.writeWord(PciRegisters.COMMAND, command >= 0 ? command :
            (anyIo ? PciRegisters.COMMAND_IO : 0) | (anyMemory ? PciRegisters.COMMAND_MEMORY : 0) |
                PciRegisters.COMMAND_MASTER);

        capabilities.layOut(image);
        return new PciDevice(address, function, resources, null, PciDevice.Origin.EMULATED,
            "emulated " + String.format("%04x:%04x", vendorId, deviceId));
    }
}
