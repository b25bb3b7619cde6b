package io.pvnet.pci.channel;

import io.pvnet.pci.ConfigAccess;
import io.pvnet.pci.PciRegisters;
import io.pvnet.ring.grant.GrantStatus;
import io.pvnet.ring.grant.GrantTable;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * DMA for an emulated device, confined to what the guest granted: the device reaches guest memory only by grant
 * reference, through {@link GrantTable}'s bounds-checked copies (one page per reference, the page's own bounds, the
 * grant's domain and read-only flag), and only while the guest has bus mastering on. A DMA to a raw bus address is
 * always refused. Every refusal is counted. This lifts NetBSD pciback's caveat that a guest can make its device DMA
 * over any memory.
 * <p>
 * Threads: one device-model thread. Allocation-free; returns status codes, never throws.
 */
public final class DmaEngine
{
    /** Bus mastering is off in the device's command register. */
    public static final int BUS_MASTER_DISABLED = -1000;
    /** The device addressed memory by bus address instead of a grant reference. */
    public static final int UNTRANSLATED_ADDRESS = -1001;

    private final GrantTable grants;
    private final int backendDomid;
    private final ConfigAccess device;
    private long bytesRead;
    private long bytesWritten;
    private long refusedBusMaster;
    private long refusedUntranslated;
    private long refusedByGrant;

    /**
     * @param grants       the guest's grant table (the guest is the granter).
     * @param backendDomid the domain the guest granted to (the backend running the device model).
     * @param device       the emulated device's config space (for the bus-master bit).
     */
    public DmaEngine(final GrantTable grants, final int backendDomid, final ConfigAccess device)
    {
        this.grants = grants;
        this.backendDomid = backendDomid;
        this.device = device;
    }

    /** Device reads guest memory: {@link GrantStatus#OKAY} or a refusal. */
    public int read(final int ref, final int pageOffset, final MutableDirectBuffer destination,
        final int destinationOffset, final int length)
    {
        if (!busMaster())
        {
            refusedBusMaster++;
            return BUS_MASTER_DISABLED;
        }
        final int status = grants.copyFromGrant(backendDomid, ref, pageOffset, destination, destinationOffset, length);
        if (status != GrantStatus.OKAY)
        {
            refusedByGrant++;
            return status;
        }
        bytesRead += length;
        return status;
    }

    /** Device writes guest memory: {@link GrantStatus#OKAY} or a refusal. */
    public int write(final int ref, final int pageOffset, final DirectBuffer source, final int sourceOffset,
        final int length)
    {
        if (!busMaster())
        {
            refusedBusMaster++;
            return BUS_MASTER_DISABLED;
        }
        final int status = grants.copyToGrant(backendDomid, ref, pageOffset, source, sourceOffset, length);
        if (status != GrantStatus.OKAY)
        {
            refusedByGrant++;
            return status;
        }
        bytesWritten += length;
        return status;
    }

    /** A DMA by bus address (what real hardware does): always refused. */
    public int readAddress(final long busAddress, final MutableDirectBuffer destination, final int destinationOffset,
        final int length)
    {
        refusedUntranslated++;
        return UNTRANSLATED_ADDRESS;
    }

    /** A DMA by bus address (what real hardware does): always refused. */
    public int writeAddress(final long busAddress, final DirectBuffer source, final int sourceOffset, final int length)
    {
        refusedUntranslated++;
        return UNTRANSLATED_ADDRESS;
    }

    private boolean busMaster()
    {
        return (device.read(PciRegisters.COMMAND, 2) & PciRegisters.COMMAND_MASTER) != 0;
    }

    public long bytesRead()
    {
        return bytesRead;
    }

    public long bytesWritten()
    {
        return bytesWritten;
    }

    public long refusedBusMaster()
    {
        return refusedBusMaster;
    }

    public long refusedUntranslated()
    {
        return refusedUntranslated;
    }

    public long refusedByGrant()
    {
        return refusedByGrant;
    }

    /** Every refusal. */
    public long refused()
    {
        return refusedBusMaster + refusedUntranslated + refusedByGrant;
    }
}
