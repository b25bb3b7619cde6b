package io.pvnet.engine.xnb;

import io.pvnet.engine.VifRegion;
import io.pvnet.engine.netif.CtrlRequestDescriptor;
import io.pvnet.engine.netif.CtrlRingDescriptor;
import io.pvnet.engine.netif.RxRequestDescriptor;
import io.pvnet.engine.netif.TxRequestDescriptor;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.engine.store.XenStore;
import io.pvnet.engine.store.XenbusState;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.vif.VifSections;
import io.pvnet.ring.FrontRing;
import io.pvnet.ring.SharedRing;
import io.pvnet.ring.grant.GrantTable;
import io.pvnet.ring.region.Region;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

import static io.pvnet.engine.netif.NetifConstants.*;

/**
 * Test fixture: a frontend with {@code queues} queues written by hand (so tests can leave out or spoil any key), in
 * front of a real {@link XnbAgent} whose maximum is {@code config.queues()}. Queue q's rings sit at
 * {@code VifSections.frame(q, 0/1)}, its first 8 tx and rx buffers are granted; a control ring and its data page live
 * in queue 0's tx buffer frames 200 and 201.
 */
final class MultiQueueFrontend implements AutoCloseable
{
    static final int BACKEND = 0;
    static final int GRANTED = 8;
    static final int CTRL_FRAME = VifSections.TX_BUFFER_FRAME + 200;
    static final int CTRL_DATA_FRAME = CTRL_FRAME + 1;

    final Region region;
    final VifRegion vifRegion;
    final XenStore store;
    final VifConfig config;
    final VifCounters counters;
    final HostileFrontend.CapturingSink sink = new HostileFrontend.CapturingSink();
    final XnbAgent xnb;
    final int queues;
    final AtomicBuffer pages;
    final GrantTable grants;
    final AtomicBuffer[] txRing;
    final AtomicBuffer[] rxRing;
    final int[] txRingRef;
    final int[] rxRingRef;
    final int[][] txGref;
    final int[][] rxGref;
    final int[] txReqProd;
    final int[] rxReqProd;
    FrontRing ctrl;
    int ctrlRingRef;
    int ctrlDataRef;

    /** @param queues how many queues the frontend sets up (it writes its keys in {@link #writeKeys}). */
    MultiQueueFrontend(final VifConfig config, final int queues)
    {
        this.config = config;
        this.queues = queues;
        this.region = Region.createAnonymous(VifRegion.regionBytes(2, Math.max(queues, config.queues())));
        this.vifRegion = VifRegion.create(region);
        this.store = vifRegion.store();
        this.counters = new VifCounters(vifRegion.countersManager(), config.domid(), config.handle());
        this.xnb = new XnbAgent(config, store, region, counters, vifRegion.countersManager(), sink,
            NoFrameOffload.INSTANCE, new CachedEpochClock(), new CachedNanoClock());
        xnb.start();
        final int domid = config.domid();
        final int handle = config.handle();
        pages = region.allocateSection(VifSections.pagesName(domid, handle), VifSections.pagesLength(queues)).buffer();
        grants = GrantTable.create(region.allocateSection(
            VifSections.grantsName(domid, handle), VifSections.grantsLength(queues)).buffer(), pages);
        region.allocateSection(VifSections.eventsName(domid, handle), VifSections.eventsLength(queues));
        txRing = new AtomicBuffer[queues];
        rxRing = new AtomicBuffer[queues];
        txRingRef = new int[queues];
        rxRingRef = new int[queues];
        txGref = new int[queues][GRANTED];
        rxGref = new int[queues][GRANTED];
        txReqProd = new int[queues];
        rxReqProd = new int[queues];
        for (int q = 0; q < queues; q++)
        {
            final SharedRing tx = new SharedRing(page(VifSections.frame(q, VifSections.TX_RING_FRAME)), TX_SLOT_LENGTH);
            final SharedRing rx = new SharedRing(page(VifSections.frame(q, VifSections.RX_RING_FRAME)), RX_SLOT_LENGTH);
            tx.init();
            rx.init();
            txRing[q] = tx.buffer();
            rxRing[q] = rx.buffer();
            txRingRef[q] = grants.grantAccess(BACKEND, VifSections.frame(q, VifSections.TX_RING_FRAME), false);
            rxRingRef[q] = grants.grantAccess(BACKEND, VifSections.frame(q, VifSections.RX_RING_FRAME), false);
            for (int i = 0; i < GRANTED; i++)
            {
                txGref[q][i] = grants.grantAccess(BACKEND, VifSections.frame(q, VifSections.TX_BUFFER_FRAME + i), true);
                rxGref[q][i] = grants.grantAccess(BACKEND, VifSections.frame(q, VifSections.RX_BUFFER_FRAME + i), false);
            }
        }
    }

