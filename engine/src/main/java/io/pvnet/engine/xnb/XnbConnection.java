package io.pvnet.engine.xnb;

import io.pvnet.engine.netif.CtrlRingDescriptor;
import io.pvnet.engine.vif.DropReason;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.vif.VifSections;
import io.pvnet.engine.store.XenStore;
import io.pvnet.engine.store.XenbusState;
import io.pvnet.ring.BackRing;
import io.pvnet.ring.RingLayout;
import io.pvnet.ring.SharedRing;
import io.pvnet.ring.event.EventChannel;
import io.pvnet.ring.event.IdleMode;
import io.pvnet.ring.grant.GrantTable;
import io.pvnet.ring.region.Region;
import io.pvnet.ring.region.RegionSection;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.pvnet.engine.netif.NetifConstants.PAGE_SIZE;
import static io.pvnet.engine.netif.NetifConstants.RX_SLOT_LENGTH;
import static io.pvnet.engine.netif.NetifConstants.TX_SLOT_LENGTH;
import static io.pvnet.engine.netif.NetifKeys.*;

/**
 * The backend's side of the XenBus handshake (Linux netback's {@code xenbus.c}): publishes the backend's features and
 * interface settings, follows the frontend's state, reads its keys at connect ({@code tx-ring-ref},
 * {@code rx-ring-ref}, {@code event-channel}, {@code request-rx-copy}, its offload features), maps the rings through
 * the guest's grant table and attaches them to the {@link XnbQueue}; on the way down detaches them. A connect that
 * fails writes its reason to the backend's {@code error} key and goes to Closing, never to a partial connection.
 * <p>
 * Everything it learns goes into the shared {@link XnbVif}. Multi-queue reads {@code queue-N/} keys here and attaches
 * one {@link XnbQueue} per queue; a control ring would be mapped here too.
 * <p>
 * Threading: the agent's thread; configuration calls ({@link #start}, {@link #close}, {@link #reopen}) before the
 * agent runs or on its thread.
 */
final class XnbConnection
{
    private final XnbVif vif;
    /** The memory the guest's sections live in: the shared region, or the guest's own share (set between guests). */
    private volatile Region region;
    /** The event ports of the current connection (in the guest's memory) and how many connects there were. */
    private AtomicBuffer connectedEvents;
    private int connectGeneration;
    private final XenStore store;
    private final XnbQueue queue;
    private AtomicBuffer grantTableBuffer;
    private boolean online = true;
    private int lastStoreChange = -1;

    XnbConnection(final XnbVif vif, final Region region, final XnbQueue queue)
    {
        this.vif = vif;
        this.region = region;
        this.store = vif.store;
        this.queue = queue;
    }

    /** Publishes the backend's features and settings and enters InitWait. Configuration time. */
    void start()
    {
        publishFeatures();
        InterfaceSettings.publish(store, vif.backendDir, vif.config);
        vif.settings.reload(store, vif.backendDir);
        vif.updateRxCapabilities();
        setState(XenbusState.INIT_WAIT);
    }

    private void publishFeatures()
    {
        final String dir = vif.backendDir + "/";
        store.write(dir + FEATURE_SG, 1);
        store.write(dir + FEATURE_GSO_TCPV4, 1);
        store.write(dir + FEATURE_GSO_TCPV6, 1);
        store.write(dir + FEATURE_IPV6_CSUM_OFFLOAD, 1);
        store.write(dir + FEATURE_RX_COPY, 1);
        store.write(dir + FEATURE_RX_FLIP, 0);
        store.write(dir + FEATURE_MULTICAST_CONTROL, 1);
        store.write(dir + FEATURE_DYNAMIC_MULTICAST_CONTROL, 1);
        store.write(dir + FEATURE_SPLIT_EVENT_CHANNELS, 0);
        store.write(dir + FEATURE_CTRL_RING, 1);
        store.write(dir + MULTI_QUEUE_MAX_QUEUES, 1);
        store.write(dir + FEATURE_RING_LAYOUT_PADDED, 1);
        store.write(dir + HOTPLUG_STATUS, "connected");
        store.remove(dir + ERROR);
    }

