package io.pvnet.engine.xnb;

import io.pvnet.engine.netif.NetifKeys;
import io.pvnet.engine.vif.DropReason;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.store.XenStore;
import io.pvnet.engine.store.XenbusState;
import io.pvnet.ring.RingLayout;
import io.pvnet.ring.region.Region;
import org.agrona.concurrent.AtomicBuffer;

import static io.pvnet.engine.netif.NetifKeys.*;

/**
 * The backend's side of the XenBus handshake (Linux netback's {@code xenbus.c}): publishes the backend's features and
 * interface settings ({@code multi-queue-max-queues} = {@code VifConfig.queues}, {@code feature-split-event-channels}),
 * follows the frontend's state, and at connect reads {@code multi-queue-num-queues}, the control ring's keys and, per
 * queue (flat for one queue, {@code queue-N/} for more), {@code tx-ring-ref}, {@code rx-ring-ref} and
 * {@code event-channel} or {@code event-channel-tx}/{@code -rx}, as {@code connect()} and {@code connect_data_rings()}
 * do; maps every ring through the guest's grant table ({@link XnbRingMapper}) and only when all of them are good hands
 * each to its {@link XnbQueue}. A connect that fails writes its reason to the backend's {@code error} key and goes to
 * Closing, never to a partial connection. On the way down it detaches every queue.
 * <p>
 * Everything it learns goes into the shared {@link XnbVif}.
 * <p>
 * Threading: the agent's thread; configuration calls ({@link #start}, {@link #close}, {@link #reopen}) before the
 * agent runs or on its thread.
 * <p>
 * This class is the state machine and the order of a connect, as xenbus.c's {@code connect()}; the mapping of each
 * ring from its keys is {@link XnbRingMapper}'s.
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
    private final XnbRingMapper mapper;
    private boolean online = true;
    private int lastStoreChange = -1;

    XnbConnection(final XnbVif vif, final Region region, final XnbQueues queues)
    {
        this.vif = vif;
        this.region = region;
        this.store = vif.store;
        this.queues = queues;
        this.mapper = new XnbRingMapper(vif);
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
        vif.reportExceptionToStore();
        try
        {
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

    /** The agent stops: frames are no longer accepted and the backend says Closed. */
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

        if (!mapper.findMemory(region, queueCount))
        {
            connectFailed(mapper.failure());
            return;
        }
        // Linux's order: the control ring first (its failure leaves nothing connected), then every data ring
        vif.hash.reset();
        vif.hash.queues(queueCount);
        if (!mapper.mapControlRing())
        {
            connectFailed(mapper.failure());
            return;
        }
        final XnbQueue.Rings[] rings = new XnbQueue.Rings[queueCount];
        for (int q = 0; q < queueCount; q++)
        {
            rings[q] = mapper.mapDataRings(q, queueCount, layout);
            if (rings[q] == null)
            {
                // any queue failing tears down the control ring too: never a partial connection
                connectFailed(mapper.failure());
                vif.control.detach();
                return;
            }
        }
        for (int q = 0; q < queueCount; q++)
        {
            queues.get(q).requestAttach(rings[q]);
        }
        vif.queues = queueCount;
        connectedEvents = mapper.events();
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
