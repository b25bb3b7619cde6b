package io.pvnet.engine.netif;

/**
 * The XenStore keys of a vif, as Xen's {@code public/io/netif.h} and Linux's {@code xen-netback/xenbus.c} and
 * {@code xen-netfront.c} name them, plus pvnet's few own keys (marked "Beyond Xen"). The one place both halves, the CLI
 * and tests take key names from; a key is relative to a vif's backend or frontend directory
 * ({@code dir + "/" + KEY}).
 * <p>
 * Each key says who writes it: "backend" keys are written by the backend under its directory and read by the
 * frontend; "frontend" keys the other way round.
 */
public final class NetifKeys
{
    // ------------------------------------------------------------------------------ backend: features and settings

    /** Backend: takes packets of more than one slot (scatter-gather). */
    public static final String FEATURE_SG = "feature-sg";
    /** Backend and frontend: takes TCPv4 GSO frames. */
    public static final String FEATURE_GSO_TCPV4 = "feature-gso-tcpv4";
    /** Backend and frontend: takes TCPv6 GSO frames. */
    public static final String FEATURE_GSO_TCPV6 = "feature-gso-tcpv6";
    /** Backend and frontend: takes checksum-blank IPv6 frames. */
    public static final String FEATURE_IPV6_CSUM_OFFLOAD = "feature-ipv6-csum-offload";
    /** Backend: copies into posted rx buffers. */
    public static final String FEATURE_RX_COPY = "feature-rx-copy";
    /** Backend: page flipping (never offered by pvnet). */
    public static final String FEATURE_RX_FLIP = "feature-rx-flip";
    /** Backend: multicast control extras. */
    public static final String FEATURE_MULTICAST_CONTROL = "feature-multicast-control";
    /** Backend: serves a control ring (hash algorithm, key, types and mapping table). */
    public static final String FEATURE_CTRL_RING = "feature-ctrl-ring";
    /** Backend: the frontend may turn multicast filtering on and off while connected. */
    public static final String FEATURE_DYNAMIC_MULTICAST_CONTROL = "feature-dynamic-multicast-control";
    /** Backend: separate tx and rx event channels. */
    public static final String FEATURE_SPLIT_EVENT_CHANNELS = "feature-split-event-channels";
    /** Backend: the most queues the frontend may ask for (Linux netback's {@code max_queues}). */
    public static final String MULTI_QUEUE_MAX_QUEUES = "multi-queue-max-queues";

    /** Backend: the hotplug script's verdict ({@code connected}). */
    public static final String HOTPLUG_STATUS = "hotplug-status";
    /** Backend: why the vif failed to connect or was disabled (Linux {@code xenbus_dev_fatal}). */
    public static final String ERROR = "error";
    /** Backend: the credit scheduler's limit, {@code "bytes,usec"}; absent, 0 or malformed means unlimited. */
    public static final String RATE = "rate";
    /** Backend: the interface MTU (ifconfig state, reloaded on every store change). */
    public static final String MTU = "mtu";
    /** Backend and frontend: the MAC address, {@code aa:bb:cc:dd:ee:ff}. */
    public static final String MAC = "mac";
    /** Backend, beyond Xen: pass checksum-blank frames to the guest (1) or complete them (0); FreeBSD's txcsum. */
    public static final String TXCSUM = "txcsum";
    /** Backend, beyond Xen: keep the guest's checksum offload downstream (1) or complete at ingress (0). */
    public static final String RXCSUM = "rxcsum";
    /** Backend, beyond Xen: pass GSO frames to the guest (1) or segment them (0). */
    public static final String TSO = "tso";
    /** Backend, beyond Xen: asks the frontend to stop offloading transmit checksums. */
    public static final String REQUEST_NO_TX_CSUM_OFFLOAD = "request-no-tx-csum-offload";
    /**
     * Backend, beyond Xen: the receive hash the frontend set over the control ring, for ifconfig
     * ({@code toeplitz flags=0xf mapping-size=16}, or {@code none}); refreshed at most every 100 ms.
     */
    public static final String HASH_STATUS = "hash";
    /**
     * Backend, beyond Xen: the multicast filter, for ifconfig ({@code off}, or {@code on N} groups, {@code all} after
     * an overflow, then as many groups as fit the store's 64-byte value); refreshed at most every 100 ms.
     */
    public static final String MULTICAST_FILTER_STATUS = "multicast-filter";
    /** Backend, beyond Xen: offers rings with padded indices ({@code RingLayout.PADDED}). */
    public static final String FEATURE_RING_LAYOUT_PADDED = "feature-ring-layout-padded";

