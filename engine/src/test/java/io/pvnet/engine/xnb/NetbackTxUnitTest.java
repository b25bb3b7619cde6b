package io.pvnet.engine.xnb;

import io.pvnet.engine.vif.DropReason;
import io.pvnet.engine.netif.TxResponseDescriptor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.pvnet.engine.netif.NetifConstants.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * FreeBSD's netback unit tests for the transmit path (#1-14 ring2pkt/txpkt2rsp, #21-27 txpkt2gnttab/update_mbufc),
 * ported to {@link TxAssembler}. Deviations, each marked at its test: the named defects of the originals are not copied
 * ({@code =} for {@code ==}), GSO extras carry a valid size and type (Linux netback treats size 0 as fatal), and the copy
 * ops use a real peer domid instead of DOMID_SELF.
 */
class NetbackTxUnitTest
{
    private NetbackRings rings;
    private final TxPacket pkt = new TxPacket();
    private final GrantCopyBatch batch = new GrantCopyBatch(64);

    @BeforeEach
    void setUp()
    {
        rings = new NetbackRings();
    }

    private int ring2pkt()
    {
        rings.snapshotTx();
        return TxAssembler.ring2pkt(pkt, rings.txSnapshot, rings.txReqCons, rings.txReqProdPvt);
    }

    private void txpkt2rsp(final boolean error)
    {
        rings.txRspProdPvt = TxAssembler.txpkt2rsp(pkt, rings.txSnapshot, rings.txRing, rings.txRspProdPvt, error);
    }

    private int rspId(final int index)
    {
        return TxResponseDescriptor.id(rings.txPage, rings.txRing.offset(index));
    }

    private int rspStatus(final int index)
    {
        return TxResponseDescriptor.status(rings.txPage, rings.txRing.offset(index));
    }

    @Test // 1
    void ring2pktEmptyRing()
    {
        assertEquals(0, ring2pkt());
    }

    @Test // 2
    void ring2pkt1Req()
    {
        rings.txRequest(0, 69);
        assertEquals(1, ring2pkt());
        assertEquals(69, pkt.size());
        assertEquals(69, pkt.carSize());
        assertEquals(0, pkt.flags());
        assertTrue(pkt.isValid());
        assertEquals(1, pkt.listLen());
        assertEquals(0, pkt.car());
    }

    @Test // 3
    void ring2pkt2Req()
    {
        final int start = rings.txReqProdPvt;
        rings.txRequest(NETTXF_MORE_DATA, 100);
        rings.txRequest(0, 40);
        assertEquals(2, ring2pkt());
        assertEquals(100, pkt.size());
        assertEquals(60, pkt.carSize());
        assertEquals(0, pkt.flags());
        assertTrue(pkt.isValid());
        assertEquals(2, pkt.listLen());
        assertEquals(start, pkt.car());
        assertEquals(start + 1, pkt.cdr());
    }

    @Test // 4
    void ring2pkt3Req()
    {
        final int start = rings.txReqProdPvt;
        rings.txRequest(NETTXF_MORE_DATA, 200);
        rings.txRequest(NETTXF_MORE_DATA, 40);
        final int last = rings.txRequest(0, 50);
        assertEquals(3, ring2pkt());
        assertEquals(200, pkt.size());
        assertEquals(110, pkt.carSize());
        assertEquals(0, pkt.flags());
        assertTrue(pkt.isValid());
        assertEquals(3, pkt.listLen());
        assertEquals(start, pkt.car());
        assertEquals(start + 1, pkt.cdr());
        assertEquals(last, pkt.cdr() + 1);
    }

    @Test // 5 (original checks gso.type with '='; here compared)
    void ring2pktExtra()
    {
        final int start = rings.txReqProdPvt;
        rings.txRequest(NETTXF_EXTRA_INFO | NETTXF_MORE_DATA, 150);
        rings.txGso(0, 250, XEN_NETIF_GSO_TYPE_TCPV4);
        final int last = rings.txRequest(0, 50);
        assertEquals(3, ring2pkt());
        assertEquals(XEN_NETIF_EXTRA_TYPE_GSO, pkt.extraType());
        assertTrue(pkt.hasGso());
        assertEquals(250, pkt.gsoSize());
        assertEquals(XEN_NETIF_GSO_TYPE_TCPV4, pkt.gsoType());
        assertEquals(150, pkt.size());
        assertEquals(100, pkt.carSize());
        assertEquals(NETTXF_EXTRA_INFO, pkt.flags());
        assertTrue(pkt.isValid());
        assertEquals(2, pkt.listLen());
        assertEquals(start, pkt.car());
        assertEquals(start + 2, pkt.cdr());
        assertEquals(last, pkt.cdr());
    }

    @Test // 6
    void ring2pktPartial()
    {
        rings.txRequest(NETTXF_MORE_DATA, 150);
        assertEquals(0, ring2pkt());
        assertFalse(pkt.isValid());
        assertEquals(DropReason.INCOMPLETE, pkt.error());
    }