    private UnsafeBuffer page(final int frame)
    {
        return new UnsafeBuffer(pages, grants.pageOffset(frame), PAGE_SIZE);
    }

    /** Writes Linux netfront's keys for {@link #queues} queues (flat for one, {@code queue-N/} for more). */
    void writeKeys()
    {
        final String dir = config.frontendDir();
        if (queues > 1)
        {
            store.write(dir + "/multi-queue-num-queues", queues);
        }
        for (int q = 0; q < queues; q++)
        {
            final String queueDir = queues == 1 ? dir : dir + "/queue-" + q;
            store.write(queueDir + "/tx-ring-ref", txRingRef[q]);
            store.write(queueDir + "/rx-ring-ref", rxRingRef[q]);
            store.write(queueDir + "/event-channel", VifSections.backendPort(q));
        }
        store.write(dir + "/request-rx-copy", 1);
    }

    /** Grants a control ring and writes its keys (port 0). */
    void writeControlRing()
    {
        final SharedRing shared = new SharedRing(page(CTRL_FRAME), CtrlRingDescriptor.SLOT_LENGTH);
        shared.buffer().setMemory(0, PAGE_SIZE, (byte)0);
        shared.init();
        ctrl = shared.frontRing();
        ctrlRingRef = grants.grantAccess(BACKEND, CTRL_FRAME, false);
        ctrlDataRef = grants.grantAccess(BACKEND, CTRL_DATA_FRAME, true);
        store.write(config.frontendDir() + "/ctrl-ring-ref", ctrlRingRef);
        store.write(config.frontendDir() + "/event-channel-ctrl", VifSections.BACKEND_PORT);
    }

    /** Says Connected and runs the backend twice. */
    void connect()
    {
        store.writeState(config.frontendDir(), XenbusState.CONNECTED);
        xnb.doWork();
        xnb.doWork();
    }

    String backendKey(final String key)
    {
        return store.read(config.backendDir() + "/" + key);
    }

    /** Writes a one-slot tx request of {@code size} bytes from queue {@code q}'s buffer {@code buffer} and pushes it. */
    void transmit(final int q, final int buffer, final int size, final byte fill)
    {
        pages.setMemory(grants.pageOffset(VifSections.frame(q, VifSections.TX_BUFFER_FRAME + buffer)), size, fill);
        final int index = txReqProd[q]++;
        TxRequestDescriptor.write(txRing[q], HostileFrontend.slot(index, TX_SLOT_LENGTH), txGref[q][buffer], 0, 0,
            buffer, size);
        txRing[q].putIntRelease(0, txReqProd[q]);
    }

    /** Posts every granted rx buffer of queue {@code q}. */
    void postRx(final int q)
    {
        for (int i = 0; i < GRANTED; i++)
        {
            RxRequestDescriptor.write(rxRing[q], HostileFrontend.slot(rxReqProd[q]++, RX_SLOT_LENGTH), i, rxGref[q][i]);
        }
        rxRing[q].putIntRelease(0, rxReqProd[q]);
    }

    int txResponses(final int q)
    {
        return txRing[q].getIntVolatile(8);
    }

    int rxResponses(final int q)
    {
        return rxRing[q].getIntVolatile(8);
    }

    /** Sends one control request, runs the backend once, returns the response's status. */
    int control(final int type, final long data0, final long data1, final long data2)
    {
        final int slot = ctrl.claimRequest();
        CtrlRequestDescriptor.write(ctrl.buffer(), slot, type, type, (int)data0, (int)data1, (int)data2);
        ctrl.pushRequests();
        xnb.doWork();
        if (ctrl.unconsumedResponses() != 1)
        {
            throw new AssertionError("no control response for type " + type);
        }
        final int response = ctrl.responseOffset(ctrl.responseConsumer());
        ctrl.consumeResponse();
        return (int)io.pvnet.engine.netif.CtrlResponseDescriptor.status(ctrl.buffer(), response);
    }

    /** Writes {@code entries} as little-endian u32 into the control data page. */
    void controlData(final int... entries)
    {
        final int base = grants.pageOffset(CTRL_DATA_FRAME);
        for (int i = 0; i < entries.length; i++)
        {
            pages.putInt(base + 4 * i, entries[i], ByteOrder.LITTLE_ENDIAN);
        }
    }

    /** Writes raw bytes into the control data page. */
    void controlData(final byte[] bytes)
    {
        pages.putBytes(grants.pageOffset(CTRL_DATA_FRAME), bytes);
    }

    @Override
    public void close()
    {
        region.close();
    }
}
