package io.pvnet.engine.xnb;

import io.pvnet.engine.vif.DropReason;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.netif.NetifKeys;
import io.pvnet.engine.frame.OffloadPolicy;
import io.pvnet.engine.store.XenStore;
import io.pvnet.engine.store.XenbusState;
import io.pvnet.ring.grant.GrantTable;

import static io.pvnet.engine.netif.NetifConstants.XEN_NETIF_CTRL_HASH_ALGORITHM_NONE;
import static io.pvnet.engine.netif.NetifConstants.XEN_NETIF_MAX_TX_SIZE;

/**
 * The state of one backend vif that its parts share (Linux netback's {@code struct xenvif}): configuration, the
 * interface settings, what the frontend negotiated, the XenBus state, the disabled verdict, the duty cycle's clock
 * and the counts not yet flushed to the shared counters. {@link XnbConnection} writes the negotiated parts; each
 * {@link XnbQueue}'s {@link XnbTx} and {@link XnbRx} read them and count into {@link #pending}.
 * <p>
 * Threading: the agent's thread only, except {@link #accepting}, which the rx queue's producer reads on its own thread.
 */
final class XnbVif
{
    /** A frame's largest L2 header beyond the MTU (Ethernet plus one VLAN tag), as Linux's {@code VLAN_ETH_HLEN}. */
    static final int VLAN_ETH_HLEN = 18;
    /** Largest frame either direction carries (netif's 64 KiB limit). */
    static final int MAX_FRAME = XEN_NETIF_MAX_TX_SIZE;
    /**
     * Responses are published at the latest after this many bytes of packets: a guest sending or receiving 64 KiB
     * frames gets its buffers back within one frame's time, not after a whole batch of them (which left the guest
     * without tx ids and the receiving guest without posted buffers, halving TSO throughput).
     */
    static final int RESPONSE_PUSH_BYTES = 64 * 1024;

    final VifConfig config;
    final XenStore store;
    final VifCounters counters;
    final String backendDir;
    final String frontendDir;
    final InterfaceSettings settings = new InterfaceSettings();
    /** Counts of this duty cycle by {@link VifCounters} kind, added to the shared counters by {@link #flushCounters}. */
    final PendingCounts pending = new PendingCounts();

    /** Receive-side hashing the frontend set over the control ring (Linux {@code struct xenvif_hash}). */
    final VifHash hash = new VifHash();
    /** The control ring's server; attached at connect when the frontend granted one. */
    final XnbControl control;
    /** The backend port the control ring was bound to at the last connect (valid while it is attached). */
    int controlPort;

    /** The multicast groups the frontend added (MCAST_ADD/DEL extras on tx). */
    final MulticastFilter multicast = new MulticastFilter();
    /** Whether the frontend asked for filtering ({@code request-multicast-control}, sampled on every store change). */
    boolean multicastControl;

    /** Whether the hash or multicast state changed since it was last published for ifconfig. */
    boolean statusDirty;

    /** The guest's grant table (one per domain, shared by every queue); attached at the first connect. */
    GrantTable grants;

    /** What the frontend negotiated (read at connect). */
    boolean frontendCsum;
    boolean frontendIpv6Csum;
    boolean frontendGsoV4;
    boolean frontendGsoV6;

    /**
     * What the guest takes on its rx path as {@link OffloadPolicy} capabilities: the interface's {@code txcsum} and
     * {@code tso} settings combined with what the frontend negotiated; refreshed by {@link #updateRxCapabilities}.
     */
    int rxCapabilities = OffloadPolicy.SOFTWARE_SEGMENTATION;

    /** Written by the vif agent's thread; read by queues on other threads (volatile: a plain load on x86). */
    volatile XenbusState state = XenbusState.UNKNOWN;
    /** Whether offered frames are queued for the guest; read by the rx queue's producer thread. */
    volatile boolean accepting;
    /** Set by whichever thread found the violation (a queue's or the vif agent's); read by every queue. */
    volatile int disabledReason = DropReason.NONE;
    /** The queues connected (0 while not connected); written at connect by the vif agent, read by the rx producer. */
    volatile int queues;
    /**
     * Whether queues run on threads of their own ({@link XnbAgent#queueAgents()}): counters are then added with atomic
     * adds, since several threads flush into the vif's totals. Set at configuration time.
     */
    boolean queueThreads;
    /** The duty cycle's clock, read once per {@code doWork}. */
    long nowNs;

