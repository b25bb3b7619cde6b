package io.pvnet.pci.backend;

/**
 * One pcifront operation ({@code struct xen_pci_op}) in private memory. The backend copies the shared page's op into
 * one of these before looking at it, so a guest changing the page meanwhile cannot change what is checked and what is
 * used, then copies the results back. Reusable: {@link #clear()} it between operations; allocates nothing after
 * construction.
 */
public final class PciOp
{
    private int cmd;
    private int err;
    private int domain;
    private int bus;
    private int devfn;
    private int offset;
    private int size;
    private int value;
    private int info;
    private final int[] msixVector = new int[XenPciOp.MAX_MSIX_ENTRIES];
    private final int[] msixEntry = new int[XenPciOp.MAX_MSIX_ENTRIES];

    /** A zeroed op, reused for every operation of one backend thread. */
    public PciOp()
    {
    }

    /**
     * Zeroes every field, for the next operation.
     * @return this op.
     */
    public PciOp clear()
    {
        cmd = 0;
        err = 0;
        domain = 0;
        bus = 0;
        devfn = 0;
        offset = 0;
        size = 0;
        value = 0;
        info = 0;
        java.util.Arrays.fill(msixVector, 0);
        java.util.Arrays.fill(msixEntry, 0);
        return this;
    }

    /**
     * A config read or write op.
     * @param cmd the op code ({@link XenPciOp#CONF_READ} or {@link XenPciOp#CONF_WRITE}).
     * @param domain the PCI domain.
     * @param bus the bus.
     * @param devfn the devfn.
     * @param offset the config register's offset.
     * @param size the access size in bytes.
     * @param value the value to write (0 for a read).
     * @return this op.
     */
    public PciOp set(final int cmd, final int domain, final int bus, final int devfn, final int offset,
        final int size, final int value)
    {
        this.cmd = cmd;
        this.domain = domain;
        this.bus = bus;
        this.devfn = devfn;
        this.offset = offset;
        this.size = size;
        this.value = value;
        this.err = 0;
        return this;
    }

    /** {@return the op code ({@link XenPciOp})} */
    public int cmd()
    {
        return cmd;
    }

    /**
     * Sets the op code.
     * @param cmd the op code.
     * @return this op.
     */
    public PciOp cmd(final int cmd)
    {
        this.cmd = cmd;
        return this;
    }

    /** {@return the result ({@link XenPciError})} */
    public int err()
    {
        return err;
    }

    /**
     * Sets the result.
     * @param err the error code.
     * @return this op.
     */
    public PciOp err(final int err)
    {
        this.err = err;
        return this;
    }

    /** {@return the PCI domain the frontend named} */
    public int domain()
    {
        return domain;
    }

    /**
     * Sets the PCI domain.
     * @param domain the domain.
     * @return this op.
     */
    public PciOp domain(final int domain)
    {
        this.domain = domain;
        return this;
    }

    /** {@return the bus the frontend named} */
    public int bus()
    {
        return bus;
    }

    /**
     * Sets the bus.
     * @param bus the bus.
     * @return this op.
     */
    public PciOp bus(final int bus)
    {
        this.bus = bus;
        return this;
    }

    /** {@return the devfn the frontend named} */
    public int devfn()
    {
        return devfn;
    }

    /**
     * Sets the devfn.
     * @param devfn the devfn.
     * @return this op.
     */
    public PciOp devfn(final int devfn)
    {
        this.devfn = devfn;
        return this;
    }

    /** {@return the config register's offset} */
    public int offset()
    {
        return offset;
    }

    /**
     * Sets the config register's offset.
     * @param offset the offset.
     * @return this op.
     */
    public PciOp offset(final int offset)
    {
        this.offset = offset;
        return this;
    }

    /** {@return the access size in bytes} */
    public int size()
    {
        return size;
    }

    /**
     * Sets the access size.
     * @param size 1, 2 or 4.
     * @return this op.
     */
    public PciOp size(final int size)
    {
        this.size = size;
        return this;
    }

    /** {@return the value: written by a config write, or read back by a config read} */
    public int value()
    {
        return value;
    }

    /**
     * Sets the value.
     * @param value the value.
     * @return this op.
     */
    public PciOp value(final int value)
    {
        this.value = value;
        return this;
    }

    /** {@return the info field: the MSI-X entries an enable_msix asks for} */
    public int info()
    {
        return info;
    }

    /**
     * Sets the info field.
     * @param info the info.
     * @return this op.
     */
    public PciOp info(final int info)
    {
        this.info = info;
        return this;
    }

    /**
     * MSI-X entry {@code index}'s vector (u16).
     * @param index the entry, {@code 0 <= index < XenPciOp.MAX_MSIX_ENTRIES}.
     * @return the vector.
     */
    public int msixVector(final int index)
    {
        return msixVector[index];
    }

    /**
     * Sets MSI-X entry {@code index}'s vector.
     * @param index the entry.
     * @param vector the vector (u16).
     * @return this op.
     */
    public PciOp msixVector(final int index, final int vector)
    {
        msixVector[index] = vector & 0xFFFF;
        return this;
    }

    /**
     * MSI-X entry {@code index}'s table entry number (u16).
     * @param index the entry, {@code 0 <= index < XenPciOp.MAX_MSIX_ENTRIES}.
     * @return the table entry number.
     */
    public int msixEntry(final int index)
    {
        return msixEntry[index];
    }

    /**
     * Sets MSI-X entry {@code index}'s table entry number.
     * @param index the entry.
     * @param entry the table entry number (u16).
     * @return this op.
     */
    public PciOp msixEntry(final int index, final int entry)
    {
        msixEntry[index] = entry & 0xFFFF;
        return this;
    }
}
