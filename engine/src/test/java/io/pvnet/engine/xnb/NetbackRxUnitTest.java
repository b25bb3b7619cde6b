package io.pvnet.engine.xnb;

import io.pvnet.engine.netif.ExtraInfoDescriptor;
import io.pvnet.engine.netif.RxRequestDescriptor;
import io.pvnet.engine.netif.RxResponseDescriptor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.pvnet.engine.netif.NetifConstants.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * FreeBSD's netback unit tests for the receive path (#28-43: mbufc2pkt, rxpkt2gnttab, rxpkt2rsp), ported to
 * {@link RxAssembler}. pvnet frames are contiguous (one buffer, not an mbuf chain), so the "2short" tests send the sum of
 * the two buffers as one frame. Defects not copied: #32/#33 compared car_size and gso.size with {@code =}; #36 wrote the
 * gref into slot 0 instead of the packet's slot; #40 compared gso.type with EXTRA_TYPE_GSO.
 */
class NetbackRxUnitTest
{
    private static final int MHLEN = 160;
    private NetbackRings rings;
    private final RxPacket pkt = new RxPacket();
    private final GrantCopyBatch batch = new GrantCopyBatch(64);

    @BeforeEach
    void setUp()
    {
        rings = new NetbackRings();
    }

    private int rspId(final int index)
    {
        return RxResponseDescriptor.id(rings.rxPage, rings.rxRing.offset(index));
    }

    private int rspFlags(final int index)
    {
        return RxResponseDescriptor.flags(rings.rxPage, rings.rxRing.offset(index));
    }

    private int rspStatus(final int index)
    {
        return RxResponseDescriptor.status(rings.rxPage, rings.rxRing.offset(index));
    }

    private int rspOffset(final int index)
    {
        return RxResponseDescriptor.offset(rings.rxPage, rings.rxRing.offset(index));
    }

    @Test // 28
    void frame2pktEmpty()
    {
        assertEquals(RxAssembler.EINVAL, RxAssembler.frame2pkt(pkt, 0, 0, 0, 0, 0, 64));
        assertFalse(pkt.isValid());
    }

    @Test // 29
    void frame2pktShort()
    {
        assertEquals(RxAssembler.OK, RxAssembler.frame2pkt(pkt, 128, 0, 0, 0, 9, 64));
        assertTrue(pkt.isValid());
        assertEquals(128, pkt.size());
        assertEquals(0, pkt.flags() & (NETRXF_MORE_DATA | NETRXF_EXTRA_INFO));
        assertEquals(1, pkt.listLen());
        assertEquals(9, pkt.car());
    }

    @Test // 30
    void frame2pkt1Cluster()
    {
        assertEquals(RxAssembler.OK, RxAssembler.frame2pkt(pkt, 2048, 0, 0, 0, 12, 32));
        assertEquals(2048, pkt.size());
        assertEquals(1, pkt.listLen());
        assertEquals(12, pkt.car());
    }

    @Test // 31 (two buffers sent as one contiguous frame)
    void frame2pkt2Short()
    {
        final int size = (MHLEN - 5) + (MHLEN - 15);
        assertEquals(RxAssembler.OK, RxAssembler.frame2pkt(pkt, size, 0, 0, 0, 14, 5));
        assertEquals(size, pkt.size());
        assertEquals(14, pkt.car());
        assertEquals(1, pkt.listLen());
        assertEquals(15, pkt.cdr());
    }

    @Test // 32
    void frame2pktLong()
    {
        final int size = 14 * 2048 / 3;
        assertEquals(9557, size);
        assertEquals(RxAssembler.OK, RxAssembler.frame2pkt(pkt, size, 0, 0, 0, 3, 15));
        assertEquals(size, pkt.size());
        assertEquals(3, pkt.car());
        assertFalse(pkt.hasGso());
        assertEquals(3, pkt.listLen());
        assertEquals(4, pkt.cdr());
    }