    /** Beyond Xen: asks the frontend to stop (or resume) offloading transmit checksums. Configuration path. */
    void requestNoTxChecksumOffload(final boolean stop)
    {
        store.write(vif.backendDir + "/" + REQUEST_NO_TX_CSUM_OFFLOAD, stop ? 1 : 0);
    }

    /** Closes the vif from the backend side (Closing, then Closed once the frontend closed). */
    void close()
    {
        online = false;
        if (vif.state == XenbusState.CONNECTED)
        {
            disconnect();
        }
        setState(XenbusState.CLOSING);
    }

    /** Lets a closed backend accept a frontend that comes back through Initialising. */
    void reopen()
    {
        online = true;
        lastStoreChange = -1;
    }

    /** The agent stops: frames are no longer accepted and the backend says Closed. */
    /** @return the event ports of the current connection, or null before the first connect (agent thread). */
    AtomicBuffer connectedEvents()
    {
        return connectedEvents;
    }

    /** @return connects so far: a new value means new memory (agent thread). */
    int connectGeneration()
    {
        return connectGeneration;
    }

    /** See {@link XnbAgent#useShare}. */
    void useRegion(final Region share)
    {
        region = share;
    }

    /** After {@link XnbVif#containException}: tells the store, never throwing (the store may be what is broken). */
    void closeAfterException()
    {
        try
        {
            vif.store.write(vif.backendDir + "/" + io.pvnet.engine.netif.NetifKeys.ERROR, "fatal error; disabling device: backend-exception");
            if (vif.state != XenbusState.CONNECTED && vif.state != XenbusState.CLOSED)
            {
                setState(XenbusState.CLOSING);
            }
        }
        catch (final RuntimeException storeUnusable)
        {
            // the vif stays disabled; the store's owner reports a corrupt store
        }
    }

    void onClose()
    {
        vif.accepting = false;
        setState(XenbusState.CLOSED);
    }

    /**
     * Follows the store when it changed since the last call (one counter read otherwise).
     *
     * @return 1 if the XenBus state moved, else 0.
     */
    int poll()
    {
        final int change = store.changeCounter();
        if (change == lastStoreChange)
        {
            return 0;
        }
        lastStoreChange = change;
        return onStoreChanged();
    }

    private int onStoreChanged()
    {
        vif.settings.reload(store, vif.backendDir);
        vif.updateRxCapabilities();
        queue.tx.credit().reload(store.read(vif.backendDir + "/" + RATE), vif.nowNs);
        final XenbusState frontend = store.readState(vif.frontendDir);
        if (vif.state == XenbusState.CONNECTED)
        {
            sampleMulticastControl();
        }
        switch (vif.state)
        {
            case INIT_WAIT ->
            {
                if (frontend == XenbusState.CONNECTED || frontend == XenbusState.INITIALISED)
                {
                    connect();
                    return 1;
                }
            }
            case CONNECTED ->
            {
                if (frontend != XenbusState.CONNECTED)
                {
                    disconnect();
                    setState(frontend == XenbusState.CLOSED || frontend == XenbusState.UNKNOWN ?
                        XenbusState.CLOSED : XenbusState.CLOSING);
                    return 1;
                }
            }
            case CLOSING ->
            {
                if (frontend == XenbusState.CLOSED || frontend == XenbusState.UNKNOWN ||
                    frontend == XenbusState.INITIALISING)
                {
                    setState(XenbusState.CLOSED);
                    lastStoreChange = -1;
                    return 1;
                }
            }
            case CLOSED ->
            {
                if (online && frontend == XenbusState.INITIALISING)
                {
                    publishFeatures();
                    vif.disabledReason = DropReason.NONE;
                    setState(XenbusState.INIT_WAIT);
                    return 1;
                }
            }
            default ->
            {
            }
        }
        return 0;
    }

