package io.pvnet.ring;

import org.agrona.DirectBuffer;

/**
 * Layout of a shared ring ({@code ring.h}): a header with four free-running u32 indices, then a power-of-two number
 * of equal slots. Every index is native-endian (little-endian on the platforms pvnet runs on, as on Xen x86).
 * <p>
 * {@link RingLayout#XEN} (the default, Xen-compatible):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+  0
 *  |            req_prod (u32, written by the front)               |
 *  +---------------------------------------------------------------+  4
 *  |            req_event (u32, written by the back)               |
 *  +---------------------------------------------------------------+  8
 *  |            rsp_prod (u32, written by the back)                |
 *  +---------------------------------------------------------------+ 12
 *  |            rsp_event (u32, written by the front)              |
 *  +---------------------------------------------------------------+ 16
 *  |  pvt (4 bytes, netif smartpoll_active, unused), pad to 64     |
 *  |                              ...                              |
 *  +---------------------------------------------------------------+ 64
 *  |  slot 0 (entry length bytes: request, later its response)     |
 *  +---------------------------------------------------------------+
 *  |  slot 1 ... slot n-1, n = largest power of two that fits      |
 *  +---------------------------------------------------------------+
 * </pre>
 * {@link RingLayout#PADDED} (each side's written indices on their own 128-byte line pair):
 * <pre>
 *  +---------------------------------------------------------------+  0
 *  |            req_prod (u32, front)                              |
 *  +---------------------------------------------------------------+  4
 *  |            rsp_event (u32, front)                             |
 *  +---------------------------------------------------------------+  8
 *  |                          pad to 128                           |
 *  +---------------------------------------------------------------+ 128
 *  |            rsp_prod (u32, back)                               |
 *  +---------------------------------------------------------------+ 132
 *  |            req_event (u32, back)                              |
 *  +---------------------------------------------------------------+ 136
 *  |                          pad to 256                           |
 *  +---------------------------------------------------------------+ 256
 *  |  slot 0 ... slot n-1                                          |
 *  +---------------------------------------------------------------+
 * </pre>
 * A slot's index is {@code index & (n - 1)}; its offset is {@code headerLength + (index & (n - 1)) * entryLength}.
 * With 12-byte entries a 4096-byte page holds 336 slots, rounded down to 256.
 */
public final class SharedRingDescriptor
{
    /** {@link RingLayout#XEN}: bytes before slot 0. */
    public static final int XEN_HEADER_LENGTH = 64;
    /** {@link RingLayout#XEN}: offset of req_prod (u32, front). */
    public static final int XEN_REQ_PROD_OFFSET = 0;
    /** {@link RingLayout#XEN}: offset of req_event (u32, back). */
    public static final int XEN_REQ_EVENT_OFFSET = 4;
    /** {@link RingLayout#XEN}: offset of rsp_prod (u32, back). */
    public static final int XEN_RSP_PROD_OFFSET = 8;
    /** {@link RingLayout#XEN}: offset of rsp_event (u32, front). */
    public static final int XEN_RSP_EVENT_OFFSET = 12;
    /** {@link RingLayout#XEN}: offset of the private bytes (netif's smartpoll_active; unused). */
    public static final int XEN_PVT_OFFSET = 16;

    /** {@link RingLayout#PADDED}: bytes before slot 0. */
    public static final int PADDED_HEADER_LENGTH = 256;
    /** {@link RingLayout#PADDED}: offset of req_prod (u32, front). */
    public static final int PADDED_REQ_PROD_OFFSET = 0;
    /** {@link RingLayout#PADDED}: offset of rsp_event (u32, front), on req_prod's line pair. */
    public static final int PADDED_RSP_EVENT_OFFSET = 4;
    /** {@link RingLayout#PADDED}: offset of rsp_prod (u32, back), on its own line pair. */
    public static final int PADDED_RSP_PROD_OFFSET = 128;
    /** {@link RingLayout#PADDED}: offset of req_event (u32, back), on rsp_prod's line pair. */
    public static final int PADDED_REQ_EVENT_OFFSET = 132;

    /** One page, the unit Xen grants rings in. */
    public static final int PAGE_SIZE = 4096;

    private SharedRingDescriptor()
    {
    }

    /**
     * {@return the number of slots ({@code __RING_SIZE}): the largest power of two with {@code headerLength + n *
     * entryLength <= capacityBytes}, or 0 when not even one fits}
     * @param capacityBytes the ring buffer's length.
     * @param entryLength bytes per slot.
     * @param layout where the indices sit (decides the header length).
     */
    public static int slotCount(final int capacityBytes, final int entryLength, final RingLayout layout)
    {
        if (entryLength < 1 || capacityBytes <= layout.headerLength)
        {
            return 0;
        }
        final int fits = (capacityBytes - layout.headerLength) / entryLength;
        return fits == 0 ? 0 : Integer.highestOneBit(fits);
    }

    /**
     * {@return bytes a ring of {@code pages} pages needs; the buffer to build a multi-page ring over}
     * @param pages ring pages (1 for a classic Xen ring).
     */
    public static int lengthForPages(final int pages)
    {
        return pages * PAGE_SIZE;
    }

    /**
     * Checks that a buffer can hold a ring of this entry length and layout, aligned for atomic index access.
     * @param buffer the ring's shared memory.
     * @param entryLength bytes per slot.
     * @param layout where the indices sit.
     * @throws IllegalArgumentException with {@code name=value} when the buffer cannot hold one slot of that length.
     */
    public static void checkCapacity(final DirectBuffer buffer, final int entryLength, final RingLayout layout)
    {
        if (entryLength < 1)
        {
            throw new IllegalArgumentException("entryLength=" + entryLength + " must be >= 1");
        }
        if (slotCount(buffer.capacity(), entryLength, layout) < 1)
        {
            throw new IllegalArgumentException("capacity=" + buffer.capacity() + " cannot hold header=" + layout.headerLength
                + " and one slot of entryLength=" + entryLength);
        }
        if ((buffer.addressOffset() & 3) != 0)
        {
            throw new IllegalArgumentException("ring buffer address must be 4-byte aligned: addressOffset=" + buffer.addressOffset());
        }
    }
}
