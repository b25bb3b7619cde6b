package io.pvnet.engine.netfront;

import io.pvnet.engine.FrameFlags;
import io.pvnet.engine.FrameHandler;
import io.pvnet.engine.VifConfig;
import io.pvnet.engine.VifCounters;
import io.pvnet.engine.VifSections;
import io.pvnet.engine.netif.ExtraInfoDescriptor;
import io.pvnet.engine.netif.RxRequestDescriptor;
import io.pvnet.engine.netif.TxRequestDescriptor;
import io.pvnet.engine.offload.FrameOffload;
import io.pvnet.engine.store.XenStore;
import io.pvnet.engine.store.XenbusState;
import io.pvnet.ring.FrontRing;
import io.pvnet.ring.RingLayout;
import io.pvnet.ring.RingStatus;
import io.pvnet.ring.SharedRing;
import io.pvnet.ring.event.EventChannel;
import io.pvnet.ring.event.IdleMode;
import io.pvnet.ring.grant.GrantTable;
import io.pvnet.ring.region.Region;
import io.pvnet.ring.region.RegionSection;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.pvnet.engine.netif.NetifConstants.*;
import static io.pvnet.engine.netif.NetifKeys.*;

/**
 * The guest half of a vif (Linux {@code xen-netfront}): transmits frames from its own granted pages, posts receive
 * buffers, consumes responses, and negotiates with the backend through XenStore.
 * <p>
 * Memory: the vif's sections ({@link VifSections}); one tx page per tx id and one rx page per rx slot, granted once per
 * connection (tx read-only, rx writable) and revoked on close.
 * <p>
 * Threading: one thread calls everything ({@link #doWork()}, {@link #transmit}, {@link #flush()}, {@link #poll}). The
 * backend runs on another thread or process. Data-path calls allocate nothing and return status codes.
 * <p>
 * Defences against a broken backend (XSA-391, Linux netfront since 2021): every response slot is read once; a tx
 * response id must be in range and pending, rx responses with a negative status or a page overrun are dropped, a
 * response producer beyond what is outstanding marks the device broken (no more traffic until reconnect).
 */
public final class Netfront
{
    /** Status: transmitted (written to the ring; pushed on {@link #flush()}). */
    public static final int OK = 0;
    /** Status: no room in the ring or no free tx id now; retry after the backend answers. */
    public static final int BUSY = -1;
    /** Status: the vif is not connected (or broken). */
    public static final int NOT_CONNECTED = -2;
    /** Status: the frame cannot be sent on this vif (size, or an offload the backend did not offer). */
    public static final int INVALID = -3;


    private static final int MAX_RX_SLOTS = XEN_NETIF_NR_SLOTS_MIN + 1;
    private static final int MAX_FRAME = XEN_NETIF_MAX_TX_SIZE;

    private final VifConfig config;
    private final XenStore store;
    private final Region region;
    private final VifCounters counters;
    private final FrameOffload offload;
    private final String frontendDir;
    private final String backendDir;

