package io.pvnet.engine.xnb;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.vif.VifSections;
import io.pvnet.engine.netif.ExtraInfoDescriptor;
import io.pvnet.engine.netif.RxRequestDescriptor;
import io.pvnet.engine.netif.TxRequestDescriptor;
import io.pvnet.engine.offload.FrameOffload;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.engine.store.XenStore;
import io.pvnet.engine.store.XenbusState;
import io.pvnet.ring.SharedRing;
import io.pvnet.ring.grant.GrantTable;
import io.pvnet.ring.region.Region;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

import static io.pvnet.engine.netif.NetifConstants.*;

/**
 * Test fixture: a frontend that writes the rings by hand (so it can break every rule), in front of a real {@link XnbAgent}
 * with controllable clocks. Tx buffer frames 2..257 hold a pattern; frames granted to the backend are listed in
 * {@link #txGref} / {@link #rxGref}; the rest of the page section is canary that the backend must never touch.
 */
final class HostileFrontend implements AutoCloseable
{
    static final int BACKEND_DOMID = 0;
    static final int GRANTED_TX = 64;
    static final int GRANTED_RX = 64;
    static final byte CANARY = (byte)0xA5;

    final Region region;
    final VifRegion vifRegion;
    final XenStore store;
    final VifConfig config;
    final CachedNanoClock nanoClock = new CachedNanoClock();
    final CachedEpochClock epochClock = new CachedEpochClock();
    final CapturingSink sink = new CapturingSink();
    final VifCounters counters;
    final XnbAgent xnb;
    AtomicBuffer pages;
    GrantTable grants;
    AtomicBuffer txRing;
    AtomicBuffer rxRing;
    final int[] txGref = new int[GRANTED_TX];
    final int[] rxGref = new int[GRANTED_RX];
    int readOnlyRxGref;
    /** Grant references of the guest's own ring pages (read-write, as a real guest grants them). */
    int txRingGref;
    int rxRingGref;
    int txReqProd;
    int rxReqProd;
    /** Set before {@link #connect()}: whether the frontend takes TCPv4 GSO frames (else the backend splits them). */
    boolean gso = true;
    /** Set before {@link #connect()}: grant a control ring (frame {@link #CTRL_FRAME}) and write its keys. */
    boolean controlRing;
    /** Set before {@link #connect()} with {@link #controlRing}: the event-channel-ctrl value, or -1 to leave it out. */
    long controlPort = VifSections.BACKEND_PORT;
    /** Set before {@link #connect()} with {@link #controlRing}: the ctrl-ring-ref to write instead of the real one. */
    long controlRefOverride = -1;
    /** The control ring's frame and a read-only frame for key and mapping data: ungranted canary otherwise. */
    static final int CTRL_FRAME = VifSections.TX_BUFFER_FRAME + GRANTED_TX;
    static final int CTRL_DATA_FRAME = CTRL_FRAME + 1;
    io.pvnet.ring.FrontRing ctrl;
    int ctrlRingGref;
    int ctrlDataGref;

    HostileFrontend(final VifConfig config)
    {
        this(Region.createAnonymous(VifRegion.regionBytes(2)), null, config, NoFrameOffload.INSTANCE);
    }

    HostileFrontend(final Region region, final VifRegion shared, final VifConfig config, final FrameOffload offload)
    {
        this.region = region;
        this.vifRegion = shared != null ? shared : VifRegion.create(region);
        this.store = vifRegion.store();
        this.config = config;
        this.counters = new VifCounters(vifRegion.countersManager(), config.domid(), config.handle());
        this.xnb = new XnbAgent(config, store, region, counters, sink, offload, epochClock, nanoClock);
        xnb.start();
    }

