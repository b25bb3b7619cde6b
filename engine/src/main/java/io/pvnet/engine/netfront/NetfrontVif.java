package io.pvnet.engine.netfront;

import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.frame.OffloadPolicy;
import io.pvnet.engine.store.XenStore;
import io.pvnet.engine.store.XenbusState;
import io.pvnet.ring.event.EventChannel;
import io.pvnet.ring.grant.GrantTable;
import org.agrona.concurrent.AtomicBuffer;

/**
 * The state of one frontend vif that its parts share (Linux netfront's {@code struct netfront_info}): configuration,
 * the guest's pages and grant table, the event channel, the XenBus state, what the backend offered, the broken
 * verdict and the counts not yet flushed. {@link NetfrontConnection} writes the negotiated parts; {@link NetfrontTx}
 * and {@link NetfrontRx} read them and count.
 * <p>
 * Threading: the frontend's one thread.
 */
final class NetfrontVif
{
    final VifConfig config;
    final XenStore store;
    final VifCounters counters;
    final String frontendDir;
    final String backendDir;

    AtomicBuffer pages;
    GrantTable grants;
    /** The event-channel section (two ports per queue, see {@code VifSections}). */
    AtomicBuffer events;
    /** The queues connected (1 until a backend offering more connects). */
    int queues = 1;
    /** The most queues the sections hold (set at start, at most {@code VifConfig.queues}). */
    int maxQueues = 1;
    /** A multi-queue guest's own selector (queue q's frontend port raises bit q), or null with one queue. */
    io.pvnet.ring.event.EventSelector selector;
    /** The backend's kick eventfd (a guest in its own memory), or -1: notifications wake the backend's port word. */
    int kickFd = -1;

    XenbusState state = XenbusState.UNKNOWN;
    String brokenReason;
    /** What the backend offered (read at connect) or asked for (read on every store change). */
    boolean backendSg;
    boolean backendGsoV4;
    boolean backendGsoV6;
    boolean stopTxChecksumOffload;
    /**
     * What the backend takes from this frontend as {@link OffloadPolicy} capabilities: checksum-blank frames and the
     * GSO kinds it offered, or, once it asked for complete checksums, nothing, with GSO frames segmented here.
     */
    int txCapabilities;

    long txPackets;
    long txBusy;
    long rxPackets;
    long rxErrors;
    long notifySent;
    long notifySuppressed;
    long txErrorResponses;

    NetfrontVif(final VifConfig config, final XenStore store, final VifCounters counters)
    {
        this.config = config;
        this.store = store;
        this.counters = counters;
        this.frontendDir = config.frontendDir();
        this.backendDir = config.backendDir();
    }

    /** @return whether frames can flow. */
    boolean isConnected()
    {
        return state == XenbusState.CONNECTED && brokenReason == null;
    }

    /** Recomputes {@link #txCapabilities} after the backend's features or requests were read. */
    void updateTxCapabilities()
    {
        txCapabilities = stopTxChecksumOffload ? OffloadPolicy.SOFTWARE_SEGMENTATION :
            OffloadPolicy.CHECKSUM | (backendGsoV4 ? OffloadPolicy.TSO4 : 0) | (backendGsoV6 ? OffloadPolicy.TSO6 : 0);
    }

    /** @return the offset of page {@code frame} in {@link #pages}. */
    int pageOffset(final int frame)
    {
        return grants.pageOffset(frame);
    }

    /** Sends an event on {@code channel} if the push said the backend asked for one, counting either way. */
    void notifyIfAsked(final EventChannel channel, final boolean notify)
    {
        if (notify)
        {
            channel.notifyPeer();
            notifySent++;
        }
        else
        {
            notifySuppressed++;
        }
    }

    /** Stops trusting the backend: no more traffic until a reconnect (XSA-391). Slow path. */
    void broken(final String reason)
    {
        if (brokenReason == null)
        {
            brokenReason = reason;
            System.getLogger("io.pvnet.engine.netfront").log(System.Logger.Level.WARNING,
                config.name() + ": backend broken, frontend disabled: " + reason);
        }
    }

    void flushCounters()
    {
        if (counters == null)
        {
            return;
        }
        counters.add(VifCounters.FRONT_TX_PACKETS, txPackets);
        counters.add(VifCounters.FRONT_TX_BUSY, txBusy);
        counters.add(VifCounters.FRONT_RX_PACKETS, rxPackets);
        counters.add(VifCounters.FRONT_RX_ERRORS, rxErrors);
        counters.add(VifCounters.FRONT_NOTIFY_SENT, notifySent);
        counters.add(VifCounters.FRONT_NOTIFY_SUPPRESSED, notifySuppressed);
        txPackets = 0;
        txBusy = 0;
        rxPackets = 0;
        rxErrors = 0;
        notifySent = 0;
        notifySuppressed = 0;
    }
}
