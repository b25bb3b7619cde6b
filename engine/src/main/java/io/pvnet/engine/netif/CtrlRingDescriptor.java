package io.pvnet.engine.netif;

import io.pvnet.ring.SharedRingDescriptor;

/**
 * The control ring ({@code feature-ctrl-ring}): one 4096-byte page granted by the frontend ({@code ctrl-ring-ref}),
 * a {@code ring.h} shared ring whose slots hold a {@link CtrlRequestDescriptor} (16 bytes) or, once answered, a
 * {@link CtrlResponseDescriptor} (12 bytes). Events travel on its own channel ({@code event-channel-ctrl}).
 * <pre>
 *  0     64-byte shared ring header (req_prod, req_event, rsp_prod, rsp_event, padding; SharedRingDescriptor)
 *  64    slot 0    16 bytes: request, overwritten by its response
 *  80    slot 1
 *  ...   (4096 - 64) / 16 = 252, rounded down to a power of two: 128 slots
 *  2112  end of the last slot (the rest of the page is unused)
 * </pre>
 */
public final class CtrlRingDescriptor
{
    /** Bytes of the shared page. */
    public static final int PAGE_SIZE = 4096;
    /** Bytes per slot: the larger of request and response. */
    public static final int SLOT_LENGTH = CtrlRequestDescriptor.LENGTH;
    /** Slots of a one-page control ring. */
    public static final int SLOTS = 128;

    private CtrlRingDescriptor()
    {
    }

    /** @return the slot count a {@code pageSize}-byte ring of {@link #SLOT_LENGTH}-byte slots has (Xen's layout). */
    public static int slotCount(final int pageSize)
    {
        return SharedRingDescriptor.slotCount(pageSize, SLOT_LENGTH, io.pvnet.ring.RingLayout.XEN);
    }
}
