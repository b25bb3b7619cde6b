package io.pvnet.engine.vif;

import io.pvnet.ring.grant.GrantTableDescriptor;

/**
 * Where a vif lives in a region: three sections, allocated by the frontend (the guest's memory) and found by name.
 * A frontend with Q queues ({@code VifConfig.queues}) allocates Q blocks of {@link #QUEUE_FRAMES} frames, Q times the
 * grant entries and two event ports per queue; queue q's frames start at {@code q * QUEUE_FRAMES}
 * ({@link #frame}):
 * <pre>
 *  vif.D.H.pages   the guest's page section, 4096-byte frames, per queue q at base = q * 514:
 *                    frame base + 0          tx ring (SharedRing, 256 slots of 12 bytes)
 *                    frame base + 1          rx ring (SharedRing, 256 slots of 8 bytes)
 *                    frames base + 2..257    tx buffers, one per tx id
 *                    frames base + 258..513  rx buffers, one per rx id
 *  vif.D.H.grants  the guest's grant table (GrantTableDescriptor), 1024 entries per queue
 *  vif.D.H.evtchn  two event-channel ports per queue: 2q = the backend's, 2q + 1 = the frontend's
 * </pre>
 * The backend does not rely on this arrangement: it maps whatever frames the grant references name and binds whatever
 * backend ports (even numbers) the keys name, checking each; the layout is the frontend's choice.
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
    /** Frames of one queue (its two rings and its buffers). */
    public static final int QUEUE_FRAMES = RX_BUFFER_FRAME + RING_SIZE;
    /** Frames in the page section of a single-queue vif. */
    public static final int PAGE_COUNT = QUEUE_FRAMES;
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

    /**
     * {@return frame {@code queueFrame} of queue {@code queue}'s block of the page section}
     *
     * @param queue      the queue, 0..queues-1.
     * @param queueFrame a frame of the single-queue layout ({@link #TX_RING_FRAME}, {@link #RX_BUFFER_FRAME} + id...).
     */
    public static int frame(final int queue, final int queueFrame)
    {
        return queue * QUEUE_FRAMES + queueFrame;
    }

    /**
     * {@return the region section name of a multi-queue guest's own {@link io.pvnet.ring.event.EventSelector}: its
     * frontend ports are bound to bit q of it, so that one guest thread sleeps on one word for every queue}
     *
     * @param domid  the guest's domain id.
     * @param handle the vif's handle.
     */
    public static String guestSelectorName(final int domid, final int handle)
    {
        return "vif." + domid + "." + handle + ".selector";
    }

    /** Bits of a guest's selector (one per queue; the selector's smallest useful size). */
    public static final int GUEST_SELECTOR_BITS = 64;

    /** {@return bytes of a guest's selector section} */
    public static int guestSelectorLength()
    {
        return io.pvnet.ring.event.EventSelectorDescriptor.lengthBytes(GUEST_SELECTOR_BITS);
    }

    /**
     * {@return the backend's event port of queue {@code queue} (the value of its {@code event-channel} key)}
     *
     * @param queue the queue, 0..queues-1.
     */
    public static int backendPort(final int queue)
    {
        return 2 * queue + BACKEND_PORT;
    }

    /**
     * {@return the frontend's event port of queue {@code queue}}
     *
     * @param queue the queue, 0..queues-1.
     */
    public static int frontendPort(final int queue)
    {
        return 2 * queue + FRONTEND_PORT;
    }

    /** {@return bytes of the page section of a single-queue vif} */
    public static int pagesLength()
    {
        return pagesLength(1);
    }

    /**
     * {@return bytes of the page section of a vif with {@code queues} queues}
     *
     * @param queues queues of the vif.
     */
    public static int pagesLength(final int queues)
    {
        return queues * QUEUE_FRAMES * PAGE_SIZE;
    }

    /** {@return bytes of the grant table section of a single-queue vif} */
    public static int grantsLength()
    {
        return grantsLength(1);
    }

    /**
     * {@return bytes of the grant table section of a vif with {@code queues} queues}
     *
     * @param queues queues of the vif.
     */
    public static int grantsLength(final int queues)
    {
        return GrantTableDescriptor.lengthBytes(queues * GRANT_ENTRIES);
    }

    /** {@return bytes of the event-channel section of a single-queue vif} */
    public static int eventsLength()
    {
        return eventsLength(1);
    }

    /**
     * {@return bytes of the event-channel section of a vif with {@code queues} queues (two ports each)}
     *
     * @param queues queues of the vif.
     */
    public static int eventsLength(final int queues)
    {
        return io.pvnet.ring.event.EventChannelDescriptor.lengthBytes(2 * queues);
    }

    /** {@return region bytes one single-queue vif needs, with page rounding slack} */
    public static long regionBytesPerVif()
    {
        return regionBytesPerVif(1);
    }

    /**
     * {@return region bytes one vif of {@code queues} queues needs, with page rounding slack}
     *
     * @param queues queues of the vif.
     */
    public static long regionBytesPerVif(final int queues)
    {
        return (long)pagesLength(queues) + grantsLength(queues) + eventsLength(queues) +
            (queues > 1 ? guestSelectorLength() + PAGE_SIZE : 0) + 3L * PAGE_SIZE;
    }
}
