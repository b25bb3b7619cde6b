package io.pvnet.engine.netfront;

import io.pvnet.engine.netif.NetifKeys;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifSections;
import io.pvnet.engine.store.XenStore;
import io.pvnet.engine.store.XenbusState;
import io.pvnet.ring.RingLayout;
import io.pvnet.ring.SharedRing;
import io.pvnet.ring.event.EventChannel;
import io.pvnet.ring.event.IdleMode;
import io.pvnet.ring.grant.GrantStatus;
import io.pvnet.ring.grant.GrantTable;
import io.pvnet.ring.region.Region;
import io.pvnet.ring.region.RegionSection;
import org.agrona.concurrent.UnsafeBuffer;

import static io.pvnet.engine.netif.NetifConstants.PAGE_SIZE;
import static io.pvnet.engine.netif.NetifConstants.RX_SLOT_LENGTH;
import static io.pvnet.engine.netif.NetifConstants.TX_SLOT_LENGTH;
import static io.pvnet.engine.netif.NetifKeys.*;

/**
 * The frontend's side of the XenBus handshake (Linux netfront's {@code talk_to_netback} and
 * {@code netback_changed}): allocates the vif's sections, follows the backend's state, sets up and grants the rings
 * and buffers (zeroed first, XSA-403), writes the frontend's keys, and on the way down revokes every grant before it
 * says Closed.
 * <p>
 * Threading: the frontend's one thread.
 */
final class NetfrontConnection
{
    private final NetfrontVif vif;
    private final Region region;
    private final XenStore store;
    private final NetfrontQueues queues;
    /** Grant references of each queue's two ring pages (0 = none). */
    private final int[] txRingRef;
    private final int[] rxRingRef;
    /** Queues whose grants are held (those of the last connect). */
    private int grantedQueues;
    private int lastStoreChange = -1;
    private boolean reconnectRequested;

    NetfrontConnection(final NetfrontVif vif, final Region region, final NetfrontQueues queues)
    {
        this.vif = vif;
        this.region = region;
        this.store = vif.store;
        this.queues = queues;
        this.txRingRef = new int[queues.capacity()];
        this.rxRingRef = new int[queues.capacity()];
    }

    /**
     * Finds or allocates the vif's sections, sized for {@code VifConfig.queues} queues, and enters Initialising.
     * Configuration time.
     */
    void start()
    {
        final int domid = vif.config.domid();
        final int handle = vif.config.handle();
        final int queueCount = queues.capacity();
        final RegionSection pagesSection =
            findOrAllocate(VifSections.pagesName(domid, handle), VifSections.pagesLength(queueCount));
        final RegionSection grantsSection =
            findOrAllocate(VifSections.grantsName(domid, handle), VifSections.grantsLength(queueCount));
        final RegionSection eventsSection =
            findOrAllocate(VifSections.eventsName(domid, handle), VifSections.eventsLength(queueCount));
        vif.pages = pagesSection.buffer();
        vif.grants = GrantTable.create(grantsSection.buffer(), vif.pages);
        vif.events = eventsSection.buffer();
        // sections found from an earlier frontend may hold fewer queues: never use more than they hold
        vif.maxQueues = Math.min(queueCount, Math.min(
            pagesSection.buffer().capacity() / VifSections.pagesLength(1),
            io.pvnet.ring.event.EventChannelDescriptor.portCount(vif.events.capacity()) / 2));
        if (vif.maxQueues > 1)
        {
            final RegionSection selectorSection = findOrAllocate(
                VifSections.guestSelectorName(domid, handle), VifSections.guestSelectorLength());
            try
            {
                vif.selector = io.pvnet.ring.event.EventSelector.initialise(
                    selectorSection.segment(), VifSections.GUEST_SELECTOR_BITS);
            }
            catch (final IllegalArgumentException ex)
            {
                vif.selector = null; // a section that is no selector: the guest then parks between polls
            }
        }
        setState(XenbusState.INITIALISING);
    }

    private RegionSection findOrAllocate(final String name, final int length)
    {
        final RegionSection existing = region.findSection(name);
        return existing != null ? existing : region.allocateSection(name, length);
    }

    /** Starts an orderly close: Closing now, Closed once the backend let go of the grants. */
    void close()
    {
        if (vif.state == XenbusState.CONNECTED || vif.state == XenbusState.INITIALISING)
        {
            setState(XenbusState.CLOSING);
        }
    }