    // ------------------------------------------------------------------------------------ frontend: connection

    /** Frontend: grant reference of the tx ring page. */
    public static final String TX_RING_REF = "tx-ring-ref";
    /** Frontend: grant reference of the rx ring page. */
    public static final String RX_RING_REF = "rx-ring-ref";
    /** Frontend: the event channel port the backend binds to (both directions of one queue). */
    public static final String EVENT_CHANNEL = "event-channel";
    /** Frontend: with {@link #EVENT_CHANNEL_RX}, the tx direction's own port ({@code feature-split-event-channels}). */
    public static final String EVENT_CHANNEL_TX = "event-channel-tx";
    /** Frontend: with {@link #EVENT_CHANNEL_TX}, the rx direction's own port. */
    public static final String EVENT_CHANNEL_RX = "event-channel-rx";
    /**
     * Frontend: how many queues it connects (1..{@link #MULTI_QUEUE_MAX_QUEUES}); absent means 1. With 1 the ring and
     * event-channel keys are in the frontend directory itself; with more, in {@link #queueDir} subdirectories.
     */
    public static final String MULTI_QUEUE_NUM_QUEUES = "multi-queue-num-queues";
    /** Frontend: grant reference of the control ring page (absent: no control ring). */
    public static final String CTRL_RING_REF = "ctrl-ring-ref";
    /** Frontend: the event channel port of the control ring (required with {@link #CTRL_RING_REF}). */
    public static final String EVENT_CHANNEL_CTRL = "event-channel-ctrl";
    /** Frontend: asks the backend to deliver only the multicast groups it added (MCAST_ADD extras). */
    public static final String REQUEST_MULTICAST_CONTROL = "request-multicast-control";
    /** Frontend: asks for rx-copy (pvnet supports only that). */
    public static final String REQUEST_RX_COPY = "request-rx-copy";
    /** Frontend: notifies when it posts rx buffers. */
    public static final String FEATURE_RX_NOTIFY = "feature-rx-notify";
    /** Frontend: cannot take checksum-blank frames (1). */
    public static final String FEATURE_NO_CSUM_OFFLOAD = "feature-no-csum-offload";
    /** Frontend, beyond Xen: the ring layout it set up, {@code xen} (or absent) or {@code padded}. */
    public static final String RING_LAYOUT = "ring-layout";
    /** Value of {@link #RING_LAYOUT}: Xen's layout. */
    public static final String RING_LAYOUT_XEN = "xen";
    /** Value of {@link #RING_LAYOUT}: padded indices. */
    public static final String RING_LAYOUT_PADDED = "padded";

    private NetifKeys()
    {
    }

    /**
     * The directory a queue's ring and event-channel keys live in, as Linux's {@code connect_data_rings} builds it:
     * the frontend directory itself for a single queue, {@code FRONTEND_DIR/queue-N} otherwise.
     *
     * @param frontendDir the frontend's directory (no trailing slash).
     * @param queue       the queue, 0..queues-1.
     * @param queues      the queues connected.
     * @return the directory, without a trailing slash.
     */
    public static String queueDir(final String frontendDir, final int queue, final int queues)
    {
        return queues == 1 ? frontendDir : frontendDir + "/queue-" + queue;
    }
}
