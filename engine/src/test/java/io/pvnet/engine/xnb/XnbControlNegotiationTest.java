package io.pvnet.engine.xnb;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.netif.CtrlRequestDescriptor;
import io.pvnet.engine.netif.CtrlResponseDescriptor;
import io.pvnet.engine.netif.ExtraInfoDescriptor;
import io.pvnet.engine.netif.NetifConstants;
import io.pvnet.engine.store.XenbusState;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.pvnet.engine.netif.NetifConstants.RX_SLOT_LENGTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control ring through the store and a real backend agent: {@code feature-ctrl-ring}, {@code ctrl-ring-ref} and
 * {@code event-channel-ctrl} good, missing and bad, as Linux netback's {@code connect_ctrl_ring}; then the hash it
 * sets showing up as a HASH extra on the guest's rx ring, byte-exact with Microsoft's RSS vector.
 */
class XnbControlNegotiationTest
{
    private HostileFrontend front;

    @BeforeEach
    void setUp()
    {
        front = new HostileFrontend(VifConfig.of(1, 0));
    }

    @AfterEach
    void tearDown()
    {
        front.close();
    }

    private String backend(final String key)
    {
        return front.store.read(front.config.backendDir() + "/" + key);
    }

    @Test
    void shouldAdvertiseTheControlRingAndConnectWithoutOne()
    {
        assertEquals("1", backend("feature-ctrl-ring"));
        front.connect();
        assertEquals(XenbusState.CONNECTED, front.xnb.state(), "no ctrl-ring-ref: no control ring, not an error");
    }

    @Test
    void shouldFailTheConnectWhenTheControlRingHasNoEventChannel()
    {
        front.controlRing = true;
        front.controlPort = -1;
        front.connect();
        assertEquals(XenbusState.CLOSING, front.xnb.state());
        assertEquals("connect: reading event-channel-ctrl", backend("error"));
        assertEquals(0, front.rxRspProd(), "nothing attached");
    }

    @Test
    void shouldFailTheConnectForAnUngrantedOrUnknownControlRing()
    {
        front.controlRing = true;
        front.controlRefOverride = 999;
        front.connect();
        assertEquals(XenbusState.CLOSING, front.xnb.state());
        assertTrue(backend("error").startsWith("connect: mapping shared-frame 999"), backend("error"));

        final HostileFrontend other = new HostileFrontend(VifConfig.of(2, 0));
        try
        {
            other.controlRing = true;
            other.controlPort = 5;
            other.connect();
            assertEquals(XenbusState.CLOSING, other.xnb.state());
            assertTrue(other.store.read(other.config.backendDir() + "/error").contains("port 5"));
        }
        finally
        {
            other.close();
        }
    }

