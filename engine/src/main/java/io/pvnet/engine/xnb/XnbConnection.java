package io.pvnet.engine.xnb;

import io.pvnet.engine.netif.CtrlRingDescriptor;
import io.pvnet.engine.netif.NetifKeys;
import io.pvnet.ring.event.EventChannelDescriptor;
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
 * interface settings ({@code multi-queue-max-queues} = {@code VifConfig.queues}, {@code feature-split-event-channels}),
 * follows the frontend's state, and at connect reads {@code multi-queue-num-queues}, the control ring's keys and, per
 * queue (flat for one queue, {@code queue-N/} for more), {@code tx-ring-ref}, {@code rx-ring-ref} and
 * {@code event-channel} or {@code event-channel-tx}/{@code -rx}, as {@code connect()} and {@code connect_data_rings()}
 * do; maps every ring through the guest's grant table and only when all of them are good hands each to its
 * {@link XnbQueue}. A connect that fails writes its reason to the backend's {@code error} key and goes to Closing,
 * never to a partial connection. On the way down it detaches every queue.
 * <p>
 * Everything it learns goes into the shared {@link XnbVif}.
 * <p>
 * Threading: the agent's thread; configuration calls ({@link #start}, {@link #close}, {@link #reopen}) before the
 * agent runs or on its thread.
 * <p>
 * Why one file of this length (about 480 lines of code, the rest javadoc): it follows Linux's xenbus.c key by key, in
 * the order connect() reads them, so that the two read side by side.
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
    private final XnbQueues queues;
    private AtomicBuffer grantTableBuffer;
    /** The connected guest's own selector (several queues), or null. */
    private io.pvnet.ring.event.EventSelector guestSelector;
    private boolean online = true;
    private int lastStoreChange = -1;

    XnbConnection(final XnbVif vif, final Region region, final XnbQueues queues)
    {
        this.vif = vif;
        this.region = region;
        this.store = vif.store;
        this.queues = queues;
    }

    /** Publishes the backend's features and settings and enters InitWait. Configuration time. */
    void start()
    {
        publishFeatures();
        InterfaceSettings.publish(store, vif.backendDir, vif.config);
        sayRefusal(vif.settings.reload(store, vif.backendDir));
        vif.updateRxCapabilities();
        setState(XenbusState.INIT_WAIT);
    }

    private void sayRefusal(final String refusal)
    {
        if (refusal != null)
        {
            vif.log(refusal);
        }
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
        store.write(dir + FEATURE_SPLIT_EVENT_CHANNELS, 1);
        store.write(dir + FEATURE_CTRL_RING, 1);
        store.write(dir + MULTI_QUEUE_MAX_QUEUES, vif.config.queues());
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
        sayRefusal(vif.settings.reload(store, vif.backendDir));
        vif.updateRxCapabilities();
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
        final int queueCount = requestedQueues();
        if (queueCount < 0)
        {
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
        final AtomicBuffer events = eventsSection.buffer();
        // a multi-queue guest's own selector: a notification to a port bound there raises the queue's bit
        guestSelector = null;
        final RegionSection selectorSection = share.findSection(VifSections.guestSelectorName(domid, handle));
        if (selectorSection != null)
        {
            try
            {
                guestSelector = io.pvnet.ring.event.EventSelector.attach(selectorSection.segment());
            }
            catch (final IllegalArgumentException ex)
            {
                guestSelector = null; // not a selector: notifications wake the port's own word
            }
        }
        // Linux's order: the control ring first (its failure leaves nothing connected), then every data ring
        vif.hash.reset();
        vif.hash.queues(queueCount);
        if (!connectControlRing(pages, events))
        {
            return;
        }
        final XnbQueue.Rings[] rings = new XnbQueue.Rings[queueCount];
        final long[] portsInUse = new long[2 * queueCount];
        final int[] framesInUse = new int[2 * queueCount];
        for (int q = 0; q < queueCount; q++)
        {
            rings[q] = connectDataRings(q, queueCount, pages, events, layout, portsInUse, framesInUse);
            if (rings[q] == null)
            {
                // any queue failing tears down the control ring too: never a partial connection
                vif.control.detach();
                return;
            }
        }
        for (int q = 0; q < queueCount; q++)
        {
            queues.get(q).requestAttach(rings[q]);
        }
        vif.queues = queueCount;
        connectedEvents = events;
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
     * Linux's {@code connect}: {@code multi-queue-num-queues} absent means 1; 0 or more than this backend offers fails
     * the connect with Linux's messages (the 0 case as fixed in 2026). Beyond Linux, a value that is not a number is
     * refused too (Linux's {@code xenbus_read_unsigned} would read it as the default, 1).
     *
     * @return the queue count, or -1 when the connect failed (already reported).
     */
    private int requestedQueues()
    {
        final String key = vif.frontendDir + "/" + MULTI_QUEUE_NUM_QUEUES;
        final int max = vif.config.queues();
        if (store.read(key) == null)
        {
            return 1;
        }
        final long requested = store.readNumber(key, 4, false, -1);
        if (requested < 0)
        {
            connectFailed("reading " + MULTI_QUEUE_NUM_QUEUES);
            return -1;
        }
        if (requested > max)
        {
            connectFailed("guest requested " + requested + " queues, exceeding the maximum of " + max + ".");
            return -1;
        }
        if (requested == 0)
        {
            connectFailed("guest requested 0 queues, but valid range is 1 - " + max + ".");
            return -1;
        }
        return (int)requested;
    }

    /**
     * Linux's {@code connect_data_rings} for queue {@code q}: both ring references, then {@code event-channel-tx}
     * with {@code event-channel-rx}, else {@code event-channel} for both; then maps the rings and binds the ports.
     * Beyond Linux's checks (a grant that does not map, indices impossible), a port must be a backend port of this
     * vif's event section not bound by another queue, and no ring page may serve twice.
     *
     * @return the mapped rings, or null when the connect failed (already reported).
     */
    private XnbQueue.Rings connectDataRings(
        final int q, final int queueCount, final AtomicBuffer pages, final AtomicBuffer events, final RingLayout layout,
        final long[] portsInUse, final int[] framesInUse)
    {
        final String dir = NetifKeys.queueDir(vif.frontendDir, q, queueCount);
        final long txRef = store.readNumber(dir + "/" + TX_RING_REF, 4, false, -1);
        final long rxRef = store.readNumber(dir + "/" + RX_RING_REF, 4, false, -1);
        if (txRef < 0 || rxRef < 0)
        {
            connectFailed("reading " + dir + "/ring-ref");
            return null;
        }
        long txPort = store.readNumber(dir + "/" + EVENT_CHANNEL_TX, 4, false, -1);
        long rxPort = store.readNumber(dir + "/" + EVENT_CHANNEL_RX, 4, false, -1);
        if (txPort < 0 || rxPort < 0)
        {
            txPort = store.readNumber(dir + "/" + EVENT_CHANNEL, 4, false, -1);
            rxPort = txPort;
            if (txPort < 0)
            {
                connectFailed("reading " + dir + "/event-channel(-tx/rx)");
                return null;
            }
        }
        final String mapping = "mapping shared-frames " + txRef + "/" + rxRef + " port tx " + txPort + " rx " + rxPort;
        final int portCount = EventChannelDescriptor.portCount(events.capacity());
        if (!isFreeBackendPort(txPort, portCount, portsInUse, 2 * q) ||
            (rxPort != txPort && !isFreeBackendPort(rxPort, portCount, portsInUse, 2 * q)))
        {
            connectFailed(mapping);
            return null;
        }
        portsInUse[2 * q] = txPort;
        portsInUse[2 * q + 1] = rxPort;
        final GrantTable grants = vif.grants;
        final int self = vif.config.backendDomid();
        final int txFrame = GrantMapper.mapFrame(grants, grantTableBuffer, txRef, self, true);
        final int rxFrame = GrantMapper.mapFrame(grants, grantTableBuffer, rxRef, self, true);
        if (txFrame < 0 || rxFrame < 0 || txFrame == rxFrame || isFrameInUse(txFrame, framesInUse, 2 * q) ||
            isFrameInUse(rxFrame, framesInUse, 2 * q))
        {
            connectFailed(mapping);
            return null;
        }
        framesInUse[2 * q] = txFrame;
        framesInUse[2 * q + 1] = rxFrame;
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
            connectFailed(mapping + ": ring indices impossible");
            return null;
        }
        final BackRing tx = txShared.backRing();
        final BackRing rx = rxShared.backRing();
        tx.attach(txResponses);
        rx.attach(rxResponses);
        final EventChannel txChannel = channel(events, (int)txPort);
        final EventChannel rxChannel = rxPort == txPort ? txChannel : channel(events, (int)rxPort);
        return new XnbQueue.Rings(tx, rx, txChannel, rxChannel, (int)txPort, (int)rxPort);
    }

    /**
     * Backend port {@code port} and the frontend port paired with it ({@code port + 1}, see {@link VifSections}),
     * raising the guest's selector when the frontend bound its port there.
     */
    private EventChannel channel(final AtomicBuffer events, final int port)
    {
        return new EventChannel(events, port, port + 1, IdleMode.NOOP, guestSelector);
    }

    private static boolean isFreeBackendPort(final long port, final int portCount, final long[] inUse, final int used)
    {
        if (port < 0 || port + 1 >= portCount || (port & 1) != 0)
        {
            return false;
        }
        for (int i = 0; i < used; i++)
        {
            if (inUse[i] == port)
            {
                return false;
            }
        }
        return true;
    }

    private static boolean isFrameInUse(final int frame, final int[] inUse, final int used)
    {
        for (int i = 0; i < used; i++)
        {
            if (inUse[i] == frame)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Linux netback's {@code connect_ctrl_ring}: no {@code ctrl-ring-ref} means no control ring (not an error); with
     * one, {@code event-channel-ctrl} must be readable and name a backend port of this vif's event section, and the
     * page must map with sane indices, else the whole connect fails (before any data ring is attached). The hash state
     * starts afresh either way (the caller resets it). The control ring may share its port with a data ring (Linux
     * binds it to its own interrupt; here the port's events only wake the vif's agent).
     *
     * @return false when the connect failed (already reported).
     */
    private boolean connectControlRing(final AtomicBuffer pages, final AtomicBuffer events)
    {
        vif.control.detach();
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
        if (!isFreeBackendPort(port, EventChannelDescriptor.portCount(events.capacity()), null, 0))
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
        vif.control.attach(ring, vif.grants, channel(events, (int)port));
        vif.controlPort = (int)port;
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
        vif.pending.increment(VifCounters.CONNECT_FAILED);
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
        vif.queues = 0;
        queues.detachAll();
    }

    private void setState(final XenbusState newState)
    {
        vif.state = newState;
        store.writeState(vif.backendDir, newState);
        vif.counters.set(VifCounters.BACKEND_STATE, newState.code());
    }
}
