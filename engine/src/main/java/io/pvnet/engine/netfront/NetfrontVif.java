package io.pvnet.engine.netfront;

import io.pvnet.engine.VifConfig;
import io.pvnet.engine.VifCounters;
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
    EventChannel channel;

    XenbusState state = XenbusState.UNKNOWN;
    String brokenReason;
    /** What the backend offered (read at connect) or asked for (read on every store change). */
    boolean backendSg;
    boolean backendGsoV4;
    boolean backendGsoV6;
    boolean stopTxChecksumOffload;

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

    /** @return the offset of page {@code frame} in {@link #pages}. */
    int pageOffset(final int frame)
    {
        return grants.pageOffset(frame);
    }

    /** Sends an event if the push said the backend asked for one, counting either way. */
    void notifyIfAsked(final boolean notify)
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
                "vif " + config.domid() + "." + config.handle() + ": backend broken, frontend disabled: " + reason);
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