    private AtomicBuffer pages;
    private GrantTable grants;
    private EventChannel channel;
    private FrontRing tx;
    private FrontRing rx;
    private final int[] txGref = new int[VifSections.RING_SIZE];
    private final int[] rxGref = new int[VifSections.RING_SIZE];
    private int txRingRef;
    private int rxRingRef;
    private final int[] freeTxIds = new int[VifSections.RING_SIZE];
    private int freeTxCount;
    private final boolean[] txPending = new boolean[VifSections.RING_SIZE];
    private final int[] slotOffset = new int[MAX_RX_SLOTS];
    private final int[] slotLength = new int[MAX_RX_SLOTS];
    private final UnsafeBuffer reassembly = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_FRAME + PAGE_SIZE));
    private final UnsafeBuffer scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(256 * 1024));
    private final SegmentTransmitter segmentTransmitter = new SegmentTransmitter();

    private XenbusState state = XenbusState.UNKNOWN;
    private int lastStoreChange = -1;
    private boolean backendSg;
    private boolean backendGsoV4;
    private boolean backendGsoV6;
    private boolean stopTxChecksumOffload;
    private boolean pushPending;
    private boolean reconnectRequested;
    private boolean grantsHeld;
    private String brokenReason;
    private int rxEventArmedAt;

    private long txPackets;
    private long txBusy;
    private long rxPackets;
    private long rxErrors;
    private long notifySent;
    private long notifySuppressed;
    private long txErrorResponses;

    /**
     * @param counters may be null.
     */
    public Netfront(
        final VifConfig config, final XenStore store, final Region region, final VifCounters counters,
        final FrameOffload offload)
    {
        this.config = config;
        this.store = store;
        this.region = region;
        this.counters = counters;
        this.offload = offload;
        this.frontendDir = config.frontendDir();
        this.backendDir = config.backendDir();
    }

    /** Finds or allocates the vif's sections and enters Initialising. Configuration time. */
    public void start()
    {
        final int domid = config.domid();
        final int handle = config.handle();
        final RegionSection pagesSection = findOrAllocate(VifSections.pagesName(domid, handle), VifSections.pagesLength());
        final RegionSection grantsSection = findOrAllocate(VifSections.grantsName(domid, handle), VifSections.grantsLength());
        final RegionSection eventsSection = findOrAllocate(VifSections.eventsName(domid, handle), VifSections.eventsLength());
        pages = pagesSection.buffer();
        grants = GrantTable.create(grantsSection.buffer(), pages);
        channel = new EventChannel(eventsSection.buffer(), VifSections.FRONTEND_PORT, VifSections.BACKEND_PORT, IdleMode.NOOP);
        setState(XenbusState.INITIALISING);
    }

    private RegionSection findOrAllocate(final String name, final int length)
    {
        final RegionSection existing = region.findSection(name);
        return existing != null ? existing : region.allocateSection(name, length);
    }

    /** @return the XenBus state of this frontend. */
    public XenbusState state()
    {
        return state;
    }

    /** @return whether frames can flow. */
    public boolean isConnected()
    {
        return state == XenbusState.CONNECTED && brokenReason == null;
    }

    /** @return why the frontend stopped trusting its backend, or null. */
    public String brokenReason()
    {
        return brokenReason;
    }

    /** @return whether the backend asked this frontend to complete transmit checksums itself. */
    public boolean isTxChecksumOffloadStopped()
    {
        return stopTxChecksumOffload;
    }

    /** Starts an orderly close: Closing now, Closed once the backend let go of the grants. */
    public void close()
    {
        if (state == XenbusState.CONNECTED || state == XenbusState.INITIALISING)
        {
            setState(XenbusState.CLOSING);
        }
    }

    /** After Closed: go through Initialising to Connected again. */
    public void reconnect()
    {
        reconnectRequested = true;
        lastStoreChange = -1;
    }

    /**
     * Runs negotiation when XenStore changed, reaps tx responses, and flushes counters.
     *
     * @return work done.
     */
    public int doWork()
    {
        int work = 0;
        final int change = store.changeCounter();
        if (change != lastStoreChange)
        {
            lastStoreChange = change;
            work += onStoreChanged();
        }
        if (isConnected())
        {
            work += reapTx();
            if (pushPending)
            {
                flush();
            }
        }
        flushCounters();
        return work;
    }

    /**
     * Writes one frame to the tx ring (copy into granted pages); {@link #flush()} makes it visible.
     *
     * @param flags   {@link FrameFlags#CSUM_PARTIAL} to offload the L4 checksum, {@link FrameFlags#DATA_VALIDATED}.
     * @param gsoSize MSS to send as a TSO frame with a GSO extra, 0 for none.
     * @param gsoType {@code XEN_NETIF_GSO_TYPE_TCPV4/6} with {@code gsoSize}.
     * @return {@link #OK}, {@link #BUSY}, {@link #NOT_CONNECTED} or {@link #INVALID}.
     */
    public int transmit(
        final DirectBuffer frame, final int offset, final int length, final int flags, final int gsoSize,
        final int gsoType)
    {
        if (!isConnected())
        {
            return NOT_CONNECTED;
        }
        if (length < ETH_HLEN || length > MAX_FRAME || (length > PAGE_SIZE && !backendSg))
        {
            return INVALID;
        }
        if (gsoSize != 0)
        {
            if (stopTxChecksumOffload)
            {
                return transmitSegmented(frame, offset, length, gsoSize);
            }
            final boolean offered = gsoType == XEN_NETIF_GSO_TYPE_TCPV4 ? backendGsoV4 :
                gsoType == XEN_NETIF_GSO_TYPE_TCPV6 && backendGsoV6;
            if (!offered)
            {
                return INVALID;
            }
        }
        if ((flags & FrameFlags.CSUM_PARTIAL) != 0 && stopTxChecksumOffload)
        {
            return transmitChecksummed(frame, offset, length, flags);
        }
        return write(frame, offset, length, txFlags(flags), gsoSize, gsoType);
    }

    /**
     * Beyond Linux netfront (other frontends do this): asks the backend to deliver only the multicast groups added with
     * {@link #multicastControl} ({@code request-multicast-control}); the backend follows changes while connected.
     */
    public void requestMulticastControl(final boolean on)
    {
        store.write(frontendDir + "/" + REQUEST_MULTICAST_CONTROL, on ? 1 : 0);
    }

    /**
     * Adds or removes a multicast group at the backend: a dummy tx request carrying an MCAST_ADD or MCAST_DEL extra
     * (netif.h). The backend answers ERROR for an ADD beyond its 64 groups. {@link #flush()} makes it visible.
     *
     * @param mac a 48-bit multicast MAC, first byte on the wire most significant.
     * @return {@link #OK}, {@link #BUSY}, {@link #NOT_CONNECTED} or {@link #INVALID} (the backend does not offer
     *         {@code feature-multicast-control}).
     */
    public int multicastControl(final boolean add, final long mac)
    {
        if (!isConnected())
        {
            return NOT_CONNECTED;
        }
        if (!store.readFlag(backendDir + "/" + FEATURE_MULTICAST_CONTROL))
        {
            return INVALID;
        }
        if (tx.freeRequests() < 2 || freeTxCount < 1)
        {
            reapTx();
            if (tx.freeRequests() < 2 || freeTxCount < 1)
            {
                txBusy++;
                return BUSY;
            }
        }
        final AtomicBuffer ring = tx.buffer();
        final int id = freeTxIds[--freeTxCount];
        txPending[id] = true;
        TxRequestDescriptor.write(ring, tx.claimRequest(), txGref[id], 0, NETTXF_EXTRA_INFO, id, 0);
        ExtraInfoDescriptor.writeMcast(ring, tx.claimRequest(),
            add ? XEN_NETIF_EXTRA_TYPE_MCAST_ADD : XEN_NETIF_EXTRA_TYPE_MCAST_DEL, 0, mac);
        pushPending = true;
        return OK;
    }

    private static int txFlags(final int frameFlags)
    {
        int flags = 0;
        if ((frameFlags & FrameFlags.CSUM_PARTIAL) != 0)
        {
            flags |= NETTXF_CSUM_BLANK | NETTXF_DATA_VALIDATED;
        }
        else if ((frameFlags & FrameFlags.DATA_VALIDATED) != 0)
        {
            flags |= NETTXF_DATA_VALIDATED;
        }
        return flags;
    }

    private int write(
        final DirectBuffer frame, final int offset, final int length, final int netifFlags, final int gsoSize,
        final int gsoType)
    {
        final int pageCount = (length + PAGE_SIZE - 1) / PAGE_SIZE;
        final int slots = pageCount + (gsoSize != 0 ? 1 : 0);
        if (tx.freeRequests() < slots || freeTxCount < pageCount)
        {
            reapTx();
            if (!isConnected())
            {
                return NOT_CONNECTED;
            }
            if (tx.freeRequests() < slots || freeTxCount < pageCount)
            {
                txBusy++;
                return BUSY;
            }
        }
        final AtomicBuffer ring = tx.buffer();
        int remaining = length;
        int source = offset;
        for (int page = 0; page < pageCount; page++)
        {
            final int chunk = Math.min(remaining, PAGE_SIZE);
            final int id = freeTxIds[--freeTxCount];
            txPending[id] = true;
            pages.putBytes(pageOffset(VifSections.TX_BUFFER_FRAME + id), frame, source, chunk);
            final int more = page < pageCount - 1 ? NETTXF_MORE_DATA : 0;
            if (page == 0)
            {
                final int extra = gsoSize != 0 ? NETTXF_EXTRA_INFO : 0;
                TxRequestDescriptor.write(ring, tx.claimRequest(), txGref[id], 0, netifFlags | more | extra, id, length);
                if (gsoSize != 0)
                {
                    ExtraInfoDescriptor.writeGso(ring, tx.claimRequest(), 0, gsoSize, gsoType, 0);
                    // the 12-byte slot's last 4 bytes stay as they were; the backend reads only the 8-byte extra
                }
            }
            else
            {
                TxRequestDescriptor.write(ring, tx.claimRequest(), txGref[id], 0, more, id, chunk);
            }
            remaining -= chunk;
            source += chunk;
        }
        txPackets++;
        pushPending = true;
        return OK;
    }

    private int transmitChecksummed(final DirectBuffer frame, final int offset, final int length, final int flags)
    {
        scratch.putBytes(0, frame, offset, length);
        if (offload.completeChecksum(scratch, 0, length) != FrameOffload.OK)
        {
            return INVALID;
        }
        return write(scratch, 0, length, NETTXF_DATA_VALIDATED, 0, 0);
    }

    private int transmitSegmented(final DirectBuffer frame, final int offset, final int length, final int mss)
    {
        final int segments = (length + mss - 1) / mss + 1;
        if (tx.freeRequests() < segments || freeTxCount < segments)
        {
            reapTx();
            if (tx.freeRequests() < segments || freeTxCount < segments)
            {
                txBusy++;
                return BUSY;
            }
        }
        final int made = offload.segment(frame, offset, length, mss, scratch, segmentTransmitter);
        return made > 0 ? OK : INVALID;
    }

    private final class SegmentTransmitter implements FrameOffload.SegmentSink
    {
        @Override
        public int onSegment(final DirectBuffer buffer, final int offset, final int length)
        {
            return write(buffer, offset, length, NETTXF_DATA_VALIDATED, 0, 0) == OK ? 0 : 1;
        }
    }

    /** Publishes the written requests and notifies the backend if it asked for it. */
    public void flush()
    {
        if (!pushPending || tx == null)
        {
            return;
        }
        pushPending = false;
        if (tx.pushRequestsAndCheckNotify())
        {
            channel.notifyPeer();
            notifySent++;
        }
        else
        {
            notifySuppressed++;
        }
    }

    /** Frees the tx ids the backend answered. @return responses consumed. */
    private int reapTx()
    {
        final int available = tx.unconsumedResponses();
        if (available == RingStatus.RESPONSE_PROD_OVERFLOW)
        {
            broken("tx response producer beyond outstanding requests");
            return 0;
        }
        if (available == 0)
        {
            return 0;
        }
        final AtomicBuffer ring = tx.buffer();
        final int consumer = tx.responseConsumer();
        for (int i = 0; i < available; i++)
        {
            // one read of the slot: id and status together
            final int word = ring.getInt(tx.responseOffset(consumer + i), ByteOrder.LITTLE_ENDIAN);
            final int status = (short)(word >>> 16);
            if (status == NETIF_RSP_NULL)
            {
                continue;
            }
            final int id = word & 0xFFFF;
            if (id >= VifSections.RING_SIZE || !txPending[id])
            {
                broken("tx response id=" + id + " not pending");
                return i;
            }
            txPending[id] = false;
            freeTxIds[freeTxCount++] = id;
            if (status != NETIF_RSP_OKAY)
            {
                txErrorResponses++;
            }
        }
        tx.consumeResponses(available);
        return available;
    }

    /**
     * Delivers received frames to {@code handler} and reposts their buffers.
     *
     * @return frames delivered or dropped.
     */
    public int poll(final FrameHandler handler, final int limit)
    {
        if (!isConnected())
        {
            return 0;
        }
        int available = rx.unconsumedResponses();
        if (available == RingStatus.RESPONSE_PROD_OVERFLOW)
        {
            broken("rx response producer beyond posted requests");
            return 0;
        }
        if (available == 0)
        {
            if (rxEventArmedAt == rx.responseConsumer())
            {
                return 0;
            }
            // arm rsp_event once per position, not on every idle poll (the line also holds rsp_prod)
            rxEventArmedAt = rx.responseConsumer();
            available = rx.finalCheckForResponses();
            if (available <= 0)
            {
                return 0;
            }
        }
        final AtomicBuffer ring = rx.buffer();
        final int start = rx.responseConsumer();
        final int end = start + available;
        int index = start;
        int frames = 0;
        while (index != end && frames < limit)
        {
            final int used = receiveOne(ring, index, end, handler);
            if (used == 0)
            {
                break;
            }
            index += used;
            frames++;
        }
        final int consumed = index - start;
        if (consumed > 0)
        {
            rx.consumeResponses(consumed);
            postRx(consumed);
        }
        return frames;
    }

    /** @return slots the packet at {@code index} used, 0 if it is not complete yet. */
    private int receiveOne(final AtomicBuffer ring, final int first, final int end, final FrameHandler handler)
    {
        int index = first;
        int slots = 0;
        int total = 0;
        int gsoSize = 0;
        int packetFlags = 0;
        boolean error = false;
        boolean more = true;
        boolean extra = false;
        while (more || extra)
        {
            if (index == end)
            {
                return 0;
            }
            final long word = ring.getLong(rx.responseOffset(index), ByteOrder.LITTLE_ENDIAN);
            index++;
            if (extra)
            {
                // netif_extra_info: type u8, flags u8, gso size u16, gso type u8
                if ((word & 0xFF) == XEN_NETIF_EXTRA_TYPE_GSO)
                {
                    gsoSize = (int)(word >>> 16) & 0xFFFF;
                }
                extra = ((word >>> 8) & XEN_NETIF_EXTRA_FLAG_MORE) != 0 && index - first < MAX_RX_SLOTS;
                continue;
            }
            final int dataOffset = (int)(word >>> 16) & 0xFFFF;
            final int flags = (int)(word >>> 32) & 0xFFFF;
            final int status = (short)(word >>> 48);
            if (slots == 0)
            {
                packetFlags = flags;
                extra = (flags & NETRXF_EXTRA_INFO) != 0;
            }
            more = (flags & NETRXF_MORE_DATA) != 0;
            if (status < 0 || dataOffset + status > PAGE_SIZE || slots >= MAX_RX_SLOTS)
            {
                error = true;
            }
            else
            {
                slotOffset[slots] = pageOffset(VifSections.RX_BUFFER_FRAME + ((index - 1) & (VifSections.RING_SIZE - 1))) +
                    dataOffset;
                slotLength[slots] = status;
                total += status;
                slots++;
            }
            if (index - first > MAX_RX_SLOTS + 4)
            {
                error = true;
                more = false;
                extra = false;
            }
        }
        if (error || total == 0)
        {
            rxErrors++;
            return index - first;
        }
        final int frameFlags = ((packetFlags & NETRXF_CSUM_BLANK) != 0 ? FrameFlags.CSUM_PARTIAL : 0) |
            ((packetFlags & NETRXF_DATA_VALIDATED) != 0 ? FrameFlags.DATA_VALIDATED : 0);
        if (slots == 1)
        {
            handler.onFrame(pages, slotOffset[0], total, frameFlags, gsoSize);
        }
        else
        {
            int at = 0;
            for (int s = 0; s < slots; s++)
            {
                reassembly.putBytes(at, pages, slotOffset[s], slotLength[s]);
                at += slotLength[s];
            }
            handler.onFrame(reassembly, 0, total, frameFlags, gsoSize);
        }
        rxPackets++;
        return index - first;
    }

    /** Posts {@code count} rx requests: the request at ring index i always uses buffer i mod ring size. */
    private void postRx(final int count)
    {
        final AtomicBuffer ring = rx.buffer();
        for (int i = 0; i < count; i++)
        {
            final int index = rx.requestProducer();
            final int buffer = index & (VifSections.RING_SIZE - 1);
            final int offset = rx.claimRequest();
            if (offset < 0)
            {
                break;
            }
            RxRequestDescriptor.write(ring, offset, buffer, rxGref[buffer]);
        }
        if (rx.pushRequestsAndCheckNotify())
        {
            channel.notifyPeer();
            notifySent++;
        }
        else
        {
            notifySuppressed++;
        }
    }

    private int onStoreChanged()
    {
        final XenbusState backendState = store.readState(backendDir);
        stopTxChecksumOffload = store.readFlag(backendDir + "/" + REQUEST_NO_TX_CSUM_OFFLOAD);
        switch (state)
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
                    brokenReason = null;
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
        final int backend = config.backendDomid();
        backendSg = store.readFlag(backendDir + "/" + FEATURE_SG);
        backendGsoV4 = store.readFlag(backendDir + "/" + FEATURE_GSO_TCPV4);
        backendGsoV6 = store.readFlag(backendDir + "/" + FEATURE_GSO_TCPV6);

        final boolean padded = config.paddedRings() && store.readFlag(backendDir + "/" + FEATURE_RING_LAYOUT_PADDED);
        final RingLayout layout = padded ? RingLayout.PADDED : RingLayout.XEN;
        final SharedRing txShared = new SharedRing(pageSlice(VifSections.TX_RING_FRAME), TX_SLOT_LENGTH, layout);
        final SharedRing rxShared = new SharedRing(pageSlice(VifSections.RX_RING_FRAME), RX_SLOT_LENGTH, layout);
        txShared.init();
        rxShared.init();
        tx = txShared.frontRing();
        rx = rxShared.frontRing();
        txRingRef = grants.grantAccess(backend, VifSections.TX_RING_FRAME, false);
        rxRingRef = grants.grantAccess(backend, VifSections.RX_RING_FRAME, false);
        freeTxCount = 0;
        for (int id = VifSections.RING_SIZE - 1; id >= 0; id--)
        {
            // XSA-403: only pages that hold nothing else are granted; zero them before sharing
            pages.setMemory(pageOffset(VifSections.TX_BUFFER_FRAME + id), PAGE_SIZE, (byte)0);
            pages.setMemory(pageOffset(VifSections.RX_BUFFER_FRAME + id), PAGE_SIZE, (byte)0);
            txGref[id] = grants.grantAccess(backend, VifSections.TX_BUFFER_FRAME + id, true);
            rxGref[id] = grants.grantAccess(backend, VifSections.RX_BUFFER_FRAME + id, false);
            txPending[id] = false;
            freeTxIds[freeTxCount++] = id;
        }
        grantsHeld = true;
        rxEventArmedAt = rx.responseConsumer() - 1;
        postRx(VifSections.RING_SIZE);

        store.write(frontendDir + "/" + RING_LAYOUT, padded ? RING_LAYOUT_PADDED : RING_LAYOUT_XEN);
        store.write(frontendDir + "/" + TX_RING_REF, txRingRef);
        store.write(frontendDir + "/" + RX_RING_REF, rxRingRef);
        store.write(frontendDir + "/" + EVENT_CHANNEL, VifSections.BACKEND_PORT);
        store.write(frontendDir + "/" + REQUEST_RX_COPY, 1);
        store.write(frontendDir + "/" + FEATURE_RX_NOTIFY, 1);
        store.write(frontendDir + "/" + FEATURE_SG, config.sg() ? 1 : 0);
        store.write(frontendDir + "/" + FEATURE_GSO_TCPV4, config.gsoTcpv4() ? 1 : 0);
        store.write(frontendDir + "/" + FEATURE_GSO_TCPV6, config.gsoTcpv6() ? 1 : 0);
        store.write(frontendDir + "/" + FEATURE_NO_CSUM_OFFLOAD, config.csumOffload() ? 0 : 1);
        store.write(frontendDir + "/" + FEATURE_IPV6_CSUM_OFFLOAD, config.ipv6CsumOffload() ? 1 : 0);
        store.write(frontendDir + "/" + MAC, VifConfig.formatMac(config.mac()));
        store.write(frontendDir + "/" + MTU, config.mtu());
        brokenReason = null;
        pushPending = false;
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
            all &= endAccess(txGref[id]);
            all &= endAccess(rxGref[id]);
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
        final int status = grants.endAccess(ref);
        return status != io.pvnet.ring.grant.GrantStatus.EAGAIN;
    }

    private void broken(final String reason)
    {
        if (brokenReason == null)
        {
            brokenReason = reason;
            System.getLogger("io.pvnet.engine.netfront").log(System.Logger.Level.WARNING,
                "vif " + config.domid() + "." + config.handle() + ": backend broken, frontend disabled: " + reason);
        }
    }

    private void setState(final XenbusState newState)
    {
        state = newState;
        store.writeState(frontendDir, newState);
    }

    private UnsafeBuffer pageSlice(final int frame)
    {
        return new UnsafeBuffer(pages, pageOffset(frame), PAGE_SIZE);
    }

    private int pageOffset(final int frame)
    {
        return grants.pageOffset(frame);
    }

    private void flushCounters()
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

    /** @return tx responses with an error status seen so far. */
    public long txErrorResponses()
    {
        return txErrorResponses;
    }

    /** @return tx ids waiting for a response. */
    public int txOutstanding()
    {
        return VifSections.RING_SIZE - freeTxCount;
    }

    /** Used by tests: the page section. */
    MutableDirectBuffer pages()
    {
        return pages;
    }
}
