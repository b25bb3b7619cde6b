package io.pvnet.engine.control;

import io.pvnet.engine.VifRegion;
import io.pvnet.ring.region.Region;
import io.pvnet.ring.region.RegionDescriptor;
import io.pvnet.ring.share.SealedMemory;


/**
 * The memory of a switch whose guests live in other processes, out of every other process's reach:
 * <ul>
 * <li>its private region (section table, store, event selector) in a memfd that is never handed to anyone and has no
 * name in any file system;</li>
 * <li>its counters in a memfd only this process can write ({@link SealedMemory#createWrittenByCreatorOnly}), handed
 * read-only to the administrator's {@code pvnet stat} over the control socket ({@link AdminService});</li>
 * <li>each guest's own share in a sealed memfd sent to that guest only ({@link GuestShare}).</li>
 * </ul>
 * A descriptor is still reachable through {@code /proc/PID/fd/N}, and memory through {@code /proc/PID/mem} and
 * {@code /proc/PID/map_files}, by any process of the same uid that may ptrace this one; {@link ProcessProtection#closeToOthers}
 * shuts those doors ({@code prctl(PR_SET_DUMPABLE, 0)}). What is left open is in the engine README ("What a guest can
 * still reach"): root, and JVM attach when the JVM was not started with {@code -XX:+DisableAttachMechanism}.
 * <p>
 * Threading: create and close on the switch's main thread; close after every agent using the memory has stopped.
 */
public final class HostMemory implements AutoCloseable
{
    private final SealedMemory privateMemory;
    private final Region region;
    private final SealedMemory counters;
    private final VifRegion vifRegion;

    private HostMemory(final SealedMemory privateMemory, final Region region, final SealedMemory counters,
        final VifRegion vifRegion)
    {
        this.privateMemory = privateMemory;
        this.region = region;
        this.counters = counters;
        this.vifRegion = vifRegion;
    }

    /**
     * Creates the memory of a switch with {@code vifs} vifs: its region with the store (and room for the event
     * selector), and its counters.
     */
    public static HostMemory create(final int vifs)
    {
        return create(vifs, 1);
    }

    /** As {@link #create(int)} for vifs of {@code queues} queues each (their keys and per-queue counters). */
    public static HostMemory create(final int vifs, final int queues)
    {
        final long bytes = pageAligned(VifRegion.hostRegionBytes(vifs, queues));
        final SealedMemory privateMemory = SealedMemory.create("pvnet-switch", bytes);
        SealedMemory counters = null;
        try
        {
            final Region region = Region.createIn(privateMemory.segment(), VifRegion.sectionCapacity(vifs));
            counters = SealedMemory.createWrittenByCreatorOnly("pvnet-counters", VifRegion.countersBytes(vifs, queues));
            return new HostMemory(privateMemory, region, counters,
                VifRegion.create(region, vifs, queues, counters.buffer()));
        }
        catch (final RuntimeException ex)
        {
            if (counters != null)
            {
                counters.close();
            }
            privateMemory.close();
            throw ex;
        }
    }

    /** @return the switch's private region (store, selector, section table). */
    public Region region()
    {
        return region;
    }

    /** @return the engine's view: the store in the private region, the counters in their own memory. */
    public VifRegion vifRegion()
    {
        return vifRegion;
    }

    /** @return the counters' memory, for {@link AdminService}. */
    public SealedMemory counters()
    {
        return counters;
    }

    /** Unmaps everything; every view becomes invalid. */
    @Override
    public void close()
    {
        region.close();
        privateMemory.close();
        counters.close();
    }

    private static long pageAligned(final long length)
    {
        return (length + RegionDescriptor.PAGE_SIZE - 1) & -RegionDescriptor.PAGE_SIZE;
    }
}
