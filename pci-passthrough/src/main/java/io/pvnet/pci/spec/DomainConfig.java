package io.pvnet.pci.spec;

import java.util.List;

/**
 * The parts of an xl domain configuration pciback uses.
 *
 * @param name the domain's {@code name}, or null when the file has none.
 * @param pci  the {@code pci = [...]} list in order; empty when absent.
 */
public record DomainConfig(String name, List<PciAssignment> pci)
{
    /** Copies the list, so the configuration is immutable. */
    public DomainConfig
    {
        pci = List.copyOf(pci);
    }
}
