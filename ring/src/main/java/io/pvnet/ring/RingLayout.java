package io.pvnet.ring;

/**
 * Where the four shared indices of a {@link SharedRing} sit; see {@link SharedRingDescriptor} for both diagrams.
 * <ul>
 *   <li>{@link #XEN}: Xen {@code ring.h} byte for byte, 64-byte header (the default; what a real netfront speaks).</li>
 *   <li>{@link #PADDED}: 256-byte header; the fields the front writes (req_prod, rsp_event) share one cache-line
 *       pair and the fields the back writes (rsp_prod, req_event) another, so neither producer index shares a line
 *       with a field the other side writes.</li>
 * </ul>
 */
public enum RingLayout
{
    XEN(SharedRingDescriptor.XEN_HEADER_LENGTH,
        SharedRingDescriptor.XEN_REQ_PROD_OFFSET, SharedRingDescriptor.XEN_REQ_EVENT_OFFSET,
        SharedRingDescriptor.XEN_RSP_PROD_OFFSET, SharedRingDescriptor.XEN_RSP_EVENT_OFFSET),
    PADDED(SharedRingDescriptor.PADDED_HEADER_LENGTH,
        SharedRingDescriptor.PADDED_REQ_PROD_OFFSET, SharedRingDescriptor.PADDED_REQ_EVENT_OFFSET,
        SharedRingDescriptor.PADDED_RSP_PROD_OFFSET, SharedRingDescriptor.PADDED_RSP_EVENT_OFFSET);

    final int headerLength;
    final int reqProdOffset;
    final int reqEventOffset;
    final int rspProdOffset;
    final int rspEventOffset;

    RingLayout(
        final int headerLength, final int reqProdOffset, final int reqEventOffset, final int rspProdOffset, final int rspEventOffset)
    {
        this.headerLength = headerLength;
        this.reqProdOffset = reqProdOffset;
        this.reqEventOffset = reqEventOffset;
        this.rspProdOffset = rspProdOffset;
        this.rspEventOffset = rspEventOffset;
    }

    /** @return bytes before the first slot. */
    public int headerLength()
    {
        return headerLength;
    }

    public int reqProdOffset()
    {
        return reqProdOffset;
    }

    public int reqEventOffset()
    {
        return reqEventOffset;
    }

    public int rspProdOffset()
    {
        return rspProdOffset;
    }

    public int rspEventOffset()
    {
        return rspEventOffset;
    }
}