    XnbVif(final VifConfig config, final XenStore store, final VifCounters counters)
    {
        this.config = config;
        this.store = store;
        this.counters = counters;
        this.backendDir = config.backendDir();
        this.frontendDir = config.frontendDir();
        this.settings.mtu = config.mtu();
        this.control = new XnbControl(hash, config.backendDomid());
    }

    /** @return whether frames flow. */
    boolean isConnected()
    {
        return state == XenbusState.CONNECTED && disabledReason == DropReason.NONE;
    }

    /** Recomputes {@link #rxCapabilities} after the settings were reloaded or the frontend's features read. */
    void updateRxCapabilities()
    {
        final boolean gso = settings.tso && settings.txcsum;
        rxCapabilities = OffloadPolicy.SOFTWARE_SEGMENTATION |
            (settings.txcsum && frontendCsum ? OffloadPolicy.CHECKSUM : 0) |
            (gso && frontendGsoV4 ? OffloadPolicy.TSO4 : 0) |
            (gso && frontendGsoV6 ? OffloadPolicy.TSO6 : 0);
    }

    /**
     * Applies a multicast control request as Linux netback does: an ADD (several in one request: the last) runs
     * instead of a DEL in the same request.
     *
     * @return false when an ADD was refused (the list is full; the tx response is ERROR).
     */
    boolean applyMulticastControl(final long add, final long delete)
    {
        if (add >= 0)
        {
            statusDirty = true;
            final boolean added = multicast.add(add);
            if (!added)
            {
                log("Too many multicast addresses: accepting all multicast groups from now on");
            }
            return added;
        }
        statusDirty = true;
        multicast.remove(delete);
        return true;
    }

    /**
     * @return whether a frame for {@code destinationMac} reaches the guest: anything but multicast always; multicast
     *         (not broadcast) while filtering is on only when the guest added the group (or its list overflowed).
     */
    boolean acceptsDestination(final long destinationMac)
    {
        return !multicastControl || !MulticastFilter.isMulticast(destinationMac) || multicast.accepts(destinationMac);
    }

    /**
     * Publishes the hash and multicast state for ifconfig ({@link NetifKeys#HASH_STATUS},
     * {@link NetifKeys#MULTICAST_FILTER_STATUS}) when it changed. Slow path: called from the heartbeat, so a guest
     * flooding control requests causes at most ten store writes a second.
     */
    void publishStatus()
    {
        if (!statusDirty)
        {
            return;
        }
        statusDirty = false;
        // only what differs from the defaults takes store entries (the store is shared by every vif of the region)
        publish(NetifKeys.HASH_STATUS, hash.algorithm() == XEN_NETIF_CTRL_HASH_ALGORITHM_NONE ? null : hashStatus());
        publish(NetifKeys.MULTICAST_FILTER_STATUS, !multicastControl && multicast.count() == 0 &&
            !multicast.isOverflowed() ? null : multicastStatus());
    }

    private void publish(final String key, final String value)
    {
        final String path = backendDir + "/" + key;
        if (value == null)
        {
            if (store.read(path) != null)
            {
                store.remove(path);
            }
        }
        else if (!value.equals(store.read(path)))
        {
            store.write(path, value);
        }
    }

    private String hashStatus()
    {
        return "toeplitz flags=0x" + Integer.toHexString(hash.flags()) + " mapping-size=" + hash.mappingSize();
    }

    private String multicastStatus()
    {
        final StringBuilder text = new StringBuilder(multicastControl ? "on " : "off ").append(multicast.count());
        if (multicast.isOverflowed())
        {
            text.append(" all");
        }
        for (int i = 0; i < multicast.count(); i++)
        {
            final String mac = VifConfig.formatMac(multicast.address(i));
            if (text.length() + 1 + mac.length() > io.pvnet.engine.store.StoreDescriptor.MAX_VALUE_LENGTH - 4)
            {
                text.append(" ...");
                break;
            }
            text.append(' ').append(mac);
        }
        return text.toString();
    }

    /** Counts one dropped packet or frame by its {@link DropReason}. */
    void drop(final int reason)
    {
        pending.increment(VifCounters.DROP_BASE + reason);
    }

    /** Disables this vif (never another, never the process): Linux {@code xenvif_fatal_tx_err}. Slow path. */
    void fatal(final int reason, final String where)
    {
        if (disable(reason, where))
        {
            pending.increment(VifCounters.PROTOCOL_ERRORS);
        }
    }