    /** Allocates the guest memory, grants it, and connects by hand. */
    void connect()
    {
        final int domid = config.domid();
        final int handle = config.handle();
        if (pages == null)
        {
            pages = region.allocateSection(VifSections.pagesName(domid, handle), VifSections.pagesLength()).buffer();
            grants = GrantTable.create(
                region.allocateSection(VifSections.grantsName(domid, handle), VifSections.grantsLength()).buffer(), pages);
            region.allocateSection(VifSections.eventsName(domid, handle), VifSections.eventsLength());
        }
        pages.setMemory(0, pages.capacity(), CANARY);
        final SharedRing tx = new SharedRing(new UnsafeBuffer(pages, 0, PAGE_SIZE), TX_SLOT_LENGTH);
        final SharedRing rx = new SharedRing(new UnsafeBuffer(pages, PAGE_SIZE, PAGE_SIZE), RX_SLOT_LENGTH);
        tx.init();
        rx.init();
        txRing = tx.buffer();
        rxRing = rx.buffer();
        txRing.setMemory(64, PAGE_SIZE - 64, (byte)0);
        rxRing.setMemory(64, PAGE_SIZE - 64, (byte)0);
        txReqProd = 0;
        rxReqProd = 0;
        final int txRef = grants.grantAccess(BACKEND_DOMID, VifSections.TX_RING_FRAME, false);
        final int rxRef = grants.grantAccess(BACKEND_DOMID, VifSections.RX_RING_FRAME, false);
        txRingGref = txRef;
        rxRingGref = rxRef;
        for (int i = 0; i < GRANTED_TX; i++)
        {
            final int frame = VifSections.TX_BUFFER_FRAME + i;
            for (int b = 0; b < PAGE_SIZE; b++)
            {
                pages.putByte(grants.pageOffset(frame) + b, pattern(i, b));
            }
            txGref[i] = grants.grantAccess(BACKEND_DOMID, frame, true);
        }
        for (int i = 0; i < GRANTED_RX; i++)
        {
            rxGref[i] = grants.grantAccess(BACKEND_DOMID, VifSections.RX_BUFFER_FRAME + i, false);
        }
        readOnlyRxGref = grants.grantAccess(BACKEND_DOMID, VifSections.RX_BUFFER_FRAME + GRANTED_RX, true);
        final String dir = config.frontendDir();
        store.write(dir + "/tx-ring-ref", txRef);
        store.write(dir + "/rx-ring-ref", rxRef);
        store.write(dir + "/event-channel", VifSections.BACKEND_PORT);
        store.write(dir + "/request-rx-copy", 1);
        store.write(dir + "/feature-gso-tcpv4", gso ? 1 : 0);
        if (controlRing)
        {
            final SharedRing shared = new SharedRing(new UnsafeBuffer(pages, grants.pageOffset(CTRL_FRAME), PAGE_SIZE),
                io.pvnet.engine.netif.CtrlRingDescriptor.SLOT_LENGTH);
            shared.buffer().setMemory(0, PAGE_SIZE, (byte)0);
            shared.init();
            ctrl = shared.frontRing();
            ctrlRingGref = grants.grantAccess(BACKEND_DOMID, CTRL_FRAME, false);
            ctrlDataGref = grants.grantAccess(BACKEND_DOMID, CTRL_DATA_FRAME, true);
            store.write(dir + "/ctrl-ring-ref", controlRefOverride >= 0 ? controlRefOverride : ctrlRingGref);
            if (controlPort >= 0)
            {
                store.write(dir + "/event-channel-ctrl", controlPort);
            }
        }
        store.writeState(dir, XenbusState.CONNECTED);
        xnb.doWork();
        xnb.doWork();
    }

    /** Closes and reconnects (after a fatal error). */
    void reconnect()
    {
        store.writeState(config.frontendDir(), XenbusState.CLOSED);
        xnb.doWork();
        xnb.doWork();
        store.writeState(config.frontendDir(), XenbusState.INITIALISING);
        xnb.doWork();
        xnb.doWork();
        grants = GrantTable.create(
            region.findSection(VifSections.grantsName(config.domid(), config.handle())).buffer(), pages);
        connect();
    }

    /** Sends one control request and runs the backend once; returns the response slot's offset in the ring page. */
    int control(final int type, final long data0, final long data1, final long data2)
    {
        final int slot = ctrl.claimRequest();
        io.pvnet.engine.netif.CtrlRequestDescriptor.write(ctrl.buffer(), slot, type, type, (int)data0, (int)data1,
            (int)data2);
        ctrl.pushRequests();
        xnb.doWork();
        if (ctrl.unconsumedResponses() != 1)
        {
            throw new AssertionError("no control response for type " + type);
        }
        final int response = ctrl.responseOffset(ctrl.responseConsumer());
        ctrl.consumeResponse();
        return response;
    }

    /** Writes {@code bytes} into the control data frame (granted read-only). */
    void controlData(final byte[] bytes)
    {
        pages.putBytes(grants.pageOffset(CTRL_DATA_FRAME), bytes);
    }

