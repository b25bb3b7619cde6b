package io.pvnet.engine.vif;

/**
 * Why a packet was dropped or a vif disabled. Codes below {@link #FIRST_FATAL} are per-packet drops (error responses and a
 * counted drop); codes from {@link #FIRST_FATAL} are protocol violations that disable the vif (Linux netback's
 * {@code xenvif_fatal_tx_err}). Limits and sources: {@code xen-netif.md} section 4.
 */
public final class DropReason
{
    /** Not dropped. */
    public static final int NONE = 0;
    /** First data slot shorter than an Ethernet header (Linux: error response). */
    public static final int FIRST_SLOT_SHORT = 1;
    /** 20 or 21 data slots: more than netback accepts but not yet fatal. */
    public static final int TOO_MANY_SLOTS = 2;
    /** A continuation slot larger than what remains of the packet's total size. */
    public static final int SIZE_MISMATCH = 3;
    /** A grant copy from a tx slot failed (bad grant, permission, bounds): per-slot error responses (XSA-367). */
    public static final int COPY_FAILED = 4;
    /** Larger than the interface MTU allows (not a GSO frame). */
    public static final int OVERSIZE = 5;
    /** The receive queue was full (byte or frame cap, XSA-392). */
    public static final int RX_QUEUE_FULL = 6;
    /** A frame that can never fit the frontend's receive ring. */
    public static final int RX_TOO_BIG = 7;
    /** A frame the egress offload step could not complete (checksum/segmentation unavailable or failed). */
    public static final int OFFLOAD_FAILED = 8;
    /** Received while the vif is not connected or is disabled. */
    public static final int NOT_CONNECTED = 9;
    /** A receive frame waited longer than the drain timeout for buffers. */
    public static final int RX_STALLED = 10;

    /** Not a drop: the packet's slot chain runs past the producer; wait for the rest (never read past the producer). */
    public static final int INCOMPLETE = 11;

    /** A grant copy into a posted receive buffer failed (bad or read-only grant): an ERROR rx response. */
    public static final int RX_COPY_FAILED = 12;

    /** The next hop refused the frame with a code of its own (a bridge or port drop, counted there by reason). */
    public static final int DOWNSTREAM = 13;

    /** A multicast frame for a group the guest did not add while it asked for multicast filtering. */
    public static final int MCAST_FILTERED = 14;

    /** First fatal code. */
    public static final int FIRST_FATAL = 16;
    /** The producer is further ahead than the ring can hold ("Impossible number of requests"). */
    public static final int IMPOSSIBLE_REQUESTS = 16;
    /** 22 or more data slots in one packet. */
    public static final int FATAL_SLOT_COUNT = 17;
    /** A slot whose offset + size crosses its 4096-byte page. */
    public static final int SLOT_CROSSES_PAGE = 18;
    /** An extra of type NONE or beyond MAX, or too many extras. */
    public static final int EXTRA_MALFORMED = 19;
    /** A GSO extra with size 0 or an unknown GSO type. */
    public static final int GSO_MALFORMED = 20;
    /** The rx request producer is further ahead than the ring can hold. */
    public static final int RX_IMPOSSIBLE_REQUESTS = 21;
    /** An rx request with a grant reference or id the backend cannot use (rx stall without progress). */
    public static final int RX_BAD_REQUEST = 22;
    /**
     * The backend threw while serving this vif (a value in the guest's memory it did not foresee): the vif is disabled,
     * never the host thread.
     */
    public static final int BACKEND_EXCEPTION = 23;
    /** One past the last code. */
    public static final int COUNT = 24;

    private static final String[] NAMES = new String[COUNT];

    static
    {
        NAMES[NONE] = "none";
        NAMES[FIRST_SLOT_SHORT] = "first-slot-short";
        NAMES[TOO_MANY_SLOTS] = "too-many-slots";
        NAMES[SIZE_MISMATCH] = "size-mismatch";
        NAMES[COPY_FAILED] = "copy-failed";
        NAMES[OVERSIZE] = "oversize";
        NAMES[RX_QUEUE_FULL] = "rx-queue-full";
        NAMES[RX_TOO_BIG] = "rx-too-big";
        NAMES[OFFLOAD_FAILED] = "offload-failed";
        NAMES[NOT_CONNECTED] = "not-connected";
        NAMES[RX_STALLED] = "rx-stalled";
        NAMES[INCOMPLETE] = "incomplete";
        NAMES[RX_COPY_FAILED] = "rx-copy-failed";
        NAMES[DOWNSTREAM] = "downstream";
        NAMES[MCAST_FILTERED] = "multicast-filtered";
        NAMES[IMPOSSIBLE_REQUESTS] = "impossible-number-of-requests";
        NAMES[FATAL_SLOT_COUNT] = "fatal-slot-count";
        NAMES[SLOT_CROSSES_PAGE] = "slot-crosses-page";
        NAMES[EXTRA_MALFORMED] = "extra-malformed";
        NAMES[GSO_MALFORMED] = "gso-malformed";
        NAMES[RX_IMPOSSIBLE_REQUESTS] = "rx-impossible-number-of-requests";
        NAMES[RX_BAD_REQUEST] = "rx-bad-request";
        NAMES[BACKEND_EXCEPTION] = "backend-exception";
        for (int i = 0; i < COUNT; i++)
        {
            if (NAMES[i] == null)
            {
                NAMES[i] = "reserved-" + i;
            }
        }
    }

    private DropReason()
    {
    }

    /**
     * {@return whether {@code reason} disables the vif}
     *
     * @param reason a drop reason code.
     */
    public static boolean isFatal(final int reason)
    {
        return reason >= FIRST_FATAL;
    }

    /**
     * {@return the name used in logs and counter labels; {@code unknown-N} outside the codes}
     *
     * @param reason a drop reason code.
     */
    public static String name(final int reason)
    {
        return reason >= 0 && reason < COUNT ? NAMES[reason] : "unknown-" + reason;
    }
}
