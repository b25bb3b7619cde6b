package io.pvnet.engine.port;

import io.pvnet.engine.offload.FrameOffload;

/**
 * Why a port or the bridge dropped a frame. Codes start at {@link #FIRST} so that they never collide with the vif
 * backend's {@code io.pvnet.engine.vif.DropReason} codes in a {@code FrameSink} return value.
 */
public final class PortDropReason
{
    /** Not dropped: the frame was taken (the {@code FrameSink} success value). */
    public static final int NONE = 0;
    /** First code of this class. */
    public static final int FIRST = 32;
    /** Shorter than an Ethernet header. */
    public static final int RUNT = 32;
    /** Larger than the egress MTU and neither segmentable nor fragmentable (or fragmentation refused: DF). */
    public static final int MTU_EXCEEDED = 33;
    /** The egress port cannot take an offloaded frame and the software offload could not finish it. */
    public static final int OFFLOAD_FAILED = 34;
    /** The frame's VLAN is not allowed on the ingress port. */
    public static final int VLAN_INGRESS = 35;
    /** A tagged frame arrived on an access port, or an untagged one on a trunk without a native VLAN. */
    public static final int VLAN_TAGGING = 36;
    /** The destination is the port the frame came in on (learned there), so it is filtered. */
    public static final int SAME_PORT = 37;
    /** The port's device refused the write (down, gone, queue full). */
    public static final int WRITE_FAILED = 38;
    /** An offloaded frame the port itself cannot describe to its device (no TCP/UDP header found). */
    public static final int MALFORMED = 39;
    /** A frame the port is asked to offload but did not declare (declaration changed in flight). */
    public static final int OFFLOAD_UNSUPPORTED = 40;
    /** A capture (pcap) write failed. */
    public static final int CAPTURE_FAILED = 41;
    /** A tunnel packet for another network (VXLAN VNI not this port's). */
    public static final int WRONG_VNI = 42;
    /** Routed mode: no route to the destination. */
    public static final int NO_ROUTE = 43;
    /** Routed mode: TTL / hop limit would reach 0. */
    public static final int TTL_EXCEEDED = 44;
    /** Routed mode: the next hop is being resolved and its queue of waiting frames is full. */
    public static final int NEIGHBOUR_QUEUE_FULL = 45;
    /** Routed mode: the next hop did not answer ARP/NDP in time (frames waiting for it are dropped). */
    public static final int NEIGHBOUR_UNREACHABLE = 46;
    /** Routed mode: not routable (not IP, broadcast/multicast, link-local, unhandled ARP/NDP/ICMP). */
    public static final int NOT_ROUTABLE = 47;
    /** Routed mode: unicast to a MAC that is not the router port's. */
    public static final int NOT_OUR_MAC = 48;
    /** Routed mode: addressed to the router itself (other than ARP, NDP, ICMP echo). */
    public static final int TO_ROUTER = 49;
    /** Routed mode: the neighbour table is full. */
    public static final int NEIGHBOUR_TABLE_FULL = 50;
    /** One past the last code. */
    public static final int END = 51;

    private static final String[] NAMES =
    {
        "runt", "mtu-exceeded", "offload-failed", "vlan-ingress", "vlan-tagging", "same-port", "write-failed",
        "malformed", "offload-unsupported", "capture-failed", "wrong-vni",
        "no-route", "ttl-exceeded", "neighbour-queue-full", "neighbour-unreachable", "not-routable", "not-our-mac",
        "to-router", "neighbour-table-full"
    };

    private PortDropReason()
    {
    }

    /**
     * {@return the name of a code of this class, as in counters and {@code pvnet stat}; {@code unknown-N} otherwise}
     *
     * @param reason a code, {@link #FIRST}..{@code END-1}.
     */
    public static String name(final int reason)
    {
        return reason >= FIRST && reason < END ? NAMES[reason - FIRST] : "unknown-" + reason;
    }

    /**
     * Maps a failed software offload to the drop it counts as.
     *
     * @param offloadStatus what {@link FrameOffload#finish} returned when it made no frame (a negative status, or 0).
     * @return the drop reason it counts as: {@link #MTU_EXCEEDED}, {@link #MALFORMED}, else {@link #OFFLOAD_FAILED}.
     */
    public static int ofOffloadStatus(final int offloadStatus)
    {
        switch (offloadStatus)
        {
            case FrameOffload.MTU_EXCEEDED:
                return MTU_EXCEEDED;
            case FrameOffload.MALFORMED:
                return MALFORMED;
            default:
                return OFFLOAD_FAILED;
        }
    }
}
