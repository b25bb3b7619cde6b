package io.pvnet.engine.vif;

import io.pvnet.ring.grant.GrantTableDescriptor;

/**
 * Where a vif lives in a region: three sections, allocated by the frontend (the guest's memory) and found by name.
 * <pre>
 *  vif.D.H.pages   the guest's page section, 4096-byte frames:
 *                    frame 0            tx ring (SharedRing, 256 slots of 12 bytes)
 *                    frame 1            rx ring (SharedRing, 256 slots of 8 bytes)
 *                    frames 2..257      tx buffers, one per tx id
 *                    frames 258..513    rx buffers, one per rx id
 *  vif.D.H.grants  the guest's grant table (GrantTableDescriptor), 1024 entries
 *  vif.D.H.evtchn  two event-channel ports: 0 = the backend's, 1 = the frontend's
 * </pre>
 * The rings are shared with the backend through grant references written to XenStore ({@code tx-ring-ref},
 * {@code rx-ring-ref}); the backend maps them by reference (see {@code GrantMapper}).
 */
public final class VifSections
{
    /** Slots per ring (what a 4096-byte page gives for both netif rings). */
    public static final int RING_SIZE = 256;
    /** Frame of the tx ring. */
    public static final int TX_RING_FRAME = 0;
    /** Frame of the rx ring. */
    public static final int RX_RING_FRAME = 1;
    /** First tx buffer frame. */
    public static final int TX_BUFFER_FRAME = 2;
    /** First rx buffer frame. */
    public static final int RX_BUFFER_FRAME = TX_BUFFER_FRAME + RING_SIZE;
    /** Frames in the page section. */
    public static final int PAGE_COUNT = RX_BUFFER_FRAME + RING_SIZE;
    /** Grant table entries. */
    public static final int GRANT_ENTRIES = 1024;
    /** Backend's event port. */
    public static final int BACKEND_PORT = 0;
    /** Frontend's event port. */
    public static final int FRONTEND_PORT = 1;
    /** Page size. */
    public static final int PAGE_SIZE = 4096;
    /**
     * The host's {@link io.pvnet.ring.event.EventSelector} (one per region, created by the host): a guest raises its
     * vif's bit there when the backend's port is armed. Shared with the guests while they share the region; with
     * per-guest memory each guest's kick has to reach the host another way (an eventfd in the host's epoll).
     */
    public static final String SELECTOR_SECTION = "evtchn.selector";

    private VifSections()
    {
    }

    /**
     * {@return the region section name of the vif's granted pages}
     *
     * @param domid the guest's domain id.
     * @param handle the vif's handle.
     */
    public static String pagesName(final int domid, final int handle)
    {
        return "vif." + domid + "." + handle + ".pages";
    }

    /**
     * {@return the region section name of the vif's grant table}
     *
     * @param domid the guest's domain id.
     * @param handle the vif's handle.
     */
    public static String grantsName(final int domid, final int handle)
    {
        return "vif." + domid + "." + handle + ".grants";
    }

    /**
     * {@return the region section name of the vif's event channels}
     *
     * @param domid the guest's domain id.
     * @param handle the vif's handle.
     */
    public static String eventsName(final int domid, final int handle)
    {
        return "vif." + domid + "." + handle + ".evtchn";
    }

    /**
     * Creates the region's selector for {@code vifs} vifs (host, configuration time).
     *
     * @param region the host's region; a section named {@link #SELECTOR_SECTION} is allocated in it.
     * @param vifs   vifs the selector must hold a bit for (at least 64 are made room for).
     * @return the selector, owned by the host.
     * @throws IllegalArgumentException naming the limit when {@code vifs} exceeds what one selector holds.
     */
    public static io.pvnet.ring.event.EventSelector createSelector(final io.pvnet.ring.region.Region region, final int vifs)
    {
        final int capacity = Math.max(64, vifs);
        final io.pvnet.ring.region.RegionSection section = region.allocateSection(SELECTOR_SECTION,
            io.pvnet.ring.event.EventSelectorDescriptor.lengthBytes(capacity));
        return io.pvnet.ring.event.EventSelector.initialise(section.segment(), capacity);
    }

    /**
     * {@return a raiser's handle on the region's selector, or null when the host made none}
     *
     * @param region the region as a guest (or the host) opened it.
     */
    public static io.pvnet.ring.event.EventSelector findSelector(final io.pvnet.ring.region.Region region)
    {
        final io.pvnet.ring.region.RegionSection section = region.findSection(SELECTOR_SECTION);
        try
        {
            return section == null ? null : io.pvnet.ring.event.EventSelector.attach(section.segment());
        }
        catch (final IllegalArgumentException ex)
        {
            return null; // not a selector: notifications fall back to futex wakes, the host's housekeeping still polls
        }
    }

    /** {@return bytes of the page section} */
    public static int pagesLength()
    {
        return PAGE_COUNT * PAGE_SIZE;
    }

    /** {@return bytes of the grant table section} */
    public static int grantsLength()
    {
        return GrantTableDescriptor.lengthBytes(GRANT_ENTRIES);
    }

    /** {@return bytes of the event-channel section} */
    public static int eventsLength()
    {
        return io.pvnet.ring.event.EventChannelDescriptor.lengthBytes(2);
    }

    /** {@return region bytes one vif needs, with page rounding slack} */
    public static long regionBytesPerVif()
    {
        return pagesLength() + grantsLength() + eventsLength() + 3L * PAGE_SIZE;
    }
}
