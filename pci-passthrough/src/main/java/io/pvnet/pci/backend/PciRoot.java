package io.pvnet.pci.backend;

/**
 * A bus a guest's pcifront scans: xen-pciback publishes it as {@code root-N} = {@code "%04x:%02x"} (domain, bus).
 *
 * @param domain PCI domain (segment).
 * @param bus    bus number.
 */
public record PciRoot(int domain, int bus)
{
    /** The value xen-pciback writes to {@code root-N}. */
    @Override
    public String toString()
    {
        return String.format("%04x:%02x", domain, bus);
    }
}
