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
        SYSFS, DUMP, EMULATED
    }

    private final PciAddress address;
    private final ConfigAccess config;
    private final Resource[] resources;
    private final String driver;
    private final Origin origin;
    private final String source;
    private final int irq;

    /**
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
     * @param irq the IRQ the host routed (sysfs {@code irq}), or -1 to take the config's interrupt line.
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

    /** The IRQ the host routed, or the config's interrupt line when unknown. */
    public int irq()
    {
        return irq >= 0 ? irq : config.read(PciRegisters.INTERRUPT_LINE, 1);
    }

    public PciAddress address()
    {
        return address;
    }

    public ConfigAccess config()
    {
        return config;
    }

    /** The resources, BAR0..5 then ROM; null when unknown (dump files carry no sizes). */
    public Resource[] resources()
    {
        return resources == null ? null : resources.clone();
    }

    public Resource resource(final int index)
    {
        return resources == null || index >= resources.length ? Resource.NONE : resources[index];
    }

    public String driver()
    {
        return driver;
    }

    public Origin origin()
    {
        return origin;
    }

    public String source()
    {
        return source;
    }

    public boolean isEmulated()
    {
        return origin == Origin.EMULATED;
    }

    public ConfigSpace snapshot()
    {
        return config.snapshot();
    }

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