    /** After Closed: go through Initialising to Connected again. */
    void reconnect()
    {
        reconnectRequested = true;
        lastStoreChange = -1;
    }

    /** Follows the store when it changed since the last call. @return 1 if the state moved, else 0. */
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
        final XenbusState backendState = store.readState(vif.backendDir);
        vif.stopTxChecksumOffload = store.readFlag(vif.backendDir + "/" + REQUEST_NO_TX_CSUM_OFFLOAD);
        vif.updateTxCapabilities();
        switch (vif.state)
        {
            case INITIALISING ->
            {
                if (backendState == XenbusState.INIT_WAIT)
                {
                    connect();
                    return 1;
                }
            }
            case CONNECTED ->
            {
                if (backendState == XenbusState.CLOSING || backendState == XenbusState.CLOSED)
                {
                    setState(XenbusState.CLOSING);
                    return finishClose(backendState);
                }
            }
            case CLOSING ->
            {
                return finishClose(backendState);
            }
            case CLOSED ->
            {
                if (reconnectRequested && backendState != XenbusState.CONNECTED)
                {
                    reconnectRequested = false;
                    vif.brokenReason = null;
                    setState(XenbusState.INITIALISING);
                    return 1;
                }
            }
            default ->
            {
            }
        }
        return 0;
    }

    private int finishClose(final XenbusState backendState)
    {
        if (backendState != XenbusState.CLOSING && backendState != XenbusState.CLOSED &&
            backendState != XenbusState.INIT_WAIT && backendState != XenbusState.UNKNOWN)
        {
            return 0;
        }
        if (!revokeGrants())
        {
            lastStoreChange = -1; // a grant is still in use: try again on the next duty cycle
            return 0;
        }
        setState(XenbusState.CLOSED);
        return 1;
    }

    private void connect()
    {
        final VifConfig config = vif.config;
        final String backendDir = vif.backendDir + "/";
        final int backend = config.backendDomid();
        vif.backendSg = store.readFlag(backendDir + FEATURE_SG);
        vif.backendGsoV4 = store.readFlag(backendDir + FEATURE_GSO_TCPV4);
        vif.backendGsoV6 = store.readFlag(backendDir + FEATURE_GSO_TCPV6);
        vif.updateTxCapabilities();

        // Linux netfront: the backend's multi-queue-max-queues (absent: 1) caps what this side wants
        final boolean multiQueue = store.read(backendDir + MULTI_QUEUE_MAX_QUEUES) != null;
        final long backendMax = store.readNumber(backendDir + MULTI_QUEUE_MAX_QUEUES, 4, false, 1);
        final int queueCount = (int)Math.max(1, Math.min(backendMax, vif.maxQueues));

        final boolean padded = config.paddedRings() && store.readFlag(backendDir + FEATURE_RING_LAYOUT_PADDED);
        final RingLayout layout = padded ? RingLayout.PADDED : RingLayout.XEN;
        final GrantTable grants = vif.grants;
        final io.pvnet.ring.event.EventSelector hostSelector = VifSections.findSelector(region);
        final String frontendDir = vif.frontendDir + "/";
        // keys of an earlier connection with another queue count must not linger (this frontend wrote at most
        // queues.capacity() queue directories; removing by name costs a few probes, a tree scan the whole store)
        if (queues.capacity() > 1)
        {
            for (int q = 0; q < queues.capacity(); q++)
            {
                final String dir = NetifKeys.queueDir(vif.frontendDir, q, 2) + "/";
                store.remove(dir + TX_RING_REF);
                store.remove(dir + RX_RING_REF);
                store.remove(dir + EVENT_CHANNEL);
            }
        }
        if (queueCount > 1)
        {
            store.remove(frontendDir + TX_RING_REF);
            store.remove(frontendDir + RX_RING_REF);
            store.remove(frontendDir + EVENT_CHANNEL);
        }
        for (int q = 0; q < queueCount; q++)
        {
            queues.create(q);
            final NetfrontTx tx = queues.tx(q);
            final NetfrontRx rx = queues.rx(q);
            final int base = VifSections.frame(q, 0);
            final SharedRing txShared =
                new SharedRing(pageSlice(base + VifSections.TX_RING_FRAME), TX_SLOT_LENGTH, layout);
            final SharedRing rxShared =
                new SharedRing(pageSlice(base + VifSections.RX_RING_FRAME), RX_SLOT_LENGTH, layout);
            txShared.init();
            rxShared.init();
            // with the host's selector: a notification to an armed backend port raises the vif's bit in one wait point
            final EventChannel channel = new EventChannel(vif.events, VifSections.frontendPort(q),
                VifSections.backendPort(q), IdleMode.NOOP, hostSelector);
            // several queues: this port raises bit q of the guest's own selector, so one thread sleeps for all
            channel.bindLocalPort(vif.selector != null && queueCount > 1 ? q : -1);
            tx.channel = channel;
            rx.channel = channel;
            tx.attach(txShared.frontRing());
            rx.attach(rxShared.frontRing());
            txRingRef[q] = grants.grantAccess(backend, base + VifSections.TX_RING_FRAME, false);
            rxRingRef[q] = grants.grantAccess(backend, base + VifSections.RX_RING_FRAME, false);
            for (int id = VifSections.RING_SIZE - 1; id >= 0; id--)
            {
                // XSA-403: only pages that hold nothing else are granted; zero them before sharing
                vif.pages.setMemory(vif.pageOffset(base + VifSections.TX_BUFFER_FRAME + id), PAGE_SIZE, (byte)0);
                vif.pages.setMemory(vif.pageOffset(base + VifSections.RX_BUFFER_FRAME + id), PAGE_SIZE, (byte)0);
                tx.gref[id] = grants.grantAccess(backend, base + VifSections.TX_BUFFER_FRAME + id, true);
                rx.gref[id] = grants.grantAccess(backend, base + VifSections.RX_BUFFER_FRAME + id, false);
                tx.free(id);
            }
            grantedQueues = q + 1;
            rx.post(VifSections.RING_SIZE);

            final String dir = NetifKeys.queueDir(vif.frontendDir, q, queueCount) + "/";
            store.write(dir + TX_RING_REF, txRingRef[q]);
            store.write(dir + RX_RING_REF, rxRingRef[q]);
            store.write(dir + EVENT_CHANNEL, VifSections.backendPort(q));
        }
        vif.queues = queueCount;
        if (multiQueue)
        {
            store.write(frontendDir + MULTI_QUEUE_NUM_QUEUES, queueCount);
        }
        else
        {
            store.remove(frontendDir + MULTI_QUEUE_NUM_QUEUES);
        }
        store.write(frontendDir + RING_LAYOUT, padded ? RING_LAYOUT_PADDED : RING_LAYOUT_XEN);
        store.write(frontendDir + REQUEST_RX_COPY, 1);
        store.write(frontendDir + FEATURE_RX_NOTIFY, 1);
        store.write(frontendDir + FEATURE_SG, config.sg() ? 1 : 0);
        store.write(frontendDir + FEATURE_GSO_TCPV4, config.gsoTcpv4() ? 1 : 0);
        store.write(frontendDir + FEATURE_GSO_TCPV6, config.gsoTcpv6() ? 1 : 0);
        store.write(frontendDir + FEATURE_NO_CSUM_OFFLOAD, config.csumOffload() ? 0 : 1);
        store.write(frontendDir + FEATURE_IPV6_CSUM_OFFLOAD, config.ipv6CsumOffload() ? 1 : 0);
        store.write(frontendDir + MAC, VifConfig.formatMac(config.mac()));
        store.write(frontendDir + MTU, config.mtu());
        vif.brokenReason = null;
        setState(XenbusState.CONNECTED);
    }

    private boolean revokeGrants()
    {
        boolean all = true;
        for (int q = 0; q < grantedQueues; q++)
        {
            all &= endAccess(txRingRef[q]);
            all &= endAccess(rxRingRef[q]);
            final NetfrontTx tx = queues.tx(q);
            final NetfrontRx rx = queues.rx(q);
            for (int id = 0; id < VifSections.RING_SIZE; id++)
            {
                all &= endAccess(tx.gref[id]);
                all &= endAccess(rx.gref[id]);
            }
        }
        if (all)
        {
            grantedQueues = 0;
        }
        return all;
    }

    private boolean endAccess(final int ref)
    {
        if (ref <= 0)
        {
            return true;
        }
        return vif.grants.endAccess(ref) != GrantStatus.EAGAIN;
    }

    private void setState(final XenbusState newState)
    {
        vif.state = newState;
        store.writeState(vif.frontendDir, newState);
    }

    private UnsafeBuffer pageSlice(final int frame)
    {
        return new UnsafeBuffer(vif.pages, vif.pageOffset(frame), PAGE_SIZE);
    }
}
