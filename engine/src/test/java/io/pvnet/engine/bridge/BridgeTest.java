package io.pvnet.engine.bridge;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.engine.port.PortCounters;
import io.pvnet.engine.port.PortDropReason;
import io.pvnet.engine.port.PortOffloads;
import io.pvnet.testsupport.TestFrames;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static io.pvnet.testsupport.TestFrames.BROADCAST;
import static io.pvnet.testsupport.TestFrames.MAC_A;
import static io.pvnet.testsupport.TestFrames.MAC_B;
import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BridgeTest
{
    private static final long MAC_C = 0x02_00_00_00_00_03L;
    private static final long AGING_NS = 10_000_000_000L;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final CountingFrameOffload offload = new CountingFrameOffload();
    private final Bridge bridge = new Bridge(new BridgeConfig(16, 1024, AGING_NS, clock, offload));
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(70_000));

    private RecordingPort add(final int offloads, final int mtu, final PortVlan vlan)
    {
        final RecordingPort port = new RecordingPort("p" + bridge.portCount(), offloads, mtu);
        bridge.attach(port, vlan);
        return port;
    }

    private RecordingPort add()
    {
        return add(PortOffloads.NONE, 1500, PortVlan.access(PortVlan.DEFAULT_VLAN));
    }

    private int send(final int port, final long dst, final long src, final int vlan)
    {
        final int length = TestFrames.raw(frame, 0, dst, src, vlan, 100);
        return bridge.ingress(port).onFrame(frame, 0, length, FrameMetadata.of(0, 0, 0));
    }

    @Test
    void shouldFloodUnknownUnicastThenForwardToLearnedPort()
    {
        final RecordingPort p0 = add();
        final RecordingPort p1 = add();
        final RecordingPort p2 = add();

        assertEquals(0, send(0, MAC_B, MAC_A, -1));
        assertEquals(0, p0.take());
        assertEquals(1, p1.take());
        assertEquals(1, p2.take());
        assertEquals(1, bridge.floods());

        assertEquals(0, send(1, MAC_A, MAC_B, -1));
        assertEquals(1, p0.take());
        assertEquals(0, p2.take());

        assertEquals(0, send(0, MAC_B, MAC_A, -1));
        assertEquals(1, p1.take());
        assertEquals(0, p2.take());
        assertEquals(1, bridge.floods());
        assertEquals(2, bridge.macTable().learnedCount());
    }

    @Test
    void shouldFloodBroadcastAndMulticastEvenToKnownStations()
    {
        final RecordingPort p0 = add();
        final RecordingPort p1 = add();
        final RecordingPort p2 = add();
        send(1, BROADCAST, MAC_B, -1);
        send(2, BROADCAST, MAC_C, -1);
        p0.take();
        p1.take();
        p2.take();

        send(0, BROADCAST, MAC_A, -1);
        send(0, 0x01_00_5E_00_00_01L, MAC_A, -1);
        send(0, 0x33_33_00_00_00_01L, MAC_A, -1);
        assertEquals(0, p0.take());
        assertEquals(3, p1.take());
        assertEquals(3, p2.take());
    }

    @Test
    void shouldNotLearnMulticastSource()
    {
        final RecordingPort p0 = add();
        add();
        send(1, MAC_A, 0x01_00_5E_00_00_01L, -1);
        assertEquals(0, bridge.macTable().size());
        assertEquals(1, p0.take());
    }

    @Test
    void shouldAgeOutStationsWithTheInjectedClock()
    {
        final RecordingPort p0 = add();
        final RecordingPort p1 = add();
        final RecordingPort p2 = add();
        send(1, BROADCAST, MAC_B, -1);
        p0.take();
        p2.take();

        clock.update(AGING_NS - 1_000_000_000L);
        bridge.doWork();
        send(0, MAC_B, MAC_A, -1);
        assertEquals(1, p1.take(), "still known just before the aging time");
        assertEquals(0, p2.take());

        clock.update(AGING_NS + 1_000_000L);
        bridge.doWork();
        send(0, MAC_B, MAC_A, -1);
        assertEquals(1, p1.take());
        assertEquals(1, p2.take(), "aged: flooded again");

        clock.update(3 * AGING_NS);
        assertEquals(2, bridge.doWork(), "the sweep removes both stations");
        assertEquals(0, bridge.macTable().size());
        assertEquals(2, bridge.macTable().agedCount());
    }

    @Test
    void shouldRefreshStationsThatKeepTalking()
    {
        add();
        final RecordingPort p1 = add();
        final RecordingPort p2 = add();
        for (int second = 0; second < 40; second++)
        {
            clock.update(second * 1_000_000_000L);
            bridge.doWork();
            send(1, BROADCAST, MAC_B, -1);
        }
        p2.take();
        send(0, MAC_B, MAC_A, -1);
        assertEquals(1, p1.take());
        assertEquals(0, p2.take());
    }

    @Test
    void shouldFollowAStationThatMoves()
    {
        final RecordingPort p0 = add();
        final RecordingPort p1 = add();
        final RecordingPort p2 = add();
        send(1, BROADCAST, MAC_B, -1);
        send(2, BROADCAST, MAC_B, -1);
        p0.take();
        p1.take();
        p2.take();
        send(0, MAC_B, MAC_A, -1);
        assertEquals(0, p1.take());
        assertEquals(1, p2.take());
        assertEquals(1, bridge.macTable().movedCount());
    }

    @Test
    void shouldFilterFramesForTheIngressPort()
    {
        add();
        final RecordingPort p1 = add();
        send(0, BROADCAST, MAC_B, -1);
        p1.take();
        assertEquals(PortDropReason.SAME_PORT, send(0, MAC_B, MAC_A, -1));
        assertEquals(0, p1.take());
        assertEquals(1, bridge.counters(0).rxDrops(PortDropReason.SAME_PORT));
    }

    @Test
    void shouldKeepVlansApartAndTagPerPort()
    {
        final RecordingPort access10 = add(PortOffloads.NONE, 1500, PortVlan.access(10));
        final RecordingPort access20 = add(PortOffloads.NONE, 1500, PortVlan.access(20));
        final RecordingPort trunk = add(PortOffloads.NONE, 1500, PortVlan.trunk(PortVlan.NO_NATIVE, 10, 20));
        final RecordingPort other10 = add(PortOffloads.NONE, 1500, PortVlan.access(10));
        final RecordingPort trunkNative = add(PortOffloads.NONE, 1500, PortVlan.trunk(20, 10));

        send(0, BROADCAST, MAC_A, -1);
        assertEquals(0, access20.take());
        assertEquals(1, trunk.frames.size());
        assertEquals(0x8100, tpid(trunk.last()));
        assertEquals(10, vid(trunk.last()));
        assertEquals(104, trunk.last().bytes().length);
        trunk.take();
        assertEquals(1, other10.frames.size());
        assertEquals(100, other10.last().bytes().length, "untagged on the access port");
        other10.take();
        assertEquals(10, vid(trunkNative.last()), "VLAN 10 is tagged on a trunk whose native VLAN is 20");
        trunkNative.take();

        // tagged VLAN 20 from the trunk: untagged to access20 and untagged on trunkNative (native 20)
        assertEquals(0, send(2, BROADCAST, MAC_B, 20));
        final byte[] tagged = bytes(100);
        final byte[] expected = new byte[96];
        System.arraycopy(tagged, 0, expected, 0, 12);
        System.arraycopy(tagged, 16, expected, 12, 84);
        assertEquals(1, access20.frames.size());
        assertArrayEquals(expected, access20.last().bytes(), "the tag removed, the rest unchanged");
        assertArrayEquals(expected, trunkNative.last().bytes(), "native VLAN 20 leaves untagged");
        assertEquals(0, access10.take() + other10.take());

        // the same MAC learned separately per VLAN
        send(0, MAC_C, MAC_B, -1);
        assertEquals(0, bridge.macTable().lookup(10, MAC_B, 0));
        assertEquals(2, bridge.macTable().lookup(20, MAC_B, 0));
    }

    @Test
    void shouldMoveAKnownChecksumStartWithTheVlanTagItAddsOrRemoves()
    {
        final RecordingPort access = add(PortOffloads.ALL, 1500, PortVlan.access(10));
        final RecordingPort trunk = add(PortOffloads.ALL, 1500, PortVlan.trunk(PortVlan.NO_NATIVE, 10));
        final RecordingPort sameKind = add(PortOffloads.ALL, 1500, PortVlan.access(10));
        final FrameMetadata metadata = new FrameMetadata();

        // untagged in with csum_start 34 (after Ethernet + IPv4): tagged out at 38, untagged out unchanged
        int length = TestFrames.tcp4(frame, 0, -1, 200, true);
        assertEquals(0, bridge.ingress(0).onFrame(frame, 0, length,
            metadata.set(FrameFlags.CSUM_PARTIAL, 0, 0).checksum(34, 16)));
        assertEquals(38, trunk.last().checksumStart());
        assertEquals(34, sameKind.last().checksumStart());
        assertEquals(34, metadata.checksumStart(), "the caller's metadata is never changed");

        // tagged in at 38: untagged out at 34; unknown stays unknown
        final byte[] tagged = trunk.last().bytes();
        frame.putBytes(0, tagged);
        assertEquals(0, bridge.ingress(1).onFrame(frame, 0, tagged.length,
            metadata.set(FrameFlags.CSUM_PARTIAL, 0, 0).checksum(38, 16)));
        assertEquals(34, access.last().checksumStart());
        assertEquals(0, bridge.ingress(1).onFrame(frame, 0, tagged.length, metadata.set(FrameFlags.CSUM_PARTIAL, 0, 0)));
        assertEquals(FrameMetadata.UNKNOWN, access.last().checksumStart());
    }

    @Test
    void shouldDropFramesAgainstVlanRules()
    {
        add(PortOffloads.NONE, 1500, PortVlan.access(10));
        add(PortOffloads.NONE, 1500, PortVlan.trunk(PortVlan.NO_NATIVE, 10));
        final RecordingPort listener = add(PortOffloads.NONE, 1500, PortVlan.trunk(PortVlan.NO_NATIVE, 10, 30));
        assertEquals(PortDropReason.VLAN_TAGGING, send(0, BROADCAST, MAC_A, 10), "tagged on an access port");
        assertEquals(PortDropReason.VLAN_TAGGING, send(1, BROADCAST, MAC_A, -1), "untagged on a trunk w/o native");
        assertEquals(PortDropReason.VLAN_INGRESS, send(1, BROADCAST, MAC_A, 30), "VLAN 30 not on the trunk");
        assertEquals(0, listener.take());
        assertEquals(1, bridge.counters(0).rxDrops(PortDropReason.VLAN_TAGGING));
        assertEquals(1, bridge.counters(1).rxDrops(PortDropReason.VLAN_TAGGING));
        assertEquals(1, bridge.counters(1).rxDrops(PortDropReason.VLAN_INGRESS));
        assertEquals(0, bridge.macTable().size(), "nothing learned from dropped frames");
    }

    @Test
    void shouldPassOffloadedFramesUntouchedToPortsThatOffload()
    {
        add();
        final RecordingPort offloading = add(PortOffloads.ALL, 1500, PortVlan.access(1));
        final RecordingPort plain = add(PortOffloads.NONE, 1500, PortVlan.access(1));
        final int length = TestFrames.tcp4(frame, 0, -1, 1000, true);
        final byte[] original = bytes(length);
        bridge.ingress(0).onFrame(frame, 0, length, FrameMetadata.of(FrameFlags.CSUM_PARTIAL, 0, 0));

        assertArrayEquals(original, offloading.last().bytes());
        assertEquals(FrameFlags.CSUM_PARTIAL, offloading.last().flags());
        assertTrue(!TestFrames.l4ChecksumOk(new UnsafeBuffer(original), 0, length), "the input sum is partial");

        final byte[] completed = plain.last().bytes();
        assertTrue(TestFrames.l4ChecksumOk(new UnsafeBuffer(completed), 0, completed.length));
        assertEquals(FrameFlags.DATA_VALIDATED, plain.last().flags());
        assertEquals(1, offload.calls, "the software offload ran for the plain port only");
        assertEquals(1, bridge.softwareChecksums());
        assertEquals(1, bridge.passedThroughOffloads());
    }

    @Test
    void shouldSplitGsoFramesOnlyForPortsWithoutTso()
    {
        add();
        final RecordingPort tso = add(PortOffloads.ALL, 1500, PortVlan.access(1));
        final RecordingPort checksumOnly = add(PortOffloads.CHECKSUM, 1500, PortVlan.access(1));
        final int payload = 20_000;
        final int length = TestFrames.tcp4(frame, 0, -1, payload, true);
        bridge.ingress(0).onFrame(frame, 0, length, FrameMetadata.of(FrameFlags.CSUM_PARTIAL, 1448, 1));

        assertEquals(1, tso.frames.size());
        assertEquals(1448, tso.last().gsoSize());
        assertEquals(length, tso.last().bytes().length);

        final int segments = (payload + 1447) / 1448;
        assertEquals(segments, checksumOnly.frames.size());
        int total = 0;
        for (final RecordingPort.Frame segment : checksumOnly.frames)
        {
            assertEquals(0, segment.gsoSize());
            assertTrue(segment.bytes().length - 14 <= 1500);
            assertTrue(TestFrames.l4ChecksumOk(new UnsafeBuffer(segment.bytes()), 0, segment.bytes().length));
            total += segment.bytes().length - 54;
        }
        assertEquals(payload, total);
        assertEquals(1, bridge.softwareSplits());
        assertEquals(segments, bridge.softwareSegments());
        assertEquals(1, bridge.counters(2).get(PortCounters.TX_FRAMES), "a split frame counts once");
    }

    @Test
    void shouldSplitGsoFramesWhoseSegmentsExceedAnOffloadingPortsMtu()
    {
        add();
        final RecordingPort smallMtu = add(PortOffloads.ALL, 1000, PortVlan.access(1));
        final int length = TestFrames.tcp4(frame, 0, -1, 5000, true);
        bridge.ingress(0).onFrame(frame, 0, length, FrameMetadata.of(FrameFlags.CSUM_PARTIAL, 1448, 1));
        assertEquals(6, smallMtu.frames.size(), "5000 bytes in segments of 960 (1000 - 40 header bytes)");
        for (final RecordingPort.Frame segment : smallMtu.frames)
        {
            assertTrue(segment.bytes().length - 14 <= 1000);
        }
    }

    @Test
    void shouldSplitOrDropFramesOverTheMtu()
    {
        add();
        final RecordingPort small = add(PortOffloads.ALL, 1280, PortVlan.access(1));
        final int tcpLength = TestFrames.tcp4(frame, 0, -1, 1460, false);
        assertEquals(0, bridge.ingress(0).onFrame(frame, 0, tcpLength, FrameMetadata.of(0, 0, 0)));
        assertEquals(2, small.frames.size(), "TCP over the MTU is segmented");
        for (final RecordingPort.Frame segment : small.frames)
        {
            assertTrue(segment.bytes().length <= 1294);
            assertTrue(TestFrames.l4ChecksumOk(new UnsafeBuffer(segment.bytes()), 0, segment.bytes().length));
        }
        small.take();

        final int udpLength = TestFrames.udp4(frame, 0, 1000, 7, 1400, false);
        assertEquals(0, bridge.ingress(0).onFrame(frame, 0, udpLength, FrameMetadata.of(0, 0, 0)));
        assertEquals(0, small.take());
        assertEquals(1, bridge.counters(1).txDrops(PortDropReason.MTU_EXCEEDED), "DF UDP cannot be fragmented");

        final int rawLength = TestFrames.raw(frame, 0, BROADCAST, MAC_A, -1, 1400);
        bridge.ingress(0).onFrame(frame, 0, rawLength, FrameMetadata.of(0, 0, 0));
        assertEquals(2, bridge.counters(1).txDrops(PortDropReason.MTU_EXCEEDED), "non-IP cannot be split");
        assertEquals(0, small.take());
    }

    @Test
    void shouldCountOffloadFailuresAsDropsWithoutASoftwareOffload()
    {
        final Bridge plain = new Bridge(new BridgeConfig(4, 16, AGING_NS, clock, NoFrameOffload.INSTANCE));
        final RecordingPort in = new RecordingPort("in", PortOffloads.NONE, 1500);
        final RecordingPort out = new RecordingPort("out", PortOffloads.NONE, 1500);
        plain.attach(in, PortVlan.access(1));
        plain.attach(out, PortVlan.access(1));
        final int length = TestFrames.tcp4(frame, 0, -1, 100, true);
        assertEquals(0, plain.ingress(0).onFrame(frame, 0, length, FrameMetadata.of(FrameFlags.CSUM_PARTIAL, 0, 0)));
        assertEquals(0, out.take());
        assertEquals(1, plain.counters(1).txDrops(PortDropReason.OFFLOAD_FAILED));
        assertEquals(1, plain.counters(1).get(PortCounters.TX_OFFERED));
    }

    private byte[] bytes(final int length)
    {
        final byte[] bytes = new byte[length];
        frame.getBytes(0, bytes);
        return bytes;
    }

    private static int tpid(final RecordingPort.Frame frame)
    {
        return new UnsafeBuffer(frame.bytes()).getShort(12, BIG_ENDIAN) & 0xFFFF;
    }

    private static int vid(final RecordingPort.Frame frame)
    {
        return new UnsafeBuffer(frame.bytes()).getShort(14, BIG_ENDIAN) & 0xFFF;
    }
}