    @Test // 33
    void frame2pktExtra()
    {
        assertEquals(RxAssembler.OK, RxAssembler.frame2pkt(
            pkt, 9557, NETRXF_CSUM_BLANK | NETRXF_DATA_VALIDATED, 496, XEN_NETIF_GSO_TYPE_TCPV4, 3, 15));
        assertTrue(pkt.hasGso());
        assertEquals(NETRXF_DATA_VALIDATED, pkt.flags() & NETRXF_DATA_VALIDATED);
        assertEquals(5, pkt.cdr());
        assertEquals(496, pkt.gsoSize());
        assertEquals(4, pkt.slots());
    }

    @Test // 34
    void frame2pktNoSpace()
    {
        assertEquals(RxAssembler.EAGAIN, RxAssembler.frame2pkt(pkt, 9557, 0, 0, 0, 3, 2));
        assertFalse(pkt.isValid());
    }

    @Test // 35
    void rxpkt2gnttabEmpty()
    {
        RxAssembler.frame2pkt(pkt, 0, 0, 0, 0, 0, 64);
        assertEquals(0, RxAssembler.rxpkt2gnttab(pkt, rings.rxSnapshot, batch, 0, NetbackRings.PEER_DOMID));
    }

    @Test // 36 (the request sits in the packet's slot, 9)
    void rxpkt2gnttabShort()
    {
        rings.startRxAt(9);
        rings.rxRequest(3, 7);
        rings.snapshotRx(9);
        RxAssembler.frame2pkt(pkt, 128, 0, 0, 0, 9, 1);
        assertEquals(1, RxAssembler.rxpkt2gnttab(pkt, rings.rxSnapshot, batch, 256, NetbackRings.PEER_DOMID));
        assertEquals(128, batch.length(0));
        assertEquals(GrantCopyBatch.DEST_GREF, batch.flags(0));
        assertEquals(7, batch.gref(0));
        assertEquals(NetbackRings.PEER_DOMID, batch.domid(0));
        assertEquals(0, batch.grefOffset(0));
        assertEquals(256, batch.localOffset(0));
    }

    @Test // 37
    void rxpkt2gnttab2Req()
    {
        rings.rxRequest(1, 10);
        rings.rxRequest(2, 11);
        rings.snapshotRx(0);
        RxAssembler.frame2pkt(pkt, 4097, 0, 0, 0, 0, 2);
        final int ops = RxAssembler.rxpkt2gnttab(pkt, rings.rxSnapshot, batch, 0, NetbackRings.PEER_DOMID);
        assertTrue(ops >= 2);
        int total = 0;
        for (int op = 0; op < ops; op++)
        {
            assertTrue(batch.grefOffset(op) + batch.length(op) <= PAGE_SIZE);
            total += batch.length(op);
        }
        assertEquals(4097, total);
        assertEquals(11, batch.gref(1));
    }

    @Test // 38
    void rxpkt2rspEmpty()
    {
        final byte[] before = new byte[PAGE_SIZE];
        rings.rxPage.getBytes(0, before);
        RxAssembler.frame2pkt(pkt, 0, 0, 0, 0, 0, 64);
        assertEquals(0, RxAssembler.rxpkt2rsp(pkt, rings.rxSnapshot, batch, 0, rings.rxRing));
        final byte[] after = new byte[PAGE_SIZE];
        rings.rxPage.getBytes(0, after);
        assertArrayEquals(before, after);
    }

    @Test // 39
    void rxpkt2rspShort()
    {
        rings.startRxAt(5);
        rings.rxRequest(23, 7);
        rings.snapshotRx(5);
        RxAssembler.frame2pkt(pkt, 128, 0, 0, 0, 5, 1);
        RxAssembler.rxpkt2gnttab(pkt, rings.rxSnapshot, batch, 0, NetbackRings.PEER_DOMID);
        final int responses = RxAssembler.rxpkt2rsp(pkt, rings.rxSnapshot, batch, 0, rings.rxRing);
        assertEquals(1, responses);
        assertEquals(6, 5 + responses, "rsp_prod_pvt");
        assertEquals(23, rspId(5));
        assertEquals(0, rspOffset(5));
        assertEquals(0, rspFlags(5) & (NETRXF_MORE_DATA | NETRXF_EXTRA_INFO));
        assertEquals(128, rspStatus(5));
    }

