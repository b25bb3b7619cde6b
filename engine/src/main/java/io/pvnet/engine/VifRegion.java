package io.pvnet.engine;

import io.pvnet.engine.vif.VifSections;
import io.pvnet.engine.store.StoreDescriptor;
import io.pvnet.engine.store.XenStore;
import io.pvnet.ring.region.Region;
import io.pvnet.ring.region.RegionSection;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * The engine's shared sections of a region: the XenStore area ({@code store}) and the counters ({@code counters}:
 * Agrona counters metadata then values). The host side creates them; guests and tools attach.
 * <pre>
 *  store      StoreDescriptor, {@link #STORE_ENTRIES} entries
 *  counters   [ metadata: COUNTERS * 512 bytes ][ values: COUNTERS * 128 bytes ]
 * </pre>
 * Threading: {@link #countersManager()} allocates counters and belongs to the creating process's configuration thread.
 */
public final class VifRegion
{
    /** Name of the store section. */
    public static final String STORE_SECTION = "store";
    /** Name of the counters section. */
    public static final String COUNTERS_SECTION = "counters";
    /** Entries of the store (about 40 per vif). */
    public static final int STORE_ENTRIES = 1024;
    /** Counters the section holds (about 40 per vif). */
    public static final int COUNTERS = 2048;

    private final Region region;
    private final XenStore store;
    private final CountersManager countersManager;
    private final CountersReader countersReader;

    private VifRegion(final Region region, final XenStore store, final CountersManager manager, final CountersReader reader)
    {
        this.region = region;
        this.store = store;
        this.countersManager = manager;
        this.countersReader = reader;
    }

    /** Creates the store and counters sections in a fresh region. */
    public static VifRegion create(final Region region)
    {
        final RegionSection storeSection = region.allocateSection(STORE_SECTION, StoreDescriptor.length(STORE_ENTRIES));
        final XenStore store = XenStore.create(storeSection.buffer(), STORE_ENTRIES);
        final RegionSection countersSection = region.allocateSection(COUNTERS_SECTION, countersLength());
        final CountersManager manager = new CountersManager(metadata(countersSection.buffer()), values(countersSection.buffer()));
        return new VifRegion(region, store, manager, manager);
    }

    /**
     * Attaches to the sections another process created.
     *
     * @throws IllegalStateException naming the missing section.
     */
    public static VifRegion attach(final Region region)
    {
        final RegionSection storeSection = region.findSection(STORE_SECTION);
        final RegionSection countersSection = region.findSection(COUNTERS_SECTION);
        if (storeSection == null || countersSection == null)
        {
            throw new IllegalStateException("region " + region + " has no section=" +
                (storeSection == null ? STORE_SECTION : COUNTERS_SECTION));
        }
        final XenStore store = XenStore.attach(storeSection.buffer());
        final CountersReader reader = new CountersReader(metadata(countersSection.buffer()), values(countersSection.buffer()));
        return new VifRegion(region, store, null, reader);
    }

    private static int countersLength()
    {
        return COUNTERS * (CountersReader.METADATA_LENGTH + CountersReader.COUNTER_LENGTH);
    }

    private static AtomicBuffer metadata(final AtomicBuffer section)
    {
        return new UnsafeBuffer(section, 0, COUNTERS * CountersReader.METADATA_LENGTH);
    }

    private static AtomicBuffer values(final AtomicBuffer section)
    {
        return new UnsafeBuffer(section, COUNTERS * CountersReader.METADATA_LENGTH, COUNTERS * CountersReader.COUNTER_LENGTH);
    }

    public Region region()
    {
        return region;
    }

    public XenStore store()
    {
        return store;
    }

    /**
     * @return the counters manager of the creating process.
     * @throws IllegalStateException in a process that attached.
     */
    public CountersManager countersManager()
    {
        if (countersManager == null)
        {
            throw new IllegalStateException("counters are allocated by the process that created the region");
        }
        return countersManager;
    }

    /** @return a reader over the counters (any process). */
    public CountersReader countersReader()
    {
        return countersReader;
    }

    /** @return region bytes for {@code vifs} vifs plus the engine sections. */
    public static long regionBytes(final int vifs)
    {
        return StoreDescriptor.length(STORE_ENTRIES) + countersLength() + vifs * VifSections.regionBytesPerVif() +
            (1 << 20);
    }
}