    /**
     * Disables this vif for {@code reason} unless already disabled: logged once and written to the {@code error} key.
     * Any thread serving this vif (the store takes writers from any thread). Slow path.
     *
     * @return whether this call disabled it (the caller counts the protocol error).
     */
    synchronized boolean disable(final int reason, final String where)
    {
        if (disabledReason != DropReason.NONE)
        {
            return false;
        }
        disabledReason = reason;
        accepting = false;
        final String message = "fatal error; disabling device: " + DropReason.name(reason) + " (" + where + ")";
        log(message);
        store.write(backendDir + "/" + NetifKeys.ERROR, truncate(message));
        return true;
    }

    private static final long EXCEPTION_LOG_INTERVAL_MS = 10_000;
    private long exceptions;
    private long exceptionLoggedMs = Long.MIN_VALUE;

    /**
     * Counts an exception on this vif's path and disables the vif ({@link DropReason#BACKEND_EXCEPTION}); logs one
     * line at most every {@value #EXCEPTION_LOG_INTERVAL_MS} ms. Any thread serving this vif (a queue's, the vif's):
     * synchronized as {@link #disable}, so that one disabling is counted once. Slow path.
     *
     * @return true when the store may be told (the vif was just disabled by this exception).
     */
    synchronized boolean containException(final Throwable ex, final long nowMs)
    {
        exceptions++;
        if (exceptionLoggedMs == Long.MIN_VALUE || nowMs - exceptionLoggedMs >= EXCEPTION_LOG_INTERVAL_MS)
        {
            log("disabled after " + ex.getClass().getSimpleName() + ": " + ex.getMessage() +
                (exceptions > 1 ? " (" + (exceptions - 1) + " exceptions in all before this one)" : ""));
            exceptionLoggedMs = nowMs;
        }
        countFromAnyThread(VifCounters.DROP_BASE + DropReason.BACKEND_EXCEPTION);
        accepting = false;
        if (disabledReason != DropReason.NONE)
        {
            return false;
        }
        disabledReason = DropReason.BACKEND_EXCEPTION;
        countFromAnyThread(VifCounters.PROTOCOL_ERRORS);
        return true;
    }

    /**
     * After {@link #containException} disabled this vif: writes the {@code error} key as Linux's
     * {@code xenvif_fatal_tx_err} path does, never throwing (the store may be what is broken: the vif then stays
     * disabled, and the store's owner reports a corrupt store). Any thread serving this vif. Slow path.
     */
    void reportExceptionToStore()
    {
        try
        {
            store.write(backendDir + "/" + NetifKeys.ERROR, "fatal error; disabling device: backend-exception");
        }
        catch (final RuntimeException storeUnusable)
        {
            // see above
        }
    }

    /**
     * Counts one of {@code kind} from whichever thread serves this vif: into {@link #pending} while one thread serves it
     * all, else straight into the shared counter with an atomic add, since {@link #pending} has one writer, the vif's
     * thread, and its flush would lose a count made meanwhile on a queue's thread. Slow path.
     */
    private void countFromAnyThread(final int kind)
    {
        if (queueThreads)
        {
            final org.agrona.concurrent.status.AtomicCounter counter = counters.counter(kind);
            if (counter != null)
            {
                counter.getAndAdd(1);
            }
        }
        else
        {
            pending.increment(kind);
        }
    }

    void log(final String message)
    {
        System.getLogger("io.pvnet.engine.xnb").log(System.Logger.Level.WARNING,
            config.name() + ": " + message);
    }

    static String truncate(final String text)
    {
        return text.length() <= 64 ? text : text.substring(0, 64);
    }

    /** Adds the vif agent's own counts of this duty cycle to the shared counters. */
    void flushCounters()
    {
        flushCounters(pending, null);
    }

    /**
     * Adds one duty cycle's counts ({@code values}; cleared here) to the shared counters, one add per kind that moved,
     * and to a queue's own counters when given: a plain single-writer add while one thread serves the whole vif, an
     * atomic add once queues run on threads of their own ({@link #queueThreads}).
     */
    void flushCounters(final PendingCounts values, final io.pvnet.engine.vif.QueueCounters queueCounters)
    {
        values.flushTo(counters, queueThreads, queueCounters);
    }
}
