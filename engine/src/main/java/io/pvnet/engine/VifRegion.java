package io.pvnet.engine;

import io.pvnet.engine.vif.VifCounters;
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
    /** Entries of the store at least (a region for up to {@value #DEFAULT_VIFS} vifs). */
    public static final int STORE_ENTRIES = 1024;
    /** Counters the section holds at least. */
    public static final int COUNTERS = 2048;
    /** Vifs {@link #create(Region)} sizes for. */
    public static final int DEFAULT_VIFS = 16;
    /** Store entries a vif uses: both directories' keys (about 45) with room to spare. */
    public static final int STORE_ENTRIES_PER_VIF = 64;
    /**
     * Counters per vif: its own ({@link VifCounters#KIND_COUNT}) and the switch's view of its port, published by
     * {@link SwitchCounters} (7 totals and a tx and an rx drop per {@code PortDropReason}).
     */
    public static final int COUNTERS_PER_VIF = VifCounters.KIND_COUNT + 7 +
        2 * (io.pvnet.engine.port.PortDropReason.END - io.pvnet.engine.port.PortDropReason.FIRST);
    /** Store entries and counters for what is not a vif (ports, tools, pciback). */
    private static final int SPARE = 256;

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

    /**
     * Creates the store and counters sections in a fresh region, sized for {@value #DEFAULT_VIFS} vifs. Host side,
     * configuration time.
     *
     * @param region a region this process created, with room for the sections ({@link #regionBytes}).
     * @return the store and counters of the region; this process allocates the counters.
     */
    public static VifRegion create(final Region region)
    {
        return create(region, DEFAULT_VIFS);
    }

    /**
     * Creates the store and counters sections in a fresh region, sized for {@code vifs} vifs. Host side,
     * configuration time.
     *
     * @param region a region this process created, of at least {@link #regionBytes}{@code (vifs)} bytes.
     * @param vifs   vifs the store and counters are sized for.
     * @return the store and counters of the region; this process allocates the counters.
     */
    public static VifRegion create(final Region region, final int vifs)
    {
        return create(region, vifs, 1);
    }

    /**
     * As {@link #create(Region, int)}, with room for vifs of {@code queues} queues each: their {@code queue-N/} keys
     * and per-queue counters ({@code io.pvnet.engine.vif.QueueCounters}).
     *
     * @param region a region this process created, of at least {@link #regionBytes}{@code (vifs, queues)} bytes.
     * @param vifs   vifs the store and counters are sized for.
     * @param queues queues per vif (1..{@code VifConfig.MAX_QUEUES}).
     * @return the store and counters of the region; this process allocates the counters.
     */
    public static VifRegion create(final Region region, final int vifs, final int queues)
    {
        final int entries = storeEntries(vifs) + queueStoreEntries(vifs, queues);
        final int counters = counters(vifs) + queueCounters(vifs, queues);
        final RegionSection storeSection = region.allocateSection(STORE_SECTION, StoreDescriptor.length(entries));
        final XenStore store = XenStore.create(storeSection.buffer(), entries);
        final RegionSection countersSection = region.allocateSection(COUNTERS_SECTION, countersLength(counters));
        final CountersManager manager = new CountersManager(
            metadata(countersSection.buffer(), counters), values(countersSection.buffer(), counters));
        return new VifRegion(region, store, manager, manager);
    }

    /**
     * {@return store entries for {@code vifs} vifs}
     *
     * @param vifs vifs in the region.
     */
    public static int storeEntries(final int vifs)
    {
        return Math.max(STORE_ENTRIES, vifs * STORE_ENTRIES_PER_VIF + SPARE);
    }

    /**
     * {@return counters for {@code vifs} vifs}
     *
     * @param vifs vifs in the region.
     */
    public static int counters(final int vifs)
    {
        return Math.max(COUNTERS, vifs * COUNTERS_PER_VIF + SPARE);
    }

    /** {@return store entries the {@code queue-N/} keys of {@code vifs} vifs of {@code queues} queues take} */
    static int queueStoreEntries(final int vifs, final int queues)
    {
        return queues > 1 ? vifs * (queues * 5 + 1) : 0;
    }

    /** {@return per-queue counters of {@code vifs} vifs of {@code queues} queues (none for one queue)} */
    static int queueCounters(final int vifs, final int queues)
    {
        return queues > 1 ? vifs * queues * io.pvnet.engine.vif.QueueCounters.KINDS.length : 0;
    }

    /**
     * {@return region section-table entries for {@code vifs} vifs: three each, the engine's, and spare}
     *
     * @param vifs vifs in the region.
     */
    public static int sectionCapacity(final int vifs)
    {
        return Math.max(io.pvnet.ring.region.RegionDescriptor.DEFAULT_SECTION_CAPACITY, 3 * vifs + 32);
    }

    /**
     * Attaches to the sections another process created (a guest process, {@code pvnet stat}).
     *
     * @param region the region as this process opened it.
     * @return the store and a reader of the counters; {@link #countersManager()} is not available.
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
        final int counters = countersSection.lengthBytes() / (CountersReader.METADATA_LENGTH + CountersReader.COUNTER_LENGTH);
        final CountersReader reader = new CountersReader(
            metadata(countersSection.buffer(), counters), values(countersSection.buffer(), counters));
        return new VifRegion(region, store, null, reader);
    }

    private static int countersLength(final int counters)
    {
        return counters * (CountersReader.METADATA_LENGTH + CountersReader.COUNTER_LENGTH);
    }

    private static AtomicBuffer metadata(final AtomicBuffer section, final int counters)
    {
        return new UnsafeBuffer(section, 0, counters * CountersReader.METADATA_LENGTH);
    }

    private static AtomicBuffer values(final AtomicBuffer section, final int counters)
    {
        return new UnsafeBuffer(section, counters * CountersReader.METADATA_LENGTH, counters * CountersReader.COUNTER_LENGTH);
    }

    /** {@return the region holding the store, counters and vif sections} */
    public Region region()
    {
        return region;
    }

    /** {@return the XenStore-like key/value area the two halves negotiate through} */
    public XenStore store()
    {
        return store;
    }

    /**
     * {@return the counters manager of the creating process} Allocating counters is configuration-time work.
     *
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

    /** {@return a reader over the counters (any process)} */
    public CountersReader countersReader()
    {
        return countersReader;
    }

    /**
     * {@return region bytes for {@code vifs} vifs plus the engine sections of {@link #create(Region, int)} and the
     * section table of {@link #sectionCapacity(int)} entries}
     *
     * @param vifs vifs the region will hold.
     */
    public static long regionBytes(final int vifs)
    {
        return regionBytes(vifs, 1);
    }

    /**
     * {@return bytes of a region for {@code vifs} vifs whose frontends connect {@code queues} queues each}
     *
     * @param vifs   vifs in the region.
     * @param queues queues per vif.
     */
    public static long regionBytes(final int vifs, final int queues)
    {
        final int sized = Math.max(vifs, DEFAULT_VIFS);
        return StoreDescriptor.length(storeEntries(sized) + queueStoreEntries(sized, queues)) +
            countersLength(counters(sized) + queueCounters(sized, queues)) +
            (long)vifs * VifSections.regionBytesPerVif(queues) +
            io.pvnet.ring.region.RegionDescriptor.headerLength(sectionCapacity(vifs)) +
            io.pvnet.ring.event.EventSelectorDescriptor.lengthBytes(io.pvnet.ring.event.EventSelectorDescriptor.MAX_CAPACITY) +
            (1 << 20);
    }
}
