package io.pvnet.engine.xnb;

import io.pvnet.engine.netif.CtrlRingDescriptor;
import io.pvnet.engine.netif.NetifKeys;
import io.pvnet.engine.store.XenStore;
import io.pvnet.engine.vif.VifSections;
import io.pvnet.ring.BackRing;
import io.pvnet.ring.RingLayout;
import io.pvnet.ring.SharedRing;
import io.pvnet.ring.event.EventChannel;
import io.pvnet.ring.event.EventChannelDescriptor;
import io.pvnet.ring.event.EventSelector;
import io.pvnet.ring.event.IdleMode;
import io.pvnet.ring.grant.GrantTable;
import io.pvnet.ring.region.Region;
import io.pvnet.ring.region.RegionSection;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.pvnet.engine.netif.NetifConstants.PAGE_SIZE;
import static io.pvnet.engine.netif.NetifConstants.RX_SLOT_LENGTH;
import static io.pvnet.engine.netif.NetifConstants.TX_SLOT_LENGTH;
import static io.pvnet.engine.netif.NetifKeys.CTRL_RING_REF;
import static io.pvnet.engine.netif.NetifKeys.EVENT_CHANNEL;
import static io.pvnet.engine.netif.NetifKeys.EVENT_CHANNEL_CTRL;
import static io.pvnet.engine.netif.NetifKeys.EVENT_CHANNEL_RX;
import static io.pvnet.engine.netif.NetifKeys.EVENT_CHANNEL_TX;
import static io.pvnet.engine.netif.NetifKeys.RX_RING_REF;
import static io.pvnet.engine.netif.NetifKeys.TX_RING_REF;

/**
 * The mapping half of a connect (Linux netback's {@code connect_ctrl_ring}, {@code connect_data_rings} and
 * {@code xenvif_map_frontend_data_rings}): from the frontend's ring references and event ports in the store to rings
 * mapped through the guest's grant table, every value read once and checked before use. {@link XnbConnection} calls
 * {@link #findMemory}, then {@link #mapControlRing}, then {@link #mapDataRings} per queue; a step that fails returns
 * false or null and leaves its reason in {@link #failure()}, for the connection to report.
 * <p>
 * Beyond Linux's checks (a grant that does not map, ring indices impossible), a port must be a backend port of this
 * vif's event section not bound by another queue, and no ring page may serve twice.
 * <p>
 * Threading: the vif agent's thread (as {@link XnbConnection}).
 */
final class XnbRingMapper
{
    private final XnbVif vif;
    private final XenStore store;
    /** The grant table {@link XnbVif#grants} was attached over: attached again only when the memory changed. */
    private AtomicBuffer grantTableBuffer;
    /** This connect's pages and event ports (in the guest's memory). */
    private AtomicBuffer pages;
    private AtomicBuffer events;
    /** The connecting guest's own selector (several queues), or null. */
    private EventSelector guestSelector;
    /** Ports and frames already taken by the queues mapped so far in this connect. */
    private long[] portsInUse = new long[0];
    private int[] framesInUse = new int[0];
    private String failure;

    XnbRingMapper(final XnbVif vif)
    {
        this.vif = vif;
        this.store = vif.store;
    }

    /** {@return why the last step failed} */
    String failure()
    {
        return failure;
    }

    /** {@return the event ports section of this connect} */
    AtomicBuffer events()
    {
        return events;
    }

    /**
     * Finds the vif's sections in {@code share} (pages, grant table, event ports and a multi-queue guest's selector),
     * attaching {@link XnbVif#grants} when the grant table is new.
     *
     * @param queueCount the queues this connect maps.
     * @return false when a section is missing or the grant table is not one (see {@link #failure()}).
     */
    boolean findMemory(final Region share, final int queueCount)
    {
        final int domid = vif.config.domid();
        final int handle = vif.config.handle();
        final RegionSection pagesSection = share.findSection(VifSections.pagesName(domid, handle));
        final RegionSection grantsSection = share.findSection(VifSections.grantsName(domid, handle));
        final RegionSection eventsSection = share.findSection(VifSections.eventsName(domid, handle));
        if (pagesSection == null || grantsSection == null || eventsSection == null)
        {
            return failed("vif sections not found in the region");
        }
        pages = pagesSection.buffer();
        if (vif.grants == null || grantTableBuffer != grantsSection.buffer())
        {
            try
            {
                vif.grants = GrantTable.attach(grantsSection.buffer(), pages);
                grantTableBuffer = grantsSection.buffer();
            }
            catch (final IllegalArgumentException ex)
            {
                return failed("grant table: " + ex.getMessage());
            }
        }
        events = eventsSection.buffer();
        // a multi-queue guest's own selector: a notification to a port bound there raises the queue's bit
        guestSelector = null;
        final RegionSection selectorSection = share.findSection(VifSections.guestSelectorName(domid, handle));
        if (selectorSection != null)
        {
            try
            {
                guestSelector = EventSelector.attach(selectorSection.segment());
            }
            catch (final IllegalArgumentException ex)
            {
                guestSelector = null; // not a selector: notifications wake the port's own word
            }
        }
        portsInUse = new long[2 * queueCount];
        framesInUse = new int[2 * queueCount];
        return true;
    }