    @Test // 40
    void rxpkt2rspExtra()
    {
        rings.startRxAt(3);
        rings.rxRequest(49, 65);
        rings.rxRequest(50, 66);
        rings.snapshotRx(3);
        RxAssembler.frame2pkt(
            pkt, 14, NETRXF_DATA_VALIDATED | NETRXF_CSUM_BLANK, 496, XEN_NETIF_GSO_TYPE_TCPV4, 3, 2);
        RxAssembler.rxpkt2gnttab(pkt, rings.rxSnapshot, batch, 0, NetbackRings.PEER_DOMID);
        final int responses = RxAssembler.rxpkt2rsp(pkt, rings.rxSnapshot, batch, 0, rings.rxRing);
        assertEquals(2, responses);
        assertEquals(5, 3 + responses, "rsp_prod_pvt");
        assertEquals(49, rspId(3));
        assertEquals(NETRXF_EXTRA_INFO | NETRXF_DATA_VALIDATED | NETRXF_CSUM_BLANK, rspFlags(3));
        assertEquals(14, rspStatus(3));
        final int extra = rings.rxRing.offset(4);
        assertEquals(XEN_NETIF_EXTRA_TYPE_GSO, ExtraInfoDescriptor.type(rings.rxPage, extra));
        assertEquals(0, ExtraInfoDescriptor.flags(rings.rxPage, extra) & XEN_NETIF_EXTRA_FLAG_MORE);
        assertEquals(496, ExtraInfoDescriptor.gsoSize(rings.rxPage, extra));
        assertEquals(XEN_NETIF_GSO_TYPE_TCPV4, ExtraInfoDescriptor.gsoType(rings.rxPage, extra));
    }

    @Test // beyond FreeBSD: Linux netback's HASH extra after the GSO extra, chained by FLAG_MORE
    void rxpkt2rspGsoAndHashExtras()
    {
        rings.startRxAt(7);
        rings.rxRequest(11, 65);
        rings.rxRequest(12, 66);
        rings.rxRequest(13, 67);
        rings.rxRequest(14, 68);
        rings.snapshotRx(7);
        assertEquals(RxAssembler.EAGAIN, RxAssembler.frame2pkt(pkt, 5000, 0, 1448, XEN_NETIF_GSO_TYPE_TCPV4,
            XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP, 0x51ccc178, 7, 3), "two pages and two extras need four slots");
        assertEquals(RxAssembler.OK, RxAssembler.frame2pkt(pkt, 5000, 0, 1448, XEN_NETIF_GSO_TYPE_TCPV4,
            XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP, 0x51ccc178, 7, 4));
        assertEquals(10, pkt.cdr(), "second data page after both extras");
        RxAssembler.rxpkt2gnttab(pkt, rings.rxSnapshot, batch, 0, NetbackRings.PEER_DOMID);
        assertEquals(4, RxAssembler.rxpkt2rsp(pkt, rings.rxSnapshot, batch, 0, rings.rxRing));
        assertEquals(NETRXF_EXTRA_INFO | NETRXF_MORE_DATA, rspFlags(7));
        final int gso = rings.rxRing.offset(8);
        assertEquals(XEN_NETIF_EXTRA_TYPE_GSO, ExtraInfoDescriptor.type(rings.rxPage, gso));
        assertEquals(XEN_NETIF_EXTRA_FLAG_MORE, ExtraInfoDescriptor.flags(rings.rxPage, gso), "a HASH extra follows");
        final int hash = rings.rxRing.offset(9);
        assertEquals(XEN_NETIF_EXTRA_TYPE_HASH, ExtraInfoDescriptor.type(rings.rxPage, hash));
        assertEquals(0, ExtraInfoDescriptor.flags(rings.rxPage, hash));
        assertEquals(XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP, ExtraInfoDescriptor.hashType(rings.rxPage, hash));
        assertEquals(XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ, ExtraInfoDescriptor.hashAlgorithm(rings.rxPage, hash));
        assertEquals(0x51ccc178L, ExtraInfoDescriptor.hashValue(rings.rxPage, hash));
        assertEquals(14, rspId(10));
        assertEquals(5000 - 4096, rspStatus(10));
    }