    @Test
    void shouldServeTheControlRingAndTagRxFramesWithTheToeplitzHash()
    {
        front.controlRing = true;
        front.connect();
        assertEquals(XenbusState.CONNECTED, front.xnb.state());
        assertNull(backend("error"));

        final int size = front.control(CtrlRequestDescriptor.TYPE_GET_HASH_MAPPING_SIZE, 0, 0, 0);
        assertEquals(CtrlResponseDescriptor.STATUS_SUCCESS, CtrlResponseDescriptor.status(front.ctrl.buffer(), size));
        assertEquals(128, CtrlResponseDescriptor.data(front.ctrl.buffer(), size));

        // a frame before hashing is on: no extra
        front.postRx(front.rxGref[0], 0);
        front.postRx(front.rxGref[1], 1);
        assertEquals(0, front.xnb.offer(msVectorFrame(), 0, msVectorFrame().capacity(), FrameMetadata.of(0, 0, 0)));
        front.xnb.doWork();
        assertEquals(1, front.rxRspProd());
        assertEquals(0, rxFlags(0) & NetifConstants.NETRXF_EXTRA_INFO);

        front.controlData(ToeplitzHashVectors.MICROSOFT_KEY);
        status(CtrlRequestDescriptor.TYPE_SET_HASH_KEY, front.ctrlDataGref, 40, 0);
        status(CtrlRequestDescriptor.TYPE_SET_HASH_ALGORITHM, 1, 0, 0);
        status(CtrlRequestDescriptor.TYPE_SET_HASH_FLAGS, 0xF, 0, 0);

        front.postRx(front.rxGref[2], 2);
        assertEquals(0, front.xnb.offer(msVectorFrame(), 0, msVectorFrame().capacity(), FrameMetadata.of(0, 0, 0)));
        front.xnb.doWork();
        assertEquals(3, front.rxRspProd(), "a data slot and a HASH extra");
        assertEquals(NetifConstants.NETRXF_EXTRA_INFO, rxFlags(1) & NetifConstants.NETRXF_EXTRA_INFO);
        final int extra = HostileFrontend.slot(2, RX_SLOT_LENGTH);
        assertEquals(NetifConstants.XEN_NETIF_EXTRA_TYPE_HASH, ExtraInfoDescriptor.type(front.rxRing, extra));
        assertEquals(0, ExtraInfoDescriptor.flags(front.rxRing, extra));
        assertEquals(NetifConstants.XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP, ExtraInfoDescriptor.hashType(front.rxRing, extra));
        assertEquals(NetifConstants.XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ,
            ExtraInfoDescriptor.hashAlgorithm(front.rxRing, extra));
        assertEquals(0x51ccc178L, ExtraInfoDescriptor.hashValue(front.rxRing, extra), "Microsoft's IPv4/TCP vector");

        // published for ifconfig with the next heartbeat
        front.nanoClock.advance(200_000_000L);
        front.xnb.doWork();
        assertEquals("toeplitz flags=0xf mapping-size=0", backend("hash"));

        // flags 0: hashing off again, no extra
        status(CtrlRequestDescriptor.TYPE_SET_HASH_FLAGS, 0, 0, 0);
        front.postRx(front.rxGref[3], 3);
        front.xnb.offer(msVectorFrame(), 0, msVectorFrame().capacity(), FrameMetadata.of(0, 0, 0));
        front.xnb.doWork();
        assertEquals(4, front.rxRspProd());
        assertEquals(0, rxFlags(3) & NetifConstants.NETRXF_EXTRA_INFO);
    }

    @Test
    void shouldTagEverySegmentTheBackendSplitsForAGuestWithoutGsoWithTheFramesHash()
    {
        front.close();
        front = new HostileFrontend(io.pvnet.ring.region.Region.createAnonymous(
            io.pvnet.engine.VifRegion.regionBytes(2)), null, VifConfig.of(1, 0),
            new io.pvnet.engine.offload.ChecksumFrameOffload());
        front.gso = false;
        front.controlRing = true;
        front.connect();
        assertEquals(XenbusState.CONNECTED, front.xnb.state());
        front.controlData(ToeplitzHashVectors.MICROSOFT_KEY);
        status(CtrlRequestDescriptor.TYPE_SET_HASH_KEY, front.ctrlDataGref, 40, 0);
        status(CtrlRequestDescriptor.TYPE_SET_HASH_ALGORITHM, 1, 0, 0);
        status(CtrlRequestDescriptor.TYPE_SET_HASH_FLAGS, 0xF, 0, 0);

        final UnsafeBuffer tso = tsoFrame(54 + 3000);
        final io.pvnet.checksum.parse.PacketHeaders headers = new io.pvnet.checksum.parse.PacketHeaders();
        io.pvnet.checksum.parse.HeaderParser.parse(tso, 0, tso.capacity(), headers);
        final long expected = io.pvnet.checksum.hash.FlowHash.value(front.xnb.hash().hash(tso, headers)) & 0xFFFF_FFFFL;
        // the backend reserves slots for ceil(frame / MSS) segments (here 4) before it splits
        for (int i = 0; i < 8; i++)
        {
            front.postRx(front.rxGref[i], i);
        }
        assertEquals(0, front.xnb.offer(tso, 0, tso.capacity(), FrameMetadata.of(io.pvnet.engine.frame.FrameFlags.CSUM_PARTIAL, 1000, NetifConstants.XEN_NETIF_GSO_TYPE_TCPV4)));
        front.xnb.doWork();
        assertEquals(3, front.counters.get(VifCounters.TSO_SEGMENTS), "split in three for a guest without GSO");
        assertEquals(6, front.rxRspProd(), "three segments, each a data slot and a HASH extra");
        for (int segment = 0; segment < 3; segment++)
        {
            assertEquals(1054, front.rxRspStatus(2 * segment), "segment " + segment);
            assertEquals(NetifConstants.NETRXF_EXTRA_INFO, rxFlags(2 * segment) & NetifConstants.NETRXF_EXTRA_INFO);
            final int extra = HostileFrontend.slot(2 * segment + 1, RX_SLOT_LENGTH);
            assertEquals(NetifConstants.XEN_NETIF_EXTRA_TYPE_HASH, ExtraInfoDescriptor.type(front.rxRing, extra));
            assertEquals(NetifConstants.XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP,
                ExtraInfoDescriptor.hashType(front.rxRing, extra));
            assertEquals(expected, ExtraInfoDescriptor.hashValue(front.rxRing, extra), "the frame's hash");
        }
    }

