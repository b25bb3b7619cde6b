package io.pvnet.pci.backend;

import io.pvnet.pci.ConfigSpace;
import io.pvnet.pci.PciAddress;
import io.pvnet.pci.PciDevice;
import io.pvnet.pci.spec.PciAssignment;

/**
 * A device exported to one guest: its real and virtual addresses, the guest's virtual config space, the config image
 * saved at attach (restored on detach) and its MSI state. Owned by {@link Pciback}.
 */
public final class ExportedDevice
{
    private final int domainId;
    private final PciDevice device;
    private final PciAddress virtualAddress;
    private final VirtualConfigSpace config;
    private final ConfigSpace savedConfig;
    private final PciAssignment assignment;
    int msiPirq = -1;
    int msixVectors;

    ExportedDevice(
        final int domainId,
        final PciDevice device,
        final PciAddress virtualAddress,
        final VirtualConfigSpace config,
        final ConfigSpace savedConfig,
        final PciAssignment assignment)
    {
        this.domainId = domainId;
        this.device = device;
        this.virtualAddress = virtualAddress;
        this.config = config;
        this.savedConfig = savedConfig;
        this.assignment = assignment;
    }

    /** {@return the guest's domain id} */
    public int domainId()
    {
        return domainId;
    }

    /** {@return the device exported} */
    public PciDevice device()
    {
        return device;
    }

    /**
     * The address the guest sees (vpci: bus 0000:00, a slot chosen at attach; passthrough: the real address).
     * @return the guest's address of the device.
     */
    public PciAddress virtualAddress()
    {
        return virtualAddress;
    }

    /** {@return the guest's view of the config space} */
    public VirtualConfigSpace config()
    {
        return config;
    }

    /**
     * The config image saved when the device was attached.
     * @return a copy of the saved image.
     */
    public ConfigSpace savedConfig()
    {
        return savedConfig.copy();
    }

    /** {@return the assignment it was attached with (from the domain's pci list)} */
    public PciAssignment assignment()
    {
        return assignment;
    }

    @Override
    public String toString()
    {
        return device.address() + " -> domain " + domainId + " as " + virtualAddress;
    }
}
