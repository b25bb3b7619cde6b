package io.pvnet.engine.xnb;

import io.pvnet.engine.netif.ExtraInfoDescriptor;
import io.pvnet.engine.netif.NetifConstants;
import io.pvnet.engine.netif.RxRequestDescriptor;
import io.pvnet.engine.netif.TxRequestDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The fixture of FreeBSD's netback unit tests: fresh zeroed 4096-byte tx and rx ring pages (64-byte header, 256 slots),
 * the frontend's {@code req_prod_pvt}, and the backend's private snapshots.
 */
final class NetbackRings
{
    static final int RING_SIZE = 256;
    static final int PEER_DOMID = 5;

    final UnsafeBuffer txPage = new UnsafeBuffer(ByteBuffer.allocateDirect(NetifConstants.PAGE_SIZE));
    final UnsafeBuffer rxPage = new UnsafeBuffer(ByteBuffer.allocateDirect(NetifConstants.PAGE_SIZE));
    final SlotArray txRing = new SlotArray(txPage, 64, RING_SIZE, NetifConstants.TX_SLOT_LENGTH);
    final SlotArray rxRing = new SlotArray(rxPage, 64, RING_SIZE, NetifConstants.RX_SLOT_LENGTH);
    final SlotArray txSnapshot = new SlotArray(
        new UnsafeBuffer(new byte[RING_SIZE * NetifConstants.TX_SLOT_LENGTH]), 0, RING_SIZE, NetifConstants.TX_SLOT_LENGTH);
    final SlotArray rxSnapshot = new SlotArray(
        new UnsafeBuffer(new byte[RING_SIZE * NetifConstants.RX_SLOT_LENGTH]), 0, RING_SIZE, NetifConstants.RX_SLOT_LENGTH);
    int txReqProdPvt;
    int txReqCons;
    int txRspProdPvt;
    int rxReqProdPvt;

    /** Puts the tx ring's indices at {@code index}, as FreeBSD's wrap tests do by hand. */
    void startTxAt(final int index)
    {
        txReqProdPvt = index;
        txReqCons = index;
        txRspProdPvt = index;
    }

    int txRequest(final int flags, final int size, final int id, final long gref, final int offset)
    {
        final int index = txReqProdPvt++;
        TxRequestDescriptor.write(txPage, txRing.offset(index), gref, offset, flags, id, size);
        return index;
    }

    int txRequest(final int flags, final int size)
    {
        return txRequest(flags, size, 0, 0, 0);
    }

    int txGso(final int flags, final int gsoSize, final int gsoType)
    {
        final int index = txReqProdPvt++;
        ExtraInfoDescriptor.writeGso(txPage, txRing.offset(index), flags, gsoSize, gsoType, 0);
        return index;
    }

    int txExtraOfType(final int type, final int flags)
    {
        final int index = txReqProdPvt++;
        txPage.putByte(txRing.offset(index) + ExtraInfoDescriptor.TYPE_OFFSET, (byte)type);
        txPage.putByte(txRing.offset(index) + ExtraInfoDescriptor.FLAGS_OFFSET, (byte)flags);
        return index;
    }

    /** The backend's one read of the pushed requests. */
    void snapshotTx()
    {
        txSnapshot.copyFrom(txRing, txReqCons, txReqProdPvt);
    }

    int rxRequest(final int id, final long gref)
    {
        final int index = rxReqProdPvt++;
        RxRequestDescriptor.write(rxPage, rxRing.offset(index), id, gref);
        return index;
    }

    void startRxAt(final int index)
    {
        rxReqProdPvt = index;
    }

    void snapshotRx(final int from)
    {
        rxSnapshot.copyFrom(rxRing, from, rxReqProdPvt);
    }
}