    static byte pattern(final int page, final int offset)
    {
        return (byte)(page * 13 + offset * 3 + 1);
    }

    int tx(final int flags, final int size, final int id, final int grefIndex, final int offset)
    {
        final int index = txReqProd++;
        TxRequestDescriptor.write(txRing, slot(index, TX_SLOT_LENGTH), txGref[grefIndex], offset, flags, id, size);
        return index;
    }

    int txRaw(final long gref, final int flags, final int size, final int id, final int offset)
    {
        final int index = txReqProd++;
        TxRequestDescriptor.write(txRing, slot(index, TX_SLOT_LENGTH), gref, offset, flags, id, size);
        return index;
    }

    int gso(final int flags, final int size, final int type)
    {
        final int index = txReqProd++;
        ExtraInfoDescriptor.writeGso(txRing, slot(index, TX_SLOT_LENGTH), flags, size, type, 0);
        return index;
    }

    int extra(final int type, final int flags)
    {
        final int index = txReqProd++;
        txRing.putByte(slot(index, TX_SLOT_LENGTH), (byte)type);
        txRing.putByte(slot(index, TX_SLOT_LENGTH) + 1, (byte)flags);
        return index;
    }

    void pushTx()
    {
        txRing.putIntRelease(0, txReqProd);
    }

    void postRx(final long gref, final int id)
    {
        RxRequestDescriptor.write(rxRing, slot(rxReqProd++, RX_SLOT_LENGTH), id, gref);
        rxRing.putIntRelease(0, rxReqProd);
    }

    static int slot(final int index, final int length)
    {
        return 64 + (index & (VifSections.RING_SIZE - 1)) * length;
    }

    int txRspProd()
    {
        return txRing.getIntVolatile(8);
    }

    int txRspStatus(final int index)
    {
        return txRing.getShort(slot(index, TX_SLOT_LENGTH) + 2, ByteOrder.LITTLE_ENDIAN);
    }

    int txRspId(final int index)
    {
        return txRing.getShort(slot(index, TX_SLOT_LENGTH), ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    int rxRspProd()
    {
        return rxRing.getIntVolatile(8);
    }

    int rxRspStatus(final int index)
    {
        return rxRing.getShort(slot(index, RX_SLOT_LENGTH) + 6, ByteOrder.LITTLE_ENDIAN);
    }

    /** @return whether every byte of every frame the backend was not granted write access to is still canary/pattern. */
    boolean memoryOutsideWritableGrantsIntact()
    {
        for (int i = 0; i < GRANTED_TX; i++)
        {
            final int base = grants.pageOffset(VifSections.TX_BUFFER_FRAME + i);
            for (int b = 0; b < PAGE_SIZE; b += 61)
            {
                if (pages.getByte(base + b) != pattern(i, b))
                {
                    return false;
                }
            }
        }
        for (int frame = VifSections.TX_BUFFER_FRAME + GRANTED_TX; frame < VifSections.RX_BUFFER_FRAME; frame++)
        {
            if (controlRing && (frame == CTRL_FRAME || frame == CTRL_DATA_FRAME))
            {
                continue;
            }
            if (!canary(frame))
            {
                return false;
            }
        }
        for (int frame = VifSections.RX_BUFFER_FRAME + GRANTED_RX; frame < VifSections.PAGE_COUNT; frame++)
        {
            if (!canary(frame))
            {
                return false;
            }
        }
        return true;
    }

    private boolean canary(final int frame)
    {
        final int base = grants.pageOffset(frame);
        for (int b = 0; b < PAGE_SIZE; b += 8)
        {
            if (pages.getLong(base + b) != 0xA5A5A5A5A5A5A5A5L)
            {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close()
    {
        region.close();
    }

    static final class CapturingSink implements FrameSink
    {
        long frames;
        long bytes;
        int lastLength;
        int lastFlags;
        int lastGsoSize;
        byte[] last = new byte[0];
        int verdict;

        @Override
        public int onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
        {
            if (verdict != 0)
            {
                return verdict;
            }
            frames++;
            bytes += length;
            lastLength = length;
            lastFlags = metadata.flags();
            lastGsoSize = metadata.gsoSize();
            last = new byte[length];
            buffer.getBytes(offset, last);
            return 0;
        }
    }
}
