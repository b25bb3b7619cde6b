package io.pvnet.pci;

import java.util.List;

/**
 * One PCI function as pvnet knows it: its address, its config space ("hardware" for pciback), the kernel's resources
 * (BAR sizes), the driver bound to it and where it came from.
 * <p>
 * A real device (from sysfs or a dump) always has a read-only {@link ConfigAccess}: pvnet never writes to it.
 */
public final class PciDevice
{
    /** Where the device description came from. */
    public enum Origin
    {
        /** A real device read from sysfs. */
        SYSFS,
        /** A real device read from an {@code lspci -x} dump. */
        DUMP,
        /** An emulated function, its config space in memory. */
        EMULATED
    }

    private final PciAddress address;
    private final ConfigAccess config;
    private final Resource[] resources;
    private final String driver;
    private final Origin origin;
    private final String source;
    private final int irq;

    /**
     * A device.
     * @param address   the function's address.
     * @param config    its config space.
     * @param resources 7 resources (BAR0..5, ROM) or null when unknown.
     * @param driver    bound driver name, or null.
     * @param origin    where it came from.
     * @param source    a path or description for messages.
     */
    public PciDevice(
        final PciAddress address,
        final ConfigAccess config,
        final Resource[] resources,
        final String driver,
        final Origin origin,
        final String source)
    {
        this(address, config, resources, driver, origin, source, -1);
    }

    /**
     * A device whose host IRQ is known.
     * @param irq the IRQ the host routed (sysfs {@code irq}), or -1 to take the config's interrupt line.
     * @param address the function's address.
     * @param config its config space.
     * @param resources 7 resources (BAR0..5, ROM) or null when unknown.
     * @param driver bound driver name, or null.
     * @param origin where it came from.
     * @param source a path or description for messages.
     */
    public PciDevice(
        final PciAddress address,
        final ConfigAccess config,
        final Resource[] resources,
        final String driver,
        final Origin origin,
        final String source,
        final int irq)
    {
        if (origin != Origin.EMULATED && config.isWritable())
        {
            throw new IllegalArgumentException("a real device's config must be read-only: address=" + address);
        }
        this.address = address;
        this.config = config;
        this.resources = resources == null ? null : resources.clone();
        this.driver = driver;
        this.origin = origin;
        this.source = source;
        this.irq = irq;
    }

    /**
     * The IRQ the host routed, or the config's interrupt line when unknown.
     * @return the IRQ.
     */
    public int irq()
    {
        return irq >= 0 ? irq : config.read(PciRegisters.INTERRUPT_LINE, 1);
    }

    /** {@return the function's address} */
    public PciAddress address()
    {
        return address;
    }

    /** {@return its config space (read-only for a real device)} */
    public ConfigAccess config()
    {
        return config;
    }

    /**
     * The resources, BAR0..5 then ROM; null when unknown (dump files carry no sizes).
     * @return the resources.
     */
    public Resource[] resources()
    {
        return resources == null ? null : resources.clone();
    }

    /**
     * {@return resource {@code index} (0..5 BARs, 6 ROM), or null when unknown}
     * @param index the resource's index.
     */
    public Resource resource(final int index)
    {
        return resources == null || index >= resources.length ? Resource.NONE : resources[index];
    }

    /** {@return the bound driver's name, or null} */
    public String driver()
    {
        return driver;
    }

    /** {@return where the device came from} */
    public Origin origin()
    {
        return origin;
    }

    /** {@return the path or description used in messages} */
    public String source()
    {
        return source;
    }

    /** {@return true for an emulated function} */
    public boolean isEmulated()
    {
        return origin == Origin.EMULATED;
    }

    /** {@return a copy of the config space as it reads now} */
    public ConfigSpace snapshot()
    {
        return config.snapshot();
    }

    /** {@return the decoded BARs and ROM, as lspci lists them} */
    public List<Bar> bars()
    {
        return BarDecoder.decode(config.snapshot(), resources);
    }

    @Override
    public String toString()
    {
        return address + " (" + origin.name().toLowerCase() + " " + source + ")";
    }
}
