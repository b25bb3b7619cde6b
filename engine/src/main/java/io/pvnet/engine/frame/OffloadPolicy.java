package io.pvnet.engine.frame;

import io.pvnet.engine.frame.FrameMetadata;
import static io.pvnet.engine.netif.NetifConstants.XEN_NETIF_GSO_TYPE_TCPV4;
import static io.pvnet.engine.netif.NetifConstants.XEN_NETIF_GSO_TYPE_TCPV6;

/**
 * The one offload decision of pvnet, made wherever a frame is handed to a peer that may not finish what the frame
 * leaves open: the frontend transmitting to its backend ({@code Netfront}), the backend delivering to its guest
 * ({@code XnbRx}) and the switch's egress to a port ({@code EgressEdge}). Each site describes its peer as capability
 * bits and asks {@link #decide}; it then does what the answer says with its own means (write as is, complete the
 * checksum, split into segments or fragments in software, or drop, counting the reason).
 * <p>
 * Decision table (first matching row; "takes" = the capability bit is set):
 * <pre>
 *  GSO frame, peer takes its TSO kind, segments (headers + gso size) within the MTU:
 *      checksum partial and peer does not take CHECKSUM  -> COMPLETE
 *      otherwise                                         -> PASS
 *  GSO frame otherwise:     SOFTWARE_SEGMENTATION        -> SEGMENT
 *                           else                         -> DROP_UNSUPPORTED
 *  ordinary frame, L3 length above the MTU               -> FRAGMENT
 *  ordinary frame, checksum partial, no CHECKSUM         -> COMPLETE
 *  otherwise                                             -> PASS
 * </pre>
 * Capability bits: what the peer takes ({@link #CHECKSUM}, {@link #TSO4}, {@link #TSO6}, the bits ports declare
 * as {@code PortOffloads}) plus {@link #SOFTWARE_SEGMENTATION} for a site that may split what its peer cannot take.
 * <p>
 * Threading: stateless; any thread. Allocates nothing.
 */
public final class OffloadPolicy
{
    /** Hand the frame over as it is. */
    public static final int PASS = 0;
    /** Complete the L4 checksum in software, then hand it over. */
    public static final int COMPLETE = 1;
    /** Split the GSO frame into segments with complete checksums in software. */
    public static final int SEGMENT = 2;
    /** Fragment the frame (IPv4) to the MTU in software; what cannot be fragmented is dropped by the finisher. */
    public static final int FRAGMENT = 3;
    /** Drop: the peer cannot take this GSO kind and this site may not segment it. */
    public static final int DROP_UNSUPPORTED = 4;

    /** Capability: the peer takes frames whose L4 checksum holds only the pseudo-header sum. */
    public static final int CHECKSUM = 0x1;
    /** Capability: the peer takes TCP/IPv4 GSO frames ({@code XEN_NETIF_GSO_TYPE_TCPV4}) and segments them itself. */
    public static final int TSO4 = 0x2;
    /** Capability: the peer takes TCP/IPv6 GSO frames ({@code XEN_NETIF_GSO_TYPE_TCPV6}). */
    public static final int TSO6 = 0x4;
    /** Capability: this site may segment in software what its peer cannot take. */
    public static final int SOFTWARE_SEGMENTATION = 0x100;
    /** An MTU for peers whose limit is not this decision's business (checked elsewhere). */
    public static final int NO_MTU = Integer.MAX_VALUE;

    private OffloadPolicy()
    {
    }

    /**
     * Decides what to do with one frame for one peer (a guest, a port): the one offload decision of the data path.
     *
     * @param capabilities {@link #CHECKSUM}, {@link #TSO4}, {@link #TSO6} as the peer takes them, plus
     *                     {@link #SOFTWARE_SEGMENTATION}.
     * @param mtu          the peer's MTU (IP bytes), or {@link #NO_MTU}.
     * @param frame        the frame's metadata.
     * @param l3Length     an ordinary frame's bytes beyond its L2 header; for a GSO frame the L3 length of its largest
     *                     segment (headers + gso size), or {@link #NO_MTU} when its headers could not be read.
     * @return {@link #PASS}, {@link #COMPLETE}, {@link #SEGMENT}, {@link #FRAGMENT} or {@link #DROP_UNSUPPORTED}.
     */
    public static int decide(final int capabilities, final int mtu, final FrameMetadata frame, final int l3Length)
    {
        if (frame.isGso())
        {
            final int tso = tsoBitFor(frame.gsoType());
            if (tso == 0 || (capabilities & tso) == 0 || l3Length > mtu)
            {
                return (capabilities & SOFTWARE_SEGMENTATION) != 0 ? SEGMENT : DROP_UNSUPPORTED;
            }
        }
        else if (l3Length > mtu)
        {
            return FRAGMENT;
        }
        return frame.isChecksumPartial() && (capabilities & CHECKSUM) == 0 ? COMPLETE : PASS;
    }

    /**
     * {@return the TSO bit a {@code XEN_NETIF_GSO_TYPE_*} needs, or 0 for a type no peer offloads}
     *
     * @param xenGsoType a frame's GSO type.
     */
    public static int tsoBitFor(final int xenGsoType)
    {
        return xenGsoType == XEN_NETIF_GSO_TYPE_TCPV4 ? TSO4 : xenGsoType == XEN_NETIF_GSO_TYPE_TCPV6 ? TSO6 : 0;
    }

    /**
     * {@return the decision's name, for logs and tests}
     *
     * @param decision a value {@link #decide} returned.
     */
    public static String name(final int decision)
    {
        return switch (decision)
        {
            case PASS -> "pass";
            case COMPLETE -> "complete";
            case SEGMENT -> "segment";
            case FRAGMENT -> "fragment";
            case DROP_UNSUPPORTED -> "drop-unsupported";
            default -> "unknown-" + decision;
        };
    }
}
