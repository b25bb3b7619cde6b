package io.pvnet.engine.vif;

/**
 * Why a packet was dropped or a vif disabled. Codes below {@link #FIRST_FATAL} are per-packet drops (error responses and a
 * counted drop); codes from {@link #FIRST_FATAL} are protocol violations that disable the vif (Linux netback's
 * {@code xenvif_fatal_tx_err}). Limits and sources: {@code xen-netif.md} section 4.
 * <p>
 * Each code is counted in one {@link #direction direction} only, so that each direction of a vif reconciles on its own:
 * <pre>
 *   from-guest (the backend's tx side)   front-tx-packets = rx-packets + drops from the guest + still in the ring
 *   to-guest   (the backend's rx side)   frames accepted = tx-packets + drops toward the guest + queued
 * </pre>
 * (labels in dom0's view, {@link VifCounters}). Still in the ring: packets the rate limit holds back, and those after
 * a fatal error (the vif reads no more until it reconnects). A TSO frame the backend splits in software for the guest
 * counts as the segments it made ({@code tso-segments} counts them), each one in {@code tx-packets} or one drop toward
 * the guest; a split that fails counts one {@link #RX_OFFLOAD_FAILED}. A frame offered for the guest and refused
 * ({@code offer} returns a code toward the guest) is counted by the caller, not here (the bridge under its port's
 * {@code tx-drop-...}).
 * Codes toward the guest are named {@code rx-...}, as netback names that side; every other code but
 * {@link #BACKEND_EXCEPTION} (exceptions, not frames) is from the guest, so a name says its direction.
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
    /** A packet from the guest larger than the interface MTU allows (not a GSO frame); toward it: {@link #RX_OVERSIZE}. */
    public static final int OVERSIZE = 5;
    /**
     * The receive queue was full (byte or frame cap, XSA-392): returned to the caller of {@code offer}, which counts
     * it; never counted here ({@code drop-rx-queue-full} is 0).
     */
    public static final int RX_QUEUE_FULL = 6;
    /** A frame that can never fit the frontend's receive ring. */
    public static final int RX_TOO_BIG = 7;
    /**
     * A packet from the guest whose checksum the backend could not complete before passing it on; toward the guest:
     * {@link #RX_OFFLOAD_FAILED}.
     */
    public static final int OFFLOAD_FAILED = 8;
    /** A frame for the guest while the vif is not connected or is disabled (refused, or queued when it went). */
    public static final int RX_NOT_CONNECTED = 9;
    /** A receive frame waited longer than the drain timeout for buffers. */
    public static final int RX_STALLED = 10;

    /** Not a drop: the packet's slot chain runs past the producer; wait for the rest (never read past the producer). */
    public static final int INCOMPLETE = 11;

    /** A grant copy into a posted receive buffer failed (bad or read-only grant): an ERROR rx response. */
    public static final int RX_COPY_FAILED = 12;

    /** The next hop refused the frame with a code of its own (a bridge or port drop, counted there by reason). */
    public static final int DOWNSTREAM = 13;

    /** A multicast frame for a group the guest did not add while it asked for multicast filtering. */
    public static final int RX_MCAST_FILTERED = 14;

    /**
     * Larger than the interface MTU allows (not a GSO frame), offered for the guest: {@link #OVERSIZE}'s rx twin.
     * Returned to the caller of {@code offer}, which counts it; never counted here ({@code drop-rx-oversize} is 0).
     */
    public static final int RX_OVERSIZE = 15;
    /**
     * A frame for the guest whose offload the backend could not finish (checksum completion or segmentation failed):
     * {@link #OFFLOAD_FAILED}'s rx twin.
     */
    public static final int RX_OFFLOAD_FAILED = 16;

    /** First fatal code. */
    public static final int FIRST_FATAL = 17;
    /** The producer is further ahead than the ring can hold ("Impossible number of requests"). */
    public static final int IMPOSSIBLE_REQUESTS = 17;
    /** 22 or more data slots in one packet. */
    public static final int FATAL_SLOT_COUNT = 18;
    /** A slot whose offset + size crosses its 4096-byte page. */
    public static final int SLOT_CROSSES_PAGE = 19;
    /** An extra of type NONE or beyond MAX, or too many extras. */
    public static final int EXTRA_MALFORMED = 20;
    /** A GSO extra with size 0 or an unknown GSO type. */
    public static final int GSO_MALFORMED = 21;
    /** The rx request producer is further ahead than the ring can hold. */
    public static final int RX_IMPOSSIBLE_REQUESTS = 22;
    /** An rx request with a grant reference or id the backend cannot use (rx stall without progress). */
    public static final int RX_BAD_REQUEST = 23;
    /**
     * The backend threw while serving this vif (a value in the guest's memory it did not foresee): the vif is disabled,
     * never the host thread. Counts exceptions, not frames, so it has no direction.
     */
    public static final int BACKEND_EXCEPTION = 24;
    /** One past the last code. */
    public static final int COUNT = 25;

    /** {@link #direction} of a code counted on the backend's tx side: a packet the guest sent (dom0's rx). */
    public static final String FROM_GUEST = "from-guest";
    /** {@link #direction} of a code counted on the backend's rx side: a frame offered for the guest (dom0's tx). */
    public static final String TO_GUEST = "to-guest";
    /** {@link #direction} of a code that is not a frame's drop: none, incomplete, backend-exception, unknown codes. */
    public static final String NO_DIRECTION = "none";

    private static final String[] NAMES = new String[COUNT];
    private static final String[] DIRECTIONS = new String[COUNT];

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
        NAMES[RX_NOT_CONNECTED] = "rx-not-connected";
        NAMES[RX_STALLED] = "rx-stalled";
        NAMES[INCOMPLETE] = "incomplete";
        NAMES[RX_COPY_FAILED] = "rx-copy-failed";
        NAMES[DOWNSTREAM] = "downstream";
        NAMES[RX_MCAST_FILTERED] = "rx-multicast-filtered";
        NAMES[RX_OVERSIZE] = "rx-oversize";
        NAMES[RX_OFFLOAD_FAILED] = "rx-offload-failed";
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
            DIRECTIONS[i] = NO_DIRECTION;
        }
        for (final int reason : new int[] {FIRST_SLOT_SHORT, TOO_MANY_SLOTS, SIZE_MISMATCH, COPY_FAILED, OVERSIZE,
            OFFLOAD_FAILED, DOWNSTREAM, IMPOSSIBLE_REQUESTS, FATAL_SLOT_COUNT, SLOT_CROSSES_PAGE, EXTRA_MALFORMED,
            GSO_MALFORMED})
        {
            DIRECTIONS[reason] = FROM_GUEST;
        }
        for (final int reason : new int[] {RX_QUEUE_FULL, RX_TOO_BIG, RX_NOT_CONNECTED, RX_STALLED, RX_COPY_FAILED,
            RX_MCAST_FILTERED, RX_OVERSIZE, RX_OFFLOAD_FAILED, RX_IMPOSSIBLE_REQUESTS, RX_BAD_REQUEST})
        {
            DIRECTIONS[reason] = TO_GUEST;
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
     * {@return the one direction {@code reason} is counted in: {@link #FROM_GUEST}, {@link #TO_GUEST} or
     * {@link #NO_DIRECTION}}
     *
     * @param reason a drop reason code.
     */
    public static String direction(final int reason)
    {
        return reason >= 0 && reason < COUNT ? DIRECTIONS[reason] : NO_DIRECTION;
    }

    /**
     * {@return whether {@code reason} is counted on the backend's tx side, for a packet the guest sent}
     *
     * @param reason a drop reason code.
     */
    public static boolean isFromGuest(final int reason)
    {
        return direction(reason) == FROM_GUEST;
    }

    /**
     * {@return whether {@code reason} is counted on the backend's rx side, for a frame offered for the guest}
     *
     * @param reason a drop reason code.
     */
    public static boolean isToGuest(final int reason)
    {
        return direction(reason) == TO_GUEST;
    }

    /**
     * {@return the code named {@code name} (as {@link #name} gives it), or -1}
     *
     * @param name a drop reason's name, e.g. {@code rx-oversize}.
     */
    public static int code(final String name)
    {
        for (int reason = 0; reason < COUNT; reason++)
        {
            if (NAMES[reason].equals(name))
            {
                return reason;
            }
        }
        return -1;
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