    @Test // 41 (two buffers as one frame: one copy op, one response)
    void rxpkt2rsp2Short()
    {
        final int size = (MHLEN - 5) + (MHLEN - 15);
        rings.startRxAt(14);
        rings.rxRequest(47, 54);
        rings.snapshotRx(14);
        RxAssembler.frame2pkt(pkt, size, 0, 0, 0, 14, 1);
        assertEquals(1, RxAssembler.rxpkt2gnttab(pkt, rings.rxSnapshot, batch, 0, NetbackRings.PEER_DOMID));
        assertEquals(1, RxAssembler.rxpkt2rsp(pkt, rings.rxSnapshot, batch, 0, rings.rxRing));
        assertEquals(47, rspId(14));
        assertEquals(size, rspStatus(14));
        assertEquals(0, rspOffset(14));
        assertEquals(0, rspFlags(14));
    }

    @Test // 42
    void rxpkt2rsp2Slots()
    {
        rings.startRxAt(15);
        rings.rxRequest(17, 24);
        rings.rxRequest(37, 34);
        rings.snapshotRx(15);
        RxAssembler.frame2pkt(pkt, 4196, 0, 0, 0, 15, 2);
        RxAssembler.rxpkt2gnttab(pkt, rings.rxSnapshot, batch, 0, NetbackRings.PEER_DOMID);
        final int responses = RxAssembler.rxpkt2rsp(pkt, rings.rxSnapshot, batch, 0, rings.rxRing);
        assertEquals(17, 15 + responses, "rsp_prod_pvt");
        assertEquals(17, rspId(15));
        assertEquals(0, rspOffset(15));
        assertEquals(NETRXF_MORE_DATA, rspFlags(15));
        assertEquals(4096, rspStatus(15));
        assertEquals(37, rspId(16));
        assertEquals(0, rspOffset(16));
        assertEquals(0, rspFlags(16) & (NETRXF_MORE_DATA | NETRXF_EXTRA_INFO));
        assertEquals(100, rspStatus(16));
    }

    @Test // 43
    void rxpkt2rspCopyError()
    {
        final int canary = 6859;
        rings.startRxAt(2);
        rings.rxRequest(7, 42);
        rings.rxRequest(8, 43);
        rings.rxRequest(9, 44);
        rings.rxRequest(10, 45);
        RxRequestDescriptor.write(rings.rxPage, rings.rxRing.offset(3), canary, canary);
        rings.snapshotRx(2);
        RxAssembler.frame2pkt(pkt, 14336, 0, 0, 0, 2, 4);
        final int ops = RxAssembler.rxpkt2gnttab(pkt, rings.rxSnapshot, batch, 0, NetbackRings.PEER_DOMID);
        assertEquals(4, ops);
        batch.status(2, -1);
        final int responses = RxAssembler.rxpkt2rsp(pkt, rings.rxSnapshot, batch, 0, rings.rxRing);
        assertEquals(1, responses);
        assertEquals(3, 2 + responses, "rsp_prod_pvt");
        assertEquals(7, rspId(2));
        assertEquals(NETIF_RSP_ERROR, rspStatus(2));
        assertEquals(canary, RxRequestDescriptor.id(rings.rxPage, rings.rxRing.offset(3)));
        assertEquals(canary, RxRequestDescriptor.gref(rings.rxPage, rings.rxRing.offset(3)));
    }
}
