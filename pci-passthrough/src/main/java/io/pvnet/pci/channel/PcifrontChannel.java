package io.pvnet.pci.channel;

import io.pvnet.pci.backend.VirtualConfigSpace;
import io.pvnet.pci.backend.XenPciError;
import io.pvnet.pci.backend.XenPciOp;
import io.pvnet.ring.event.EventChannel;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;

import static io.pvnet.pci.channel.PciSharedInfoDescriptor.*;

/**
 * The guest end of the pcifront/pciback channel, as Linux pcifront's {@code do_pci_op}: fill the op in the shared page,
 * set the op-pending flag, notify, wait until the backend clears the flag, read the result. After
 * {@link PciSharedInfoDescriptor#FRONTEND_TIMEOUT_NS} without an answer it clears the flag itself and reports
 * {@link XenPciError#DEV_NOT_FOUND} ("pciback not responding!!!").
 * <p>
 * Threads: one guest thread per channel (pcifront serialises ops with a lock). Allocation-free.
 */
public final class PcifrontChannel
{
    private final AtomicBuffer shared;
    private final int base;
    private final EventChannel channel;
    private final IdleStrategy idleStrategy;
    private final NanoClock clock;
    private final long timeoutNs;
    private long timeouts;

    /**
     * The frontend's side of one guest's pci section.
     * @param channel      the event channel to the backend, or null to let the backend poll.
     * @param idleStrategy how to wait when there is no event channel.
     * @param clock        injected so tests control time.
     * @param timeoutNs    how long to wait for the backend.
     * @param section the guest's pci section.
     */
    public PcifrontChannel(final PciSection section, final EventChannel channel, final IdleStrategy idleStrategy,
        final NanoClock clock, final long timeoutNs)
    {
        this.shared = section.buffer();
        this.base = section.sharedInfoOffset();
        this.channel = channel;
        this.idleStrategy = idleStrategy;
        this.clock = clock;
        this.timeoutNs = timeoutNs;
        PciSharedInfoDescriptor.checkBuffer(shared, base);
    }

    /**
     * A config read: {@link VirtualConfigSpace#result(int, int)} packing err and value.
     * @param domain the PCI domain.
     * @param bus the bus.
     * @param devfn the devfn.
     * @param offset the config register's offset.
     * @param size 1, 2 or 4 bytes.
     * @return err and value, packed.
     */
    public long configRead(final int domain, final int bus, final int devfn, final int offset, final int size)
    {
        final int err = doOp(XenPciOp.CONF_READ, domain, bus, devfn, offset, size, 0);
        return VirtualConfigSpace.result(err, err == XenPciError.SUCCESS ? shared.getInt(base + VALUE_OFFSET) : 0);
    }

    /**
     * A config write: err.
     * @param domain the PCI domain.
     * @param bus the bus.
     * @param devfn the devfn.
     * @param offset the config register's offset.
     * @param size 1, 2 or 4 bytes.
     * @param value the value to write.
     * @return the {@link io.pvnet.pci.backend.XenPciError} code.
     */
    public int configWrite(final int domain, final int bus, final int devfn, final int offset, final int size,
        final int value)
    {
        return doOp(XenPciOp.CONF_WRITE, domain, bus, devfn, offset, size, value);
    }

    /**
     * enable_msi: err and the pirq.
     * @param domain the PCI domain.
     * @param bus the bus.
     * @param devfn the devfn.
     * @return err and the pirq, packed as {@link VirtualConfigSpace#result(int, int)}.
     */
    public long enableMsi(final int domain, final int bus, final int devfn)
    {
        final int err = doOp(XenPciOp.ENABLE_MSI, domain, bus, devfn, 0, 0, 0);
        return VirtualConfigSpace.result(err, shared.getInt(base + VALUE_OFFSET));
    }

    /**
     * disable_msi.
     * @param domain the PCI domain.
     * @param bus the bus.
     * @param devfn the devfn.
     * @return the error code.
     */
    public int disableMsi(final int domain, final int bus, final int devfn)
    {
        return doOp(XenPciOp.DISABLE_MSI, domain, bus, devfn, 0, 0, 0);
    }

