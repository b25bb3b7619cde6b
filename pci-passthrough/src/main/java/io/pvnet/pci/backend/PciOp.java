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

    /** A config read or write op. */
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

    public int cmd()
    {
        return cmd;
    }

    public PciOp cmd(final int cmd)
    {
        this.cmd = cmd;
        return this;
    }

    public int err()
    {
        return err;
    }

    public PciOp err(final int err)
    {
        this.err = err;
        return this;
    }

    public int domain()
    {
        return domain;
    }

    public PciOp domain(final int domain)
    {
        this.domain = domain;
        return this;
    }

    public int bus()
    {
        return bus;
    }

    public PciOp bus(final int bus)
    {
        this.bus = bus;
        return this;
    }

    public int devfn()
    {
        return devfn;
    }

    public PciOp devfn(final int devfn)
    {
        this.devfn = devfn;
        return this;
    }

    public int offset()
    {
        return offset;
    }

    public PciOp offset(final int offset)
    {
        this.offset = offset;
        return this;
    }

    public int size()
    {
        return size;
    }

    public PciOp size(final int size)
    {
        this.size = size;
        return this;
    }

    public int value()
    {
        return value;
    }

    public PciOp value(final int value)
    {
        this.value = value;
        return this;
    }

    public int info()
    {
        return info;
    }

    public PciOp info(final int info)
    {
        this.info = info;
        return this;
    }

    /** MSI-X entry {@code index}'s vector (u16). */
    public int msixVector(final int index)
    {
        return msixVector[index];
    }

    public PciOp msixVector(final int index, final int vector)
    {
        msixVector[index] = vector & 0xFFFF;
        return this;
    }

    /** MSI-X entry {@code index}'s table entry number (u16). */
    public int msixEntry(final int index)
    {
        return msixEntry[index];
    }

    public PciOp msixEntry(final int index, final int entry)
    {
        msixEntry[index] = entry & 0xFFFF;
        return this;
    }
}