    /** An IPv4/TCP frame of Microsoft's first RSS example flow, checksum-blank (pseudo-header sum left 0). */
    private static UnsafeBuffer tsoFrame(final int length)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(length));
        frame.putBytes(0, msVectorFrame(), 0, 54);
        frame.putShort(16, (short)(length - 14), ByteOrder.BIG_ENDIAN);
        for (int i = 54; i < length; i++)
        {
            frame.putByte(i, (byte)i);
        }
        return frame;
    }

    @Test
    void shouldDropOnlyTheControlRingOfAFrontendThatBreaksIt()
    {
        front.controlRing = true;
        front.connect();
        front.ctrl.buffer().putIntRelease(0, front.ctrl.requestProducer() + 5000);
        front.xnb.doWork();
        assertEquals(XenbusState.CONNECTED, front.xnb.state(), "the data rings keep going");
        assertEquals(1, front.counters.get(VifCounters.PROTOCOL_ERRORS));
        assertFalse(front.xnb.isControlRingAttached());
    }

    private void status(final int type, final long data0, final long data1, final long data2)
    {
        final int response = front.control(type, data0, data1, data2);
        assertEquals(CtrlResponseDescriptor.STATUS_SUCCESS, CtrlResponseDescriptor.status(front.ctrl.buffer(), response),
            "type " + type);
    }

    private int rxFlags(final int index)
    {
        return front.rxRing.getShort(HostileFrontend.slot(index, RX_SLOT_LENGTH) + 4, ByteOrder.LITTLE_ENDIAN);
    }

    /** TCP/IPv4 66.9.149.187:2794 -> 161.142.100.80:1766, the first row of Microsoft's RSS verification table. */
    private static UnsafeBuffer msVectorFrame()
    {
        final ByteBuffer frame = ByteBuffer.allocate(14 + 20 + 20);
        frame.put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}).putShort((short)0x0800);
        frame.put((byte)0x45).put((byte)0).putShort((short)40).putShort((short)1).putShort((short)0x4000)
            .put((byte)64).put((byte)6).putShort((short)0);
        frame.put(new byte[] {66, 9, (byte)149, (byte)187}).put(new byte[] {(byte)161, (byte)142, 100, 80});
        frame.putShort((short)2794).putShort((short)1766).putInt(1).putInt(0).putShort((short)0x5010)
            .putShort((short)8192).putInt(0);
        return new UnsafeBuffer(frame.array());
    }
}