    @Test // 7
    void ring2pktWraps()
    {
        rings.startTxAt(NetbackRings.RING_SIZE - 2);
        rings.txRequest(NETTXF_MORE_DATA, 550);
        rings.txRequest(NETTXF_MORE_DATA, 100);
        final int last = rings.txRequest(0, 50);
        assertEquals(3, ring2pkt());
        assertTrue(pkt.isValid());
        assertEquals(3, pkt.listLen());
        assertEquals(last, pkt.cdr() + 1);
        assertEquals(0, rings.txRing.offset(last) - rings.txRing.offset(0), "the last slot wrapped to slot 0");
    }

    @Test // 8
    void txpkt2rspEmptyPacket()
    {
        final byte[] before = new byte[PAGE_SIZE];
        rings.txPage.getBytes(0, before);
        ring2pkt();
        final int rspBefore = rings.txRspProdPvt;
        txpkt2rsp(false);
        assertEquals(rspBefore, rings.txRspProdPvt);
        final byte[] after = new byte[PAGE_SIZE];
        rings.txPage.getBytes(0, after);
        assertArrayEquals(before, after);
    }

    @Test // 9
    void txpkt2rsp1Req()
    {
        rings.txRequest(0, 1000, 7, 0, 0);
        rings.txReqCons += ring2pkt();
        txpkt2rsp(false);
        assertEquals(rings.txReqProdPvt, rings.txRspProdPvt);
        assertEquals(7, rspId(0));
        assertEquals(NETIF_RSP_OKAY, rspStatus(0));
    }

    @Test // 10 (GSO extra given a valid size and type)
    void txpkt2rspExtra()
    {
        rings.txRequest(NETTXF_EXTRA_INFO, 1000, 69, 0, 0);
        rings.txGso(0, 1448, XEN_NETIF_GSO_TYPE_TCPV4);
        rings.txReqCons += ring2pkt();
        txpkt2rsp(false);
        assertEquals(rings.txReqProdPvt, rings.txRspProdPvt);
        assertEquals(69, rspId(0));
        assertEquals(NETIF_RSP_OKAY, rspStatus(0));
        assertEquals(NETIF_RSP_NULL, rspStatus(1));
    }

    @Test // 11 (GSO extra given a valid size and type)
    void txpkt2rspLong()
    {
        rings.txRequest(NETTXF_EXTRA_INFO | NETTXF_MORE_DATA, 1000, 254, 0, 0);
        rings.txGso(0, 1448, XEN_NETIF_GSO_TYPE_TCPV4);
        rings.txRequest(NETTXF_MORE_DATA, 300, 1034, 0, 0);
        rings.txRequest(0, 400, 34, 0, 0);
        rings.txReqCons += ring2pkt();
        txpkt2rsp(false);
        assertEquals(rings.txReqProdPvt, rings.txRspProdPvt);
        assertEquals(254, rspId(0));
        assertEquals(NETIF_RSP_OKAY, rspStatus(0));
        assertEquals(NETIF_RSP_NULL, rspStatus(1));
        assertEquals(1034, rspId(2));
        assertEquals(NETIF_RSP_OKAY, rspStatus(2));
        assertEquals(34, rspId(3));
        assertEquals(NETIF_RSP_OKAY, rspStatus(3));
    }

    @Test // 12
    void txpkt2rspInvalid()
    {
        rings.txRequest(NETTXF_EXTRA_INFO, 1000, 69, 0, 0);
        rings.txExtraOfType(0xFF, 0);
        rings.txReqCons += ring2pkt();
        assertFalse(pkt.isValid());
        assertEquals(DropReason.EXTRA_MALFORMED, pkt.error());
        txpkt2rsp(false);
        assertEquals(rings.txReqProdPvt, rings.txRspProdPvt);
        assertEquals(69, rspId(0));
        assertEquals(NETIF_RSP_ERROR, rspStatus(0));
        assertEquals(NETIF_RSP_NULL, rspStatus(1));
    }

    @Test // 13
    void txpkt2rspError()
    {
        rings.txRequest(0, 1000, 11, 0, 0);
        rings.txReqCons += ring2pkt();
        txpkt2rsp(true);
        assertEquals(rings.txReqProdPvt, rings.txRspProdPvt);
        assertEquals(11, rspId(0));
        assertEquals(NETIF_RSP_ERROR, rspStatus(0));
    }

    @Test // 14
    void txpkt2rspWraps()
    {
        rings.startTxAt(NetbackRings.RING_SIZE - 2);
        rings.txRequest(NETTXF_MORE_DATA, 550, 1, 0, 0);
        rings.txRequest(NETTXF_MORE_DATA, 100, 2, 0, 0);
        final int last = rings.txRequest(0, 50, 3, 0, 0);
        ring2pkt();
        txpkt2rsp(false);
        assertEquals(rings.txReqProdPvt, rings.txRspProdPvt);
        assertEquals(3, rspId(last));
        assertEquals(NETIF_RSP_OKAY, rspStatus(last));
        assertEquals(rings.txRing.offset(0), rings.txRing.offset(last));
    }

