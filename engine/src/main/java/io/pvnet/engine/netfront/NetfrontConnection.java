package io.pvnet.engine.netfront;

import io.pvnet.engine.VifConfig;
import io.pvnet.engine.VifSections;
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
    private final NetfrontTx tx;
    private final NetfrontRx rx;
    private int txRingRef;
    private int rxRingRef;
    private int lastStoreChange = -1;
    private boolean reconnectRequested;
    private boolean grantsHeld;

    NetfrontConnection(final NetfrontVif vif, final Region region, final NetfrontTx tx, final NetfrontRx rx)
    {
        this.vif = vif;
        this.region = region;
        this.store = vif.store;
        this.tx = tx;
        this.rx = rx;
    }

    /** Finds or allocates the vif's sections and enters Initialising. Configuration time. */
    void start()
    {
        final int domid = vif.config.domid();
        final int handle = vif.config.handle();
        final RegionSection pagesSection = findOrAllocate(VifSections.pagesName(domid, handle), VifSections.pagesLength());
        final RegionSection grantsSection = findOrAllocate(VifSections.grantsName(domid, handle), VifSections.grantsLength());
        final RegionSection eventsSection = findOrAllocate(VifSections.eventsName(domid, handle), VifSections.eventsLength());
        vif.pages = pagesSection.buffer();
        vif.grants = GrantTable.create(grantsSection.buffer(), vif.pages);
        // with the host's selector: a notification to an armed backend port raises the vif's bit in one host wait point
        vif.channel = new EventChannel(eventsSection.buffer(), VifSections.FRONTEND_PORT, VifSections.BACKEND_PORT,
            IdleMode.NOOP, VifSections.findSelector(region));
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

        final boolean padded = config.paddedRings() && store.readFlag(backendDir + FEATURE_RING_LAYOUT_PADDED);
        final RingLayout layout = padded ? RingLayout.PADDED : RingLayout.XEN;
        final SharedRing txShared = new SharedRing(pageSlice(VifSections.TX_RING_FRAME), TX_SLOT_LENGTH, layout);
        final SharedRing rxShared = new SharedRing(pageSlice(VifSections.RX_RING_FRAME), RX_SLOT_LENGTH, layout);
        txShared.init();
        rxShared.init();
        tx.attach(txShared.frontRing());
        rx.attach(rxShared.frontRing());
        final GrantTable grants = vif.grants;
        txRingRef = grants.grantAccess(backend, VifSections.TX_RING_FRAME, false);
        rxRingRef = grants.grantAccess(backend, VifSections.RX_RING_FRAME, false);
        for (int id = VifSections.RING_SIZE - 1; id >= 0; id--)
        {
            // XSA-403: only pages that hold nothing else are granted; zero them before sharing
            vif.pages.setMemory(vif.pageOffset(VifSections.TX_BUFFER_FRAME + id), PAGE_SIZE, (byte)0);
            vif.pages.setMemory(vif.pageOffset(VifSections.RX_BUFFER_FRAME + id), PAGE_SIZE, (byte)0);
            tx.gref[id] = grants.grantAccess(backend, VifSections.TX_BUFFER_FRAME + id, true);
            rx.gref[id] = grants.grantAccess(backend, VifSections.RX_BUFFER_FRAME + id, false);
            tx.free(id);
        }
        grantsHeld = true;
        rx.post(VifSections.RING_SIZE);

        final String frontendDir = vif.frontendDir + "/";
        store.write(frontendDir + RING_LAYOUT, padded ? RING_LAYOUT_PADDED : RING_LAYOUT_XEN);
        store.write(frontendDir + TX_RING_REF, txRingRef);
        store.write(frontendDir + RX_RING_REF, rxRingRef);
        store.write(frontendDir + EVENT_CHANNEL, VifSections.BACKEND_PORT);
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
        if (!grantsHeld)
        {
            return true;
        }
        boolean all = true;
        all &= endAccess(txRingRef);
        all &= endAccess(rxRingRef);
        for (int id = 0; id < VifSections.RING_SIZE; id++)
        {
            all &= endAccess(tx.gref[id]);
            all &= endAccess(rx.gref[id]);
        }
        if (all)
        {
            grantsHeld = false;
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