    /**
     * Linux netback's {@code connect_ctrl_ring}: no {@code ctrl-ring-ref} means no control ring (not an error); with
     * one, {@code event-channel-ctrl} must be readable and name a backend port of this vif's event section, and the
     * page must map with sane indices, else the whole connect fails (before any data ring is attached). The control
     * ring may share its port with a data ring (Linux binds it to its own interrupt; here the port's events only wake
     * the vif's agent). Attaches it to {@link XnbVif#control}.
     *
     * @return false when the connect failed (see {@link #failure()}).
     */
    boolean mapControlRing()
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
            return failed("reading " + EVENT_CHANNEL_CTRL);
        }
        if (!isFreeBackendPort(port, 0))
        {
            return failed("mapping shared-frame " + ref + " port " + port + ": no such port");
        }
        final int frame = GrantMapper.mapFrame(vif.grants, grantTableBuffer, ref, vif.config.backendDomid(), true);
        if (frame < 0)
        {
            return failed("mapping shared-frame " + ref + " port " + port);
        }
        final SharedRing shared = new SharedRing(new UnsafeBuffer(pages, vif.grants.pageOffset(frame), PAGE_SIZE),
            CtrlRingDescriptor.SLOT_LENGTH);
        // the guest writes these indices: read once, so the one checked is the one attached (as the data rings)
        final int responses = shared.responseProducer();
        if (Integer.compareUnsigned(shared.requestProducer() - responses, shared.size()) > 0)
        {
            return failed("connecting control ring: indices impossible");
        }
        final BackRing ring = shared.backRing();
        ring.attach(responses);
        vif.control.attach(ring, vif.grants, channel((int)port));
        vif.controlPort = (int)port;
        return true;
    }

    /**
     * Linux's {@code connect_data_rings} for queue {@code q}: both ring references, then {@code event-channel-tx}
     * with {@code event-channel-rx}, else {@code event-channel} for both; then maps the rings and binds the ports.
     *
     * @return the mapped rings, or null when the connect failed (see {@link #failure()}).
     */
    XnbQueue.Rings mapDataRings(final int q, final int queueCount, final RingLayout layout)
    {
        final String dir = NetifKeys.queueDir(vif.frontendDir, q, queueCount);
        final long txRef = store.readNumber(dir + "/" + TX_RING_REF, 4, false, -1);
        final long rxRef = store.readNumber(dir + "/" + RX_RING_REF, 4, false, -1);
        if (txRef < 0 || rxRef < 0)
        {
            return failedRings("reading " + dir + "/ring-ref");
        }
        long txPort = store.readNumber(dir + "/" + EVENT_CHANNEL_TX, 4, false, -1);
        long rxPort = store.readNumber(dir + "/" + EVENT_CHANNEL_RX, 4, false, -1);
        if (txPort < 0 || rxPort < 0)
        {
            txPort = store.readNumber(dir + "/" + EVENT_CHANNEL, 4, false, -1);
            rxPort = txPort;
            if (txPort < 0)
            {
                return failedRings("reading " + dir + "/event-channel(-tx/rx)");
            }
        }
        final String mapping = "mapping shared-frames " + txRef + "/" + rxRef + " port tx " + txPort + " rx " + rxPort;
        if (!isFreeBackendPort(txPort, 2 * q) || (rxPort != txPort && !isFreeBackendPort(rxPort, 2 * q)))
        {
            return failedRings(mapping);
        }
        portsInUse[2 * q] = txPort;
        portsInUse[2 * q + 1] = rxPort;
        final GrantTable grants = vif.grants;
        final int self = vif.config.backendDomid();
        final int txFrame = GrantMapper.mapFrame(grants, grantTableBuffer, txRef, self, true);
        final int rxFrame = GrantMapper.mapFrame(grants, grantTableBuffer, rxRef, self, true);
        if (txFrame < 0 || rxFrame < 0 || txFrame == rxFrame || isFrameInUse(txFrame, 2 * q) ||
            isFrameInUse(rxFrame, 2 * q))
        {
            return failedRings(mapping);
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
            return failedRings(mapping + ": ring indices impossible");
        }
        final BackRing tx = txShared.backRing();
        final BackRing rx = rxShared.backRing();
        tx.attach(txResponses);
        rx.attach(rxResponses);
        final EventChannel txChannel = channel((int)txPort);
        final EventChannel rxChannel = rxPort == txPort ? txChannel : channel((int)rxPort);
        return new XnbQueue.Rings(tx, rx, txChannel, rxChannel, (int)txPort, (int)rxPort);
    }

    /**
     * Backend port {@code port} and the frontend port paired with it ({@code port + 1}, see {@link VifSections}),
     * raising the guest's selector when the frontend bound its port there.
     */
    private EventChannel channel(final int port)
    {
        return new EventChannel(events, port, port + 1, IdleMode.NOOP, guestSelector);
    }

    /** Whether {@code port} is a backend port of this vif's events, not among the first {@code used} taken. */
    private boolean isFreeBackendPort(final long port, final int used)
    {
        if (port < 0 || port + 1 >= EventChannelDescriptor.portCount(events.capacity()) || (port & 1) != 0)
        {
            return false;
        }
        for (int i = 0; i < used; i++)
        {
            if (portsInUse[i] == port)
            {
                return false;
            }
        }
        return true;
    }

    private boolean isFrameInUse(final int frame, final int used)
    {
        for (int i = 0; i < used; i++)
        {
            if (framesInUse[i] == frame)
            {
                return true;
            }
        }
        return false;
    }

    private boolean failed(final String reason)
    {
        failure = reason;
        return false;
    }

    private XnbQueue.Rings failedRings(final String reason)
    {
        failure = reason;
        return null;
    }
}