    @Test // 21
    void txpkt2gnttabEmpty()
    {
        ring2pkt();
        assertEquals(0, TxAssembler.txpkt2gnttab(pkt, rings.txSnapshot, batch, 0, NetbackRings.PEER_DOMID));
        assertEquals(0, batch.count());
    }

    @Test // 22 (with a real peer domid: the gref side must be the source, owned by the peer)
    void txpkt2gnttabShort()
    {
        final int size = 200;
        rings.txRequest(0, size, 0, 7, 17);
        ring2pkt();
        assertEquals(1, TxAssembler.txpkt2gnttab(pkt, rings.txSnapshot, batch, 128, NetbackRings.PEER_DOMID));
        assertEquals(size, batch.length(0));
        assertTrue(batch.isGrefSource(0));
        assertEquals(GrantCopyBatch.SOURCE_GREF, batch.flags(0));
        assertEquals(NetbackRings.PEER_DOMID, batch.domid(0));
        assertEquals(7, batch.gref(0));
        assertEquals(17, batch.grefOffset(0));
        assertEquals(128, batch.localOffset(0));
    }

    @Test // 23
    void txpkt2gnttab2Req()
    {
        rings.txRequest(NETTXF_MORE_DATA, 1900, 0, 7, 0);
        rings.txRequest(0, 500, 1, 8, 0);
        ring2pkt();
        assertEquals(2, TxAssembler.txpkt2gnttab(pkt, rings.txSnapshot, batch, 0, NetbackRings.PEER_DOMID));
        assertEquals(1400, batch.length(0));
        assertEquals(7, batch.gref(0));
        assertEquals(0, batch.localOffset(0));
        assertEquals(500, batch.length(1));
        assertEquals(8, batch.gref(1));
        assertEquals(1400, batch.localOffset(1));
    }

    /**
     * 24: a single 4097-byte slot. FreeBSD splits it into ops that read past the granted page; here a slot that crosses
     * its page is a protocol violation (Linux netback: fatal), and makes no copy op.
     */
    @Test
    void txpkt2gnttab2ClusterSlotCrossingItsPageIsFatal()
    {
        rings.txRequest(0, 4097, 0, 8, 0);
        assertEquals(1, ring2pkt());
        assertEquals(DropReason.SLOT_CROSSES_PAGE, pkt.error());
        assertTrue(DropReason.isFatal(pkt.error()));
        assertEquals(0, TxAssembler.txpkt2gnttab(pkt, rings.txSnapshot, batch, 0, NetbackRings.PEER_DOMID));
    }

    @Test // 24 as a legal frame: 4097 bytes in two slots -> two ops, contiguous in the local buffer
    void txpkt2gnttab4097BytesInTwoSlots()
    {
        rings.txRequest(NETTXF_MORE_DATA, 4097, 0, 8, 0);
        rings.txRequest(0, 1, 1, 9, 0);
        ring2pkt();
        assertEquals(2, TxAssembler.txpkt2gnttab(pkt, rings.txSnapshot, batch, 0, NetbackRings.PEER_DOMID));
        assertEquals(4096, batch.length(0));
        assertEquals(1, batch.length(1));
        assertEquals(4096, batch.localOffset(1));
    }

    @Test // 25
    void updateShort()
    {
        rings.txRequest(0, 150, 0, 7, 0);
        ring2pkt();
        final int ops = TxAssembler.txpkt2gnttab(pkt, rings.txSnapshot, batch, 0, NetbackRings.PEER_DOMID);
        assertEquals(150, TxAssembler.copiedLength(batch, 0, ops));
    }

    @Test // 26
    void update2Req()
    {
        rings.txRequest(NETTXF_MORE_DATA, 1900, 0, 7, 0);
        rings.txRequest(0, 500, 1, 8, 0);
        ring2pkt();
        final int ops = TxAssembler.txpkt2gnttab(pkt, rings.txSnapshot, batch, 0, NetbackRings.PEER_DOMID);
        assertEquals(2, ops);
        assertEquals(1900, TxAssembler.copiedLength(batch, 0, ops));
    }

    @Test // 27 (the original set only status[0]; here every op's status counts, and a failed op fails the packet)
    void update2ClusterWithAFailedOp()
    {
        rings.txRequest(NETTXF_MORE_DATA, 4097, 0, 8, 0);
        rings.txRequest(0, 1, 1, 9, 0);
        ring2pkt();
        final int ops = TxAssembler.txpkt2gnttab(pkt, rings.txSnapshot, batch, 0, NetbackRings.PEER_DOMID);
        assertEquals(4097, TxAssembler.copiedLength(batch, 0, ops));
        batch.status(1, -3);
        assertEquals(-1, TxAssembler.copiedLength(batch, 0, ops));
    }
}
