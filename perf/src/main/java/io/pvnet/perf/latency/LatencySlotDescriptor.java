package io.pvnet.perf.latency;

import java.nio.ByteOrder;

/**
 * Layout of one slot of the {@code ring} latency path's {@link io.pvnet.ring.SharedRing}: the request the sender
 * writes and, in the same slot (as Xen answers in the request's slot), the response the backend writes.
 * All fields little-endian, like the netif structs.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 intended send time (ns)                       |  0  request
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 actual send time (ns)                         |  8  request
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 backend picked the request up (ns)            | 16  response
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 backend pushed the response (ns)              | 24  response
 *  |                                                               |
 *  +---------------------------------------------------------------+
 * </pre>
 * Times are {@link System#nanoTime()} values. The response copies the two request fields back unchanged.
 */
public final class LatencySlotDescriptor
{
    public static final int INTENDED_SEND_OFFSET = 0;
    public static final int SEND_OFFSET = 8;
    public static final int PICKED_UP_OFFSET = 16;
    public static final int PUSHED_OFFSET = 24;
    /** Bytes per slot. */
    public static final int ENTRY_LENGTH = 32;
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    private LatencySlotDescriptor()
    {
    }
}
