package io.pvnet.engine.port;

import io.pvnet.engine.frame.OffloadPolicy;

/**
 * What a port's far side can finish itself, declared by each {@link Port} (the capability bits of the
 * {@link OffloadPolicy}): the bridge completes or splits in software only what the egress port does not declare, and
 * passes the rest through untouched.
 */
public final class PortOffloads
{
    /** Takes frames whose L4 checksum holds only the pseudo-header sum ({@code FrameFlags.CSUM_PARTIAL}). */
    public static final int CHECKSUM = OffloadPolicy.CHECKSUM;
    /** Takes TCP/IPv4 GSO frames (XEN_NETIF_GSO_TYPE_TCPV4) and segments them itself. */
    public static final int TSO4 = OffloadPolicy.TSO4;
    /** Takes TCP/IPv6 GSO frames (XEN_NETIF_GSO_TYPE_TCPV6). */
    public static final int TSO6 = OffloadPolicy.TSO6;
    /** Both TSO kinds. */
    public static final int TSO = TSO4 | TSO6;
    /** Everything above. */
    public static final int ALL = CHECKSUM | TSO;
    /** Nothing: every frame must arrive complete and within the MTU. */
    public static final int NONE = 0;

    private PortOffloads()
    {
    }

    /**
     * {@return the TSO bit a {@code XEN_NETIF_GSO_TYPE_*} needs, or 0 for a type no port offloads}
     *
     * @param xenGsoType a frame's GSO type.
     */
    public static int tsoBitFor(final int xenGsoType)
    {
        return OffloadPolicy.tsoBitFor(xenGsoType);
    }
}