    private void connect()
    {
        final String frontendDir = vif.frontendDir + "/";
        final long txRef = store.readNumber(frontendDir + TX_RING_REF, 4, false, -1);
        final long rxRef = store.readNumber(frontendDir + RX_RING_REF, 4, false, -1);
        final long port = store.readNumber(frontendDir + EVENT_CHANNEL, 4, false, -1);
        if (txRef < 0 || rxRef < 0 || port != VifSections.BACKEND_PORT)
        {
            connectFailed("missing or bad tx-ring-ref/rx-ring-ref/event-channel");
            return;
        }
        if (!store.readFlag(frontendDir + REQUEST_RX_COPY))
        {
            connectFailed("frontend does not request rx-copy (rx-flip is not supported)");
            return;
        }
        final String layoutName = store.read(frontendDir + RING_LAYOUT);
        final RingLayout layout = layoutName == null || layoutName.equals(RING_LAYOUT_XEN) ? RingLayout.XEN :
            layoutName.equals(RING_LAYOUT_PADDED) ? RingLayout.PADDED : null;
        if (layout == null)
        {
            connectFailed("unknown ring-layout");
            return;
        }
        vif.frontendCsum = !store.readFlag(frontendDir + FEATURE_NO_CSUM_OFFLOAD);
        vif.frontendIpv6Csum = store.readFlag(frontendDir + FEATURE_IPV6_CSUM_OFFLOAD);
        vif.frontendGsoV4 = store.readFlag(frontendDir + FEATURE_GSO_TCPV4);
        vif.frontendGsoV6 = store.readFlag(frontendDir + FEATURE_GSO_TCPV6);
        vif.updateRxCapabilities();

        final int domid = vif.config.domid();
        final int handle = vif.config.handle();
        final Region share = region;
        final RegionSection pagesSection = share.findSection(VifSections.pagesName(domid, handle));
        final RegionSection grantsSection = share.findSection(VifSections.grantsName(domid, handle));
        final RegionSection eventsSection = share.findSection(VifSections.eventsName(domid, handle));
        if (pagesSection == null || grantsSection == null || eventsSection == null)
        {
            connectFailed("vif sections not found in the region");
            return;
        }
        final AtomicBuffer pages = pagesSection.buffer();
        if (vif.grants == null || grantTableBuffer != grantsSection.buffer())
        {
            try
            {
                vif.grants = GrantTable.attach(grantsSection.buffer(), pages);
                grantTableBuffer = grantsSection.buffer();
            }
            catch (final IllegalArgumentException ex)
            {
                connectFailed("grant table: " + ex.getMessage());
                return;
            }
        }
        final GrantTable grants = vif.grants;
        final int self = vif.config.backendDomid();
        final int txFrame = GrantMapper.mapFrame(grants, grantTableBuffer, txRef, self, true);
        final int rxFrame = GrantMapper.mapFrame(grants, grantTableBuffer, rxRef, self, true);
        if (txFrame < 0 || rxFrame < 0)
        {
            connectFailed("cannot map ring grants tx-ring-ref=" + txRef + " rx-ring-ref=" + rxRef);
            return;
        }
        final SharedRing txShared = new SharedRing(new UnsafeBuffer(pages, grants.pageOffset(txFrame), PAGE_SIZE),
            TX_SLOT_LENGTH, layout);
        final SharedRing rxShared = new SharedRing(new UnsafeBuffer(pages, grants.pageOffset(rxFrame), PAGE_SIZE),
            RX_SLOT_LENGTH, layout);
        // each index read once: the guest may rewrite them between a check and a use
        final int txResponses = txShared.responseProducer();
        final int rxResponses = rxShared.responseProducer();
        if (txShared.size() != VifSections.RING_SIZE || rxShared.size() != VifSections.RING_SIZE ||
            Integer.compareUnsigned(txShared.requestProducer() - txResponses, txShared.size()) > 0 ||
            Integer.compareUnsigned(rxShared.requestProducer() - rxResponses, rxShared.size()) > 0)
        {
            connectFailed("ring indices impossible at connect");
            return;
        }
        final EventChannel channel = new EventChannel(
            eventsSection.buffer(), VifSections.BACKEND_PORT, VifSections.FRONTEND_PORT, IdleMode.NOOP);
        if (!connectControlRing(pages, channel))
        {
            return;
        }
        final BackRing tx = txShared.backRing();
        final BackRing rx = rxShared.backRing();
        tx.attach(txResponses);
        rx.attach(rxResponses);
        queue.attach(tx, rx, channel);
        connectedEvents = eventsSection.buffer();
        connectGeneration++;
        vif.disabledReason = DropReason.NONE;
        vif.multicast.clear();
        vif.statusDirty = true;
        sampleMulticastControl();
        store.remove(vif.backendDir + "/" + ERROR);
        setState(XenbusState.CONNECTED);
        vif.accepting = true;
    }

