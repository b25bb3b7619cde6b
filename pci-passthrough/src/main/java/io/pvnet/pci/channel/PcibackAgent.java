package io.pvnet.pci.channel;

import io.pvnet.pci.backend.PciOp;
import io.pvnet.pci.backend.Pciback;
import io.pvnet.pci.backend.XenPciOp;
import io.pvnet.ring.event.EventChannel;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AtomicBuffer;

import static io.pvnet.pci.channel.PciSharedInfoDescriptor.*;

/**
 * The backend end of one guest's pcifront/pciback channel, as an Agrona {@link Agent}: when the op-pending flag is set
 * it copies the op out of the shared page (so the guest cannot change it while it is checked), lets {@link Pciback}
 * handle it, writes err, value and MSI-X vectors back, clears the flag and notifies the frontend.
 * <p>
 * Threads: {@link #doWork()} runs on one agent thread, which must also own the {@link Pciback} (or hand configuration
 * calls to it). Allocation-free after construction.
 */
public final class PcibackAgent implements Agent
{
    private final Pciback pciback;
    private final int domainId;
    private final AtomicBuffer shared;
    private final int base;
    private final EventChannel channel;
    private final PciOp op = new PciOp();
    private int msixCount;
    private long handled;

    /**
     * The agent serving one guest's pci section with {@code pciback}.
     * @param channel the event channel to the frontend, or null when the frontend polls.
     * @param pciback the backend that handles the ops.
     * @param section the guest's pci section.
     */
    public PcibackAgent(final Pciback pciback, final PciSection section, final EventChannel channel)
    {
        this.pciback = pciback;
        this.domainId = section.domainId();
        this.shared = section.buffer();
        this.base = section.sharedInfoOffset();
        this.channel = channel;
        PciSharedInfoDescriptor.checkBuffer(shared, base);
    }

    @Override
    public int doWork()
    {
        // acquire: pairs with the frontend's CAS that set the bit after it wrote the op
        if ((shared.getIntVolatile(base + FLAGS_OFFSET) & FLAG_OP_PENDING) == 0)
        {
            return 0;
        }
        copyIn();
        pciback.handle(domainId, op);
        copyOut();
        int flags;
        do
        {
            flags = shared.getIntVolatile(base + FLAGS_OFFSET);
        }
        // the CAS is a full barrier: the results written above are visible to a frontend that sees the bit clear
        while (!shared.compareAndSetInt(base + FLAGS_OFFSET, flags, flags & ~FLAG_OP_PENDING));
        if (channel != null)
        {
            channel.notifyPeer();
        }
        handled++;
        return 1;
    }

    private void copyIn()
    {
        op.clear()
            .cmd(shared.getInt(base + CMD_OFFSET))
            .domain(shared.getInt(base + DOMAIN_OFFSET))
            .bus(shared.getInt(base + BUS_OFFSET))
            .devfn(shared.getInt(base + DEVFN_OFFSET))
            .offset(shared.getInt(base + REGISTER_OFFSET))
            .size(shared.getInt(base + SIZE_OFFSET))
            .value(shared.getInt(base + VALUE_OFFSET))
            .info(shared.getInt(base + INFO_OFFSET));
        msixCount = 0;
        if (op.cmd() == XenPciOp.ENABLE_MSIX)
        {
            // the count is the guest's: clamp it so a hostile value cannot make us read past the entries
            msixCount = Math.min(Math.max(op.value(), 0), MAX_MSIX_ENTRIES);
            for (int i = 0; i < msixCount; i++)
            {
                op.msixEntry(i, shared.getShort(base + msixEntryOffset(i)));
            }
        }
    }

    private void copyOut()
    {
        shared.putInt(base + ERR_OFFSET, op.err());
        shared.putInt(base + VALUE_OFFSET, op.value());
        if (op.cmd() == XenPciOp.ENABLE_MSIX && op.err() == 0)
        {
            for (int i = 0; i < msixCount; i++)
            {
                shared.putShort(base + msixVectorOffset(i), (short)op.msixVector(i));
            }
        }
    }

    /**
     * Operations handled so far.
     * @return operations handled.
     */
    public long handled()
    {
        return handled;
    }

    @Override
    public String roleName()
    {
        return "pciback-" + domainId;
    }
}
