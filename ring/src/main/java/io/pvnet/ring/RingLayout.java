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
    /** Xen {@code ring.h} byte for byte: 64-byte header with the four indices in its first 16 bytes (the default). */
    XEN(SharedRingDescriptor.XEN_HEADER_LENGTH,
        SharedRingDescriptor.XEN_REQ_PROD_OFFSET, SharedRingDescriptor.XEN_REQ_EVENT_OFFSET,
        SharedRingDescriptor.XEN_RSP_PROD_OFFSET, SharedRingDescriptor.XEN_RSP_EVENT_OFFSET),
    /**
     * 256-byte header: the front's fields (req_prod, rsp_event) and the back's (rsp_prod, req_event) on separate
     * 128-byte line pairs.
     */
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

    /** {@return bytes before the first slot} */
    public int headerLength()
    {
        return headerLength;
    }

    /** {@return offset of req_prod (u32, written by the front) in the header} */
    public int reqProdOffset()
    {
        return reqProdOffset;
    }

    /** {@return offset of req_event (u32, written by the back) in the header} */
    public int reqEventOffset()
    {
        return reqEventOffset;
    }

    /** {@return offset of rsp_prod (u32, written by the back) in the header} */
    public int rspProdOffset()
    {
        return rspProdOffset;
    }

    /** {@return offset of rsp_event (u32, written by the front) in the header} */
    public int rspEventOffset()
    {
        return rspEventOffset;
    }
}
