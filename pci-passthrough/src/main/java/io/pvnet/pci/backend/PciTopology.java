package io.pvnet.pci.backend;

/**
 * How exported devices appear to a guest: xen-pciback's module parameter {@code passthrough}.
 * <ul>
 * <li>{@link #VPCI} ({@code passthrough=0}, the default): every device sits on one virtual bus {@code 0000:00} at a
 * slot chosen at attach (or asked for with {@code @VSLOT}); functions of one physical slot share a virtual slot and
 * keep their function numbers. One root, {@code 0000:00}.</li>
 * <li>{@link #PASSTHROUGH} ({@code passthrough=1}): a device keeps its real {@code domain:bus:devfn}; each bus it
 * lives on becomes a root unless the bridge leading to that bus is exported too (then the guest finds the bus
 * behind that bridge). {@code @VSLOT} has no meaning and is refused.</li>
 * </ul>
 */
public enum PciTopology
{
    /** Every exported device on one virtual bus {@code 0000:00}, in a slot chosen at attach (the default). */
    VPCI,
    /** Every exported device at its real address, with a root per bus it lives on. */
    PASSTHROUGH;

    /**
     * Parses {@code vpci} or {@code passthrough} (case-insensitive); the message names the accepted values.
     * @param text the name.
     * @return the topology.
     */
    public static PciTopology parse(final String text)
    {
        for (final PciTopology topology : values())
        {
            if (topology.name().equalsIgnoreCase(text.trim()))
            {
                return topology;
            }
        }
        throw new IllegalArgumentException("unknown PCI topology: topology=" + text + " (vpci or passthrough)");
    }
}