    /**
     * Linux netback's {@code connect_ctrl_ring}: no {@code ctrl-ring-ref} means no control ring (not an error); with
     * one, {@code event-channel-ctrl} must be readable and the page mappable with sane indices, else the whole connect
     * fails (before any data ring is attached). The hash state starts afresh either way. This vif's event section
     * has one backend port, so the control ring shares it with the data rings (as Linux shares one interrupt when
     * the tx and rx ports are equal).
     *
     * @return false when the connect failed (already reported).
     */
    private boolean connectControlRing(final AtomicBuffer pages, final EventChannel channel)
    {
        vif.control.detach();
        vif.hash.reset();
        vif.hash.queues(1);
        final String frontendDir = vif.frontendDir + "/";
        final long ref = store.readNumber(frontendDir + CTRL_RING_REF, 4, false, -1);
        if (ref < 0)
        {
            return true;
        }
        final long port = store.readNumber(frontendDir + EVENT_CHANNEL_CTRL, 4, false, -1);
        if (port < 0)
        {
            connectFailed("reading " + EVENT_CHANNEL_CTRL);
            return false;
        }
        if (port != VifSections.BACKEND_PORT)
        {
            connectFailed("mapping shared-frame " + ref + " port " + port + ": no such port");
            return false;
        }
        final int frame = GrantMapper.mapFrame(vif.grants, grantTableBuffer, ref, vif.config.backendDomid(), true);
        if (frame < 0)
        {
            connectFailed("mapping shared-frame " + ref + " port " + port);
            return false;
        }
        final SharedRing shared = new SharedRing(new UnsafeBuffer(pages, vif.grants.pageOffset(frame), PAGE_SIZE),
            CtrlRingDescriptor.SLOT_LENGTH);
        if (Integer.compareUnsigned(shared.requestProducer() - shared.responseProducer(), shared.size()) > 0)
        {
            connectFailed("connecting control ring: indices impossible");
            return false;
        }
        final BackRing ring = shared.backRing();
        ring.attach(shared.responseProducer());
        vif.control.attach(ring, vif.grants, channel);
        return true;
    }

    /**
     * {@code feature-dynamic-multicast-control}: {@code request-multicast-control} is read at connect and again on
     * every store change while connected; turning it off also ends an overflow's accept-all.
     */
    private void sampleMulticastControl()
    {
        final boolean on = store.readFlag(vif.frontendDir + "/" + REQUEST_MULTICAST_CONTROL);
        if (!on && vif.multicastControl)
        {
            vif.multicast.resetOverflow();
        }
        if (on != vif.multicastControl)
        {
            vif.statusDirty = true;
        }
        vif.multicastControl = on;
    }

    private void connectFailed(final String reason)
    {
        vif.log("connect failed: " + reason);
        store.write(vif.backendDir + "/" + ERROR, XnbVif.truncate("connect: " + reason));
        setState(XenbusState.CLOSING);
    }

    private void disconnect()
    {
        vif.accepting = false;
        vif.control.detach();
        vif.multicastControl = false;
        vif.multicast.clear();
        vif.hash.reset();
        vif.statusDirty = true;
        queue.detach();
    }

    private void setState(final XenbusState newState)
    {
        vif.state = newState;
        store.writeState(vif.backendDir, newState);
        vif.counters.set(VifCounters.BACKEND_STATE, newState.code());
    }
}
