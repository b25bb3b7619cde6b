package io.pvnet.engine.netif;

/**
 * Constants of Xen's {@code public/io/netif.h}: flags, statuses, extra-info types and protocol limits.
 * Values are exactly Xen's; see {@code /work/shared/reference/xen-netif.md} section 2.
 */
public final class NetifConstants
{
    /** Tx: the L4 checksum field holds only the pseudo-header sum (checksum offloaded to the backend). */
    public static final int NETTXF_CSUM_BLANK = 0x1;
    /** Tx: the packet's checksums are known good. */
    public static final int NETTXF_DATA_VALIDATED = 0x2;
    /** Tx: another data slot of this packet follows. */
    public static final int NETTXF_MORE_DATA = 0x4;
    /** Tx: an extra-info slot follows this one. */
    public static final int NETTXF_EXTRA_INFO = 0x8;

    /** Rx: the packet's checksums are known good (bit 0, swapped against tx). */
    public static final int NETRXF_DATA_VALIDATED = 0x1;
    /** Rx: the L4 checksum holds only the pseudo-header sum (bit 1, swapped against tx). */
    public static final int NETRXF_CSUM_BLANK = 0x2;
    /** Rx: another data slot of this packet follows. */
    public static final int NETRXF_MORE_DATA = 0x4;
    /** Rx: an extra-info slot follows this one. */
    public static final int NETRXF_EXTRA_INFO = 0x8;
    /** Rx: deprecated GSO prefix slot. */
    public static final int NETRXF_GSO_PREFIX = 0x10;

    /** Extra info flag: another extra-info slot follows. */
    public static final int XEN_NETIF_EXTRA_FLAG_MORE = 0x1;

    /** Extra type 0: never valid on the ring. */
    public static final int XEN_NETIF_EXTRA_TYPE_NONE = 0;
    /** Extra type: GSO (segmentation offload) parameters. */
    public static final int XEN_NETIF_EXTRA_TYPE_GSO = 1;
    /** Extra type: add a multicast address. */
    public static final int XEN_NETIF_EXTRA_TYPE_MCAST_ADD = 2;
    /** Extra type: delete a multicast address. */
    public static final int XEN_NETIF_EXTRA_TYPE_MCAST_DEL = 3;
    /** Extra type: packet hash. */
    public static final int XEN_NETIF_EXTRA_TYPE_HASH = 4;
    /** First invalid extra type (Xen's public header). */
    public static final int XEN_NETIF_EXTRA_TYPE_MAX = 5;

    /** GSO type: none (invalid in a GSO extra). */
    public static final int XEN_NETIF_GSO_TYPE_NONE = 0;
    /** GSO type: TCP over IPv4. */
    public static final int XEN_NETIF_GSO_TYPE_TCPV4 = 1;
    /** GSO type: TCP over IPv6. */
    public static final int XEN_NETIF_GSO_TYPE_TCPV6 = 2;

    /** Hash type bit: IPv4. */
    public static final int XEN_NETIF_CTRL_HASH_TYPE_IPV4 = 0;
    /** Hash type bit: IPv4 + TCP. */
    public static final int XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP = 1;
    /** Hash type bit: IPv6. */
    public static final int XEN_NETIF_CTRL_HASH_TYPE_IPV6 = 2;
    /** Hash type bit: IPv6 + TCP. */
    public static final int XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP = 3;
    /** Hash algorithm: none. */
    public static final int XEN_NETIF_CTRL_HASH_ALGORITHM_NONE = 0;
    /** Hash algorithm: Toeplitz. */
    public static final int XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ = 1;

    /** Response status: the packet was dropped. */
    public static final int NETIF_RSP_DROPPED = -2;
    /** Response status: error. */
    public static final int NETIF_RSP_ERROR = -1;
    /** Response status: okay. */
    public static final int NETIF_RSP_OKAY = 0;
    /** Response status of an extra-info slot. */
    public static final int NETIF_RSP_NULL = 1;

    /** Largest packet the tx protocol can describe ({@code size} is 16 bits). */
    public static final int XEN_NETIF_MAX_TX_SIZE = 0xFFFF;
    /** Backends must accept packets of up to this many slots. */
    public static final int XEN_NETIF_NR_SLOTS_MIN = 18;

    /** Page size of a grant, and the most a slot may carry. */
    public static final int PAGE_SIZE = 4096;
    /** Size of one slot of the netif rings: the tx request (12 bytes) is the largest member of the tx union. */
    public static final int TX_SLOT_LENGTH = 12;
    /** Size of one slot of the rx ring. */
    public static final int RX_SLOT_LENGTH = 8;
    /** Ethernet header length; a first slot shorter than this is an error (Linux netback). */
    public static final int ETH_HLEN = 14;

    private NetifConstants()
    {
    }

    /** @return a short name of a response status, for logs and dumps. */
    public static String statusName(final int status)
    {
        return switch (status)
        {
            case NETIF_RSP_DROPPED -> "DROPPED";
            case NETIF_RSP_ERROR -> "ERROR";
            case NETIF_RSP_OKAY -> "OKAY";
            case NETIF_RSP_NULL -> "NULL";
            default -> Integer.toString(status);
        };
    }
}
