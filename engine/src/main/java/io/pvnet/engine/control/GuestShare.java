package io.pvnet.engine.control;

import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifSections;
import io.pvnet.ring.region.Region;
import io.pvnet.ring.region.RegionDescriptor;
import io.pvnet.ring.share.SealedMemory;

/**
 * The memory one cross-process guest shares with the host, and nothing else does: a sealed memfd
 * ({@link SealedMemory}) formatted as a small region holding that vif's three sections, in Xen's terms the guest's
 * own pages: its rings and granted buffers ({@code pages}), its grant table ({@code grants}) and its event words
 * ({@code events}). Section layouts: {@link VifSections}. The host's store, counters and section tables of other vifs
 * are elsewhere, in memory the guest never maps.
 * <pre>
 *  [ region descriptor + section table (4 entries) ][ pages ][ grants ][ events ]      one memfd per attached guest
 * </pre>
 * The host creates it when a guest attaches (fresh, zeroed memory: nothing of an earlier guest of the same vif),
 * records what it is in the descriptor's creator role ({@code switch}, {@code bench}: how its guest
 * names it, {@link ProcessKind}) and closes it after the vif is Closed. A guest can scribble on it, truncate nothing
 * (seals), and harm only its vif.
 * <p>
 * Threading: created and closed on the host's control thread; the region's sections are used by the vif's agent.
 */
public final class GuestShare implements AutoCloseable
{
    static final int SECTION_CAPACITY = 4;

    private final SealedMemory memory;
    private final Region region;

    private GuestShare(final SealedMemory memory, final Region region)
    {
        this.memory = memory;
        this.region = region;
    }

    /** {@return the size of a share for a vif of one queue} */
    public static long lengthBytes()
    {
        return lengthBytes(1);
    }

    /** {@return the size of a share for a vif whose guest may connect {@code queues} queues} */
    public static long lengthBytes(final int queues)
    {
        return RegionDescriptor.headerLength(SECTION_CAPACITY) + pageAligned(VifSections.pagesLength(queues)) +
            pageAligned(VifSections.grantsLength(queues)) + pageAligned(VifSections.eventsLength(queues)) +
            (queues > 1 ? pageAligned(VifSections.guestSelectorLength()) : 0);
    }

    /** {@return the queue count a share of {@code lengthBytes} bytes is made for, or -1 if none} */
    static int queuesFor(final long lengthBytes)
    {
        for (int queues = 1; queues <= VifConfig.MAX_QUEUES; queues++)
        {
            if (lengthBytes(queues) == lengthBytes)
            {
                return queues;
            }
        }
        return -1;
    }

    /** As {@link #create(VifConfig, String)} by a host that does not say what it is (its guest cannot name it). */
    public static GuestShare create(final VifConfig config)
    {
        return create(config, "");
    }

    /**
     * Host: a fresh share for vif {@code config}, its sections allocated for {@code config.queues()} queues.
     *
     * @param config the vif.
     * @param kind   what the host is ({@link ProcessKind}: {@code switch}, {@code bench}), recorded as
     *               the share's creator role so its guest names it ({@code lost the bench process: ...}); "" for
     *               none.
     * @return the share, owned by the caller.
     * @throws io.pvnet.ring.region.RegionException when {@code kind} is no role (up to 8 of {@code a-z 0-9 -}).
     */
    public static GuestShare create(final VifConfig config, final String kind)
    {
        final int queues = config.queues();
        final SealedMemory memory = SealedMemory.create("pvnet-vif" + config.domid() + "." + config.handle(),
            lengthBytes(queues));
        try
        {
            final Region region = Region.createIn(memory.segment(), SECTION_CAPACITY, kind);
            region.allocateSection(VifSections.pagesName(config.domid(), config.handle()),
                VifSections.pagesLength(queues));
            region.allocateSection(VifSections.grantsName(config.domid(), config.handle()),
                VifSections.grantsLength(queues));
            region.allocateSection(VifSections.eventsName(config.domid(), config.handle()),
                VifSections.eventsLength(queues));
            if (queues > 1)
            {
                // the guest's own wait point for its queues' ports (it lays the selector out; the backend raises it)
                region.allocateSection(VifSections.guestSelectorName(config.domid(), config.handle()),
                    VifSections.guestSelectorLength());
            }
            return new GuestShare(memory, region);
        }
        catch (final RuntimeException ex)
        {
            memory.close();
            throw ex;
        }
    }

    /**
     * Guest: adopts the memfd the host sent (seals and size checked before mapping) and opens its region.
     *
     * @throws IllegalArgumentException when the memory is not what a share must be.
     */
    public static GuestShare adopt(final int fd, final long lengthBytes)
    {
        if (queuesFor(lengthBytes) < 0)
        {
            io.pvnet.ring.share.LinuxCalls.close(fd);
            throw new IllegalArgumentException("share of " + lengthBytes + " bytes; this build expects " + lengthBytes() +
                " (one queue) or the size of a share for 2.." + VifConfig.MAX_QUEUES + " queues");
        }
        final SealedMemory memory = SealedMemory.adopt(fd, lengthBytes);
        try
        {
            return new GuestShare(memory, Region.openIn(memory.segment()));
        }
        catch (final RuntimeException ex)
        {
            memory.close();
            throw new IllegalArgumentException("share: " + ex.getMessage(), ex);
        }
    }

    /** @return the region over the share, with the vif's sections. */
    public Region region()
    {
        return region;
    }

    /** @return the memfd, to send to the guest. */
    public int fd()
    {
        return memory.fd();
    }

    /** Unmaps the share and closes its descriptor; the vif must not use it any more. */
    @Override
    public void close()
    {
        region.close();
        memory.close();
    }

    private static long pageAligned(final long length)
    {
        return (length + RegionDescriptor.PAGE_SIZE - 1) & -RegionDescriptor.PAGE_SIZE;
    }
}