    /**
     * enable_msix for {@code count} table entries; on success the vectors are in {@code vectors}.
     *
     * @param domain the PCI domain.
     * @param bus the bus.
     * @param devfn the devfn.
     * @param entries the MSI-X table entries to enable.
     * @param count how many of {@code entries} to use.
     * @param vectors receives the vector of each entry.
     * @return err.
     */
    public int enableMsix(final int domain, final int bus, final int devfn, final int[] entries, final int count,
        final int[] vectors)
    {
        for (int i = 0; i < count && i < MAX_MSIX_ENTRIES; i++)
        {
            shared.putShort(base + msixEntryOffset(i), (short)entries[i]);
            shared.putShort(base + msixVectorOffset(i), (short)0);
        }
        final int err = doOp(XenPciOp.ENABLE_MSIX, domain, bus, devfn, 0, 0, count);
        if (err == XenPciError.SUCCESS)
        {
            for (int i = 0; i < count && i < MAX_MSIX_ENTRIES; i++)
            {
                vectors[i] = shared.getShort(base + msixVectorOffset(i)) & 0xFFFF;
            }
        }
        return err;
    }

    /**
     * disable_msix.
     * @param domain the PCI domain.
     * @param bus the bus.
     * @param devfn the devfn.
     * @return the error code.
     */
    public int disableMsix(final int domain, final int bus, final int devfn)
    {
        return doOp(XenPciOp.DISABLE_MSIX, domain, bus, devfn, 0, 0, 0);
    }

    /**
     * Sends any op (also unknown ones, to test the backend's answer): err.
     * @param cmd the op code ({@link io.pvnet.pci.backend.XenPciOp}).
     * @param domain the PCI domain.
     * @param bus the bus.
     * @param devfn the devfn.
     * @param offset the config register's offset.
     * @param size the access size.
     * @param value the value.
     * @return the error code.
     */
    public int doOp(final int cmd, final int domain, final int bus, final int devfn, final int offset,
        final int size, final int value)
    {
        shared.putInt(base + CMD_OFFSET, cmd);
        shared.putInt(base + ERR_OFFSET, 0);
        shared.putInt(base + DOMAIN_OFFSET, domain);
        shared.putInt(base + BUS_OFFSET, bus);
        shared.putInt(base + DEVFN_OFFSET, devfn);
        shared.putInt(base + REGISTER_OFFSET, offset);
        shared.putInt(base + SIZE_OFFSET, size);
        shared.putInt(base + VALUE_OFFSET, value);
        int flags;
        do
        {
            flags = shared.getIntVolatile(base + FLAGS_OFFSET);
        }
        // the CAS is a full barrier: the op written above is visible to a backend that sees the bit (acquire)
        while (!shared.compareAndSetInt(base + FLAGS_OFFSET, flags, flags | FLAG_OP_PENDING));
        if (channel != null)
        {
            channel.notifyPeer();
        }
        final long start = clock.nanoTime();
        idleStrategy.reset();
        // acquire: pairs with the backend's CAS that cleared the bit after it wrote the results
        while ((shared.getIntVolatile(base + FLAGS_OFFSET) & FLAG_OP_PENDING) != 0)
        {
            if (clock.nanoTime() - start >= timeoutNs)
            {
                return timeoutSlowPath();
            }
            idleStrategy.idle();
        }
        return shared.getInt(base + ERR_OFFSET);
    }

    private int timeoutSlowPath()
    {
        timeouts++;
        int flags;
        do
        {
            flags = shared.getIntVolatile(base + FLAGS_OFFSET);
        }
        while (!shared.compareAndSetInt(base + FLAGS_OFFSET, flags, flags & ~FLAG_OP_PENDING));
        return XenPciError.DEV_NOT_FOUND;
    }

    /**
     * Ops that timed out ("pciback not responding!!!").
     * @return ops that timed out.
     */
    public long timeouts()
    {
        return timeouts;
    }
}
