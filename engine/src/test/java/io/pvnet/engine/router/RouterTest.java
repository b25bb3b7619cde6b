package io.pvnet.engine.router;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.Ipv6Header;
import io.pvnet.checksum.packet.NeighbourDiscovery;
import io.pvnet.checksum.packet.NeighbourMessages;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.TestChecksums;
import io.pvnet.engine.bridge.RecordingPort;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.engine.port.PortDropReason;
import io.pvnet.engine.port.PortOffloads;
import io.pvnet.testsupport.AllocationRounds;
import io.pvnet.testsupport.TestFrames;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The router between two recording ports: left (port 0, 10.0.0.1/24, fd00::1/64) and right (port 1, 10.0.1.1/24,
 * fd00:0:0:1::1/64); 192.0.2.1/32 on-link on the left, 192.0.2.0/24 via 10.0.1.7 on the right (the test frames go
 * 192.0.2.1 -> 192.0.2.2). Every test ends with the accounting balanced.
 */
class RouterTest
{
    /** Reused for every frame handed in, as the data path does (so the allocation checks see none). */
    private final FrameMetadata metadata = new FrameMetadata();

    private static final long LEFT_MAC = 0x02_70_76_00_00_01L;
    private static final long RIGHT_MAC = 0x02_70_76_00_00_02L;
    private static final long HOST_MAC = 0x02_00_00_00_00_AAL;
    private static final long LEFT_HI = 0xFD00_0000_0000_0000L;
    private static final long RIGHT_HI = 0xFD00_0000_0000_0001L;
    private static final long SECOND = 1_000_000_000L;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(70_000));
    private Router router;
    private RecordingPort left;
    private RecordingPort right;

    private static int ip(final int a, final int b, final int c, final int d)
    {
        return (a << 24) | (b << 16) | (c << 8) | d;
    }

    @BeforeEach
    void setUp()
    {
        clock.update(1_000 * SECOND);
        build(PortOffloads.NONE, 1500);
    }

    private void build(final int rightOffloads, final int rightMtu)
    {
        router = new Router(RouterConfig.defaults(new ChecksumFrameOffload()).withClock(clock));
        left = new RecordingPort("left", PortOffloads.NONE, 1500);
        right = new RecordingPort("right", rightOffloads, rightMtu);
        assertEquals(0, router.attach(left, LEFT_MAC));
        assertEquals(1, router.attach(right, RIGHT_MAC));
        router.address4(0, ip(10, 0, 0, 1), 24);
        router.address4(1, ip(10, 0, 1, 1), 24);
        router.address6(0, LEFT_HI, 1, 64);
        router.address6(1, RIGHT_HI, 1, 64);
        router.route4(ip(192, 0, 2, 1), 32, 0, 0);
        router.route4(ip(192, 0, 2, 0), 24, 1, ip(10, 0, 1, 7));
        router.doWork();
    }

    @Test
    void shouldResolveTheGatewayByArpThenForwardWithTtlDecrementedAndMacsRewritten()
    {
        final int length = udp4ToRouter(100);
        assertEquals(0, router.ingress(0).onFrame(frame, 0, length, metadata.set(0, 0, 0)));
        assertEquals(1, router.pending());
        final RecordingPort.Frame request = only(right);
        assertEquals(TestFrames.BROADCAST, mac(request, 0));
        assertEquals(0x0806, u16(request, 12));
        assertEquals(1, u16(request, 20));
        assertEquals(RIGHT_MAC, mac(request, 22));
        assertEquals(ip(10, 0, 1, 1), i32(request, 28));
        assertEquals(ip(10, 0, 1, 7), i32(request, 38), "asks for the gateway, not the destination");

        arpReply(1, ip(10, 0, 1, 7), HOST_MAC, ip(10, 0, 1, 1), RIGHT_MAC);
        final RecordingPort.Frame out = only(right);
        assertEquals(HOST_MAC, mac(out, 0));
        assertEquals(RIGHT_MAC, mac(out, 6));
        assertEquals(63, out.bytes()[22] & 0xFF);
        assertEquals(0xFFFF, TestChecksums.fold(TestChecksums.sum(buffer(out), 14, 20, 0)), "IPv4 header checksum");
        assertTrue(TestFrames.l4ChecksumOk(buffer(out), 0, out.bytes().length));
        assertEquals(1, router.forwarded());
        assertEquals(0, router.pending());

        // resolved now: the next frame goes straight out
        router.ingress(0).onFrame(frame, 0, udp4ToRouter(100), metadata.set(0, 0, 0));
        assertEquals(HOST_MAC, mac(only(right), 0));
        assertEquals(2, router.forwarded());
        assertBalanced();
    }

    @Test
    void shouldAnswerArpForItsOwnAddressAndAsAProxyForRoutedAddressesOnly()
    {
        arpRequest(0, TestFrames.MAC_A, ip(10, 0, 0, 2), ip(10, 0, 0, 1));
        RecordingPort.Frame reply = only(left);
        assertEquals(TestFrames.MAC_A, mac(reply, 0));
        assertEquals(2, u16(reply, 20));
        assertEquals(LEFT_MAC, mac(reply, 22));
        assertEquals(ip(10, 0, 0, 1), i32(reply, 28));
        assertEquals(ip(10, 0, 0, 2), i32(reply, 38));

        arpRequest(0, TestFrames.MAC_A, ip(10, 0, 0, 2), ip(10, 0, 1, 99));
        reply = only(left);
        assertEquals(LEFT_MAC, mac(reply, 22), "proxy: an address routed out of the other port");
        assertEquals(ip(10, 0, 1, 99), i32(reply, 28));

        arpRequest(0, TestFrames.MAC_A, ip(10, 0, 0, 2), ip(10, 0, 0, 5));
        arpRequest(0, TestFrames.MAC_A, ip(10, 0, 0, 2), ip(8, 8, 8, 8));
        arpRequest(0, TestFrames.MAC_A, ip(10, 0, 0, 2), ip(10, 0, 0, 2));
        assertEquals(0, left.frames.size(), "no answer for the port's own link, unrouted or gratuitous ARP");
        assertEquals(2, router.repliesSent());
        assertEquals(5, router.local());
        // the requester was learned: a frame to it needs no resolution
        router.route4(ip(198, 51, 100, 0), 24, 0, ip(10, 0, 0, 2));
        forwardRaw4(1, ip(198, 51, 100, 9));
        assertEquals(TestFrames.MAC_A, mac(only(left), 0));
        assertBalanced();
    }

    @Test
    void shouldAnswerNeighbourSolicitationsForItsOwnAndProxiedAddresses()
    {
        neighbourSolicitation(0, TestFrames.MAC_A, LEFT_HI, 2, LEFT_HI, 1);
        RecordingPort.Frame advert = only(left);
        assertNdpValid(advert, 136);
        assertEquals(TestFrames.MAC_A, mac(advert, 0));
        assertEquals(LEFT_HI, i64(advert, 22));
        assertEquals(1, i64(advert, 30));
        assertEquals(2, i64(advert, 46), "to the solicitor");
        assertEquals(0xE000_0000, i32(advert, 58), "router, solicited, override");
        assertEquals(LEFT_MAC, mac(advert, 80));

        neighbourSolicitation(0, TestFrames.MAC_A, LEFT_HI, 2, RIGHT_HI, 0x42);
        advert = only(left);
        assertNdpValid(advert, 136);
        assertEquals(0xC000_0000, i32(advert, 58), "a proxy does not override");
        assertEquals(RIGHT_HI, i64(advert, 62));
        assertEquals(0x42, i64(advert, 70));
        assertEquals(Ipv6Header.LINK_LOCAL_HI, i64(advert, 22));
        assertEquals(LEFT_MAC, mac(advert, 80));

        neighbourSolicitation(0, TestFrames.MAC_A, LEFT_HI, 2, LEFT_HI, 5);
        assertEquals(0, left.frames.size(), "no answer for another host on the port's own link");
        assertEquals(3, router.local());
        assertBalanced();
    }

    @Test
    void shouldResolveIpv6NextHopsByNeighbourSolicitationAndDecrementTheHopLimit()
    {
        final int length = udp6(RIGHT_MAC, RIGHT_HI, 2, LEFT_HI, 2, 64);
        assertEquals(0, router.ingress(1).onFrame(frame, 0, length, metadata.set(0, 0, 0)));
        assertEquals(PortDropReason.NOT_OUR_MAC, router.ingress(0).onFrame(frame, 0, length, metadata.set(0, 0, 0)));
        // from the right port, to the left host fd00::2
        final RecordingPort.Frame solicitation = only(left);
        assertNdpValid(solicitation, 135);
        assertEquals(0x3333_FF00_0002L, mac(solicitation, 0));
        assertEquals(LEFT_HI, i64(solicitation, 22));
        assertEquals(1, i64(solicitation, 30), "from the port's address");
        assertEquals(0xFF02_0000_0000_0000L, i64(solicitation, 38));
        assertEquals(0x0000_0001_FF00_0002L, i64(solicitation, 46));
        assertEquals(2, i64(solicitation, 70));
        assertEquals(LEFT_MAC, mac(solicitation, 80));

        neighbourAdvertisement(0, TestFrames.MAC_A, LEFT_HI, 2);
        final RecordingPort.Frame out = only(left);
        assertEquals(TestFrames.MAC_A, mac(out, 0));
        assertEquals(LEFT_MAC, mac(out, 6));
        assertEquals(63, out.bytes()[21] & 0xFF);
        assertEquals(1, router.forwarded());
        assertEquals(1, router.drops(PortDropReason.NOT_OUR_MAC));
        assertBalanced();
    }

    @Test
    void shouldReadFramesAtAnyOffsetInTheirBuffer()
    {
        final UnsafeBuffer shifted = new UnsafeBuffer(ByteBuffer.allocateDirect(70_000));
        int length = NeighbourMessages.neighbourSolicitation(frame, TestFrames.MAC_A, LEFT_HI, 2, LEFT_HI, 1);
        shifted.putBytes(9, frame, 0, length);
        assertEquals(0, router.ingress(0).onFrame(shifted, 9, length, metadata.set(0, 0, 0)));
        final RecordingPort.Frame advert = only(left);
        assertNdpValid(advert, 136);
        assertEquals(TestFrames.MAC_A, mac(advert, 0), "the source link-layer option read at the frame's offset");

        length = NeighbourMessages.arpRequest(frame, HOST_MAC, ip(10, 0, 1, 7), ip(10, 0, 1, 1));
        shifted.putBytes(9, frame, 0, length);
        assertEquals(0, router.ingress(1).onFrame(shifted, 9, length, metadata.set(0, 0, 0)));
        assertEquals(ip(10, 0, 1, 7), i32(only(right), 38));

        length = udp4ToRouter(50);
        shifted.putBytes(9, frame, 0, length);
        assertEquals(0, router.ingress(0).onFrame(shifted, 9, length, metadata.set(0, 0, 0)));
        final RecordingPort.Frame out = only(right);
        assertEquals(HOST_MAC, mac(out, 0));
        assertEquals(63, out.bytes()[22] & 0xFF);
        assertTrue(TestFrames.l4ChecksumOk(buffer(out), 0, out.bytes().length));

        length = udp6(LEFT_MAC, LEFT_HI, 2, RIGHT_HI, 2, 64);
        shifted.putBytes(9, frame, 0, length);
        assertEquals(0, router.ingress(0).onFrame(shifted, 9, length, metadata.set(0, 0, 0)));
        assertEquals(RIGHT_HI, i64(only(right), 62), "a solicitation for the IPv6 destination");
        assertBalanced();
    }

    @Test
    void shouldDropAtTtlOrHopLimitOneAndSendTimeExceededToAResolvedSource()
    {
        // the sources (192.0.2.1 and fd00::2, both behind the left port) are resolved from their own requests
        arpRequest(0, TestFrames.MAC_A, ip(192, 0, 2, 1), ip(10, 0, 0, 1));
        neighbourSolicitation(0, TestFrames.MAC_A, LEFT_HI, 2, LEFT_HI, 1);
        left.frames.clear();

        final int length = udp4ToRouter(10);
        frame.putByte(22, (byte)1);
        assertEquals(PortDropReason.TTL_EXCEEDED, router.ingress(0).onFrame(frame, 0, length, metadata.set(0, 0, 0)));
        final RecordingPort.Frame icmp = only(left);
        assertEquals(TestFrames.MAC_A, mac(icmp, 0));
        assertEquals(LEFT_MAC, mac(icmp, 6));
        assertEquals(0x0800, u16(icmp, 12));
        assertEquals(0xFFFF, TestChecksums.fold(TestChecksums.sum(buffer(icmp), 14, 20, 0)), "IPv4 header checksum");
        assertEquals(1, icmp.bytes()[23]);
        assertEquals(ip(10, 0, 0, 1), i32(icmp, 26), "from the ingress port's address");
        assertEquals(ip(192, 0, 2, 1), i32(icmp, 30));
        assertEquals(11, icmp.bytes()[34]);
        assertEquals(0xFFFF, TestChecksums.fold(TestChecksums.sum(buffer(icmp), 34, icmp.bytes().length - 34, 0)));
        assertEquals(14 + 20 + 8 + 28, icmp.bytes().length, "the dropped header + 8 bytes quoted");
        assertEquals(ip(192, 0, 2, 2), i32(icmp, 42 + 16));

        final int length6 = udp6(LEFT_MAC, LEFT_HI, 2, RIGHT_HI, 2, 1);
        assertEquals(PortDropReason.TTL_EXCEEDED, router.ingress(0).onFrame(frame, 0, length6, metadata.set(0, 0, 0)));
        final RecordingPort.Frame icmp6 = only(left);
        assertEquals(TestFrames.MAC_A, mac(icmp6, 0));
        assertEquals(3, icmp6.bytes()[54]);
        assertEquals(2, i64(icmp6, 46), "to the source fd00::2");
        final int payload = u16(icmp6, 18);
        final long pseudo = TestChecksums.sum(buffer(icmp6), 22, 32, 0) + payload + 58;
        assertEquals(0xFFFF, TestChecksums.fold(TestChecksums.sum(buffer(icmp6), 54, payload, pseudo)), "ICMPv6 sum");

        // an ICMP error about an ICMP error is never sent
        final int errorLength = 14 + 20 + 8 + 28;
        frame.putBytes(0, buffer(icmp), 0, errorLength);
        EthernetHeader.putMac(frame, 0, LEFT_MAC);
        frame.putInt(30, ip(192, 0, 2, 2), BIG_ENDIAN);
        frame.putByte(22, (byte)1);
        assertEquals(PortDropReason.TTL_EXCEEDED, router.ingress(0).onFrame(frame, 0, errorLength, metadata.set(0,
            0, 0)));
        assertEquals(0, right.frames.size() + left.frames.size());
        assertEquals(3, router.drops(PortDropReason.TTL_EXCEEDED));
        assertEquals(3, router.counters(0).rxDrops(PortDropReason.TTL_EXCEEDED));
        assertEquals(2, router.icmpErrorsSent());
        assertEquals(1, router.icmpErrorsUnsent());
        assertBalanced();
    }

    @Test
    void shouldTellItsIdleThreadWhenTheNextResolutionRetryIsDue()
    {
        assertEquals(Long.MAX_VALUE, router.nanosToNextDue(clock.nanoTime()), "nothing waits: no timer");
        router.ingress(0).onFrame(frame, 0, udp4ToRouter(10), metadata.set(0, 0, 0));
        assertEquals(1, router.pending());
        // retries are due within a tenth of the retransmit time (the scan), never later than the heartbeat sleep
        final long due = router.nanosToNextDue(clock.nanoTime());
        assertTrue(due <= SECOND / 10, "due in " + due + " ns");
        int scans = 0;
        while (router.requestsSent() < 2 && scans < 100)
        {
            clock.advance(Math.max(1, router.nanosToNextDue(clock.nanoTime())));
            router.doWork();
            scans++;
        }
        assertEquals(2, router.requestsSent(), "a thread sleeping exactly until each due time retries the ARP request");
        assertTrue(scans <= 11, "scans: " + scans);
    }

    @Test
    void shouldRetryResolutionThenDropWaitingFramesAsUnreachable()
    {
        for (int i = 0; i < 4; i++)
        {
            final int reason = router.ingress(0).onFrame(frame, 0, udp4ToRouter(10), metadata.set(0, 0, 0));
            assertEquals(i < 3 ? 0 : PortDropReason.NEIGHBOUR_QUEUE_FULL, reason, "frame " + i);
        }
        assertEquals(3, router.pending());
        assertEquals(1, router.requestsSent());
        for (int second = 1; second <= 3; second++)
        {
            clock.advance(SECOND / 2);
            router.doWork();
            assertEquals(second, router.requestsSent(), "no retry before the retransmit time");
            clock.advance(SECOND / 2);
            router.doWork();
        }
        assertEquals(3, router.requestsSent());
        assertEquals(0, router.pending());
        assertEquals(3, router.drops(PortDropReason.NEIGHBOUR_UNREACHABLE));
        assertEquals(1, router.drops(PortDropReason.NEIGHBOUR_QUEUE_FULL));
        assertEquals(3, right.frames.size(), "three ARP requests and nothing else");
        assertBalanced();

        // a later frame starts a new resolution
        router.ingress(0).onFrame(frame, 0, udp4ToRouter(10), metadata.set(0, 0, 0));
        assertEquals(4, router.requestsSent());
        assertEquals(1, router.pending());
        assertBalanced();
    }

    @Test
    void shouldReResolveANeighbourNotHeardFromForTheReachableTime()
    {
        resolveRight();
        clock.advance(31 * SECOND);
        router.doWork();
        router.ingress(0).onFrame(frame, 0, udp4ToRouter(10), metadata.set(0, 0, 0));
        assertEquals(1, router.pending());
        assertEquals(0x0806, u16(only(right), 12));
        assertBalanced();
    }

    @Test
    void shouldDropWhatMustNotBeRoutedWithReasons()
    {
        int length = udp4ToRouter(10);
        frame.putInt(30, ip(10, 0, 0, 1), BIG_ENDIAN);
        assertEquals(PortDropReason.TO_ROUTER, router.ingress(0).onFrame(frame, 0, length, metadata.set(0, 0, 0)));
        frame.putInt(30, ip(8, 8, 8, 8), BIG_ENDIAN);
        assertEquals(PortDropReason.NO_ROUTE, router.ingress(0).onFrame(frame, 0, length, metadata.set(0, 0, 0)));
        frame.putInt(30, ip(224, 0, 0, 5), BIG_ENDIAN);
        assertEquals(PortDropReason.NOT_ROUTABLE, router.ingress(0).onFrame(frame, 0, length, metadata.set(0, 0, 0)));
        length = udp4ToRouter(10);
        EthernetHeader.putMac(frame, 0, TestFrames.MAC_B);
        assertEquals(PortDropReason.NOT_OUR_MAC, router.ingress(0).onFrame(frame, 0, length, metadata.set(0, 0, 0)));
        length = TestFrames.tcp4(frame, 0, 5, 10, false);
        EthernetHeader.putMac(frame, 0, LEFT_MAC);
        assertEquals(PortDropReason.VLAN_TAGGING, router.ingress(0).onFrame(frame, 0, length, metadata.set(0, 0, 0)));
        assertEquals(PortDropReason.RUNT, router.ingress(0).onFrame(frame, 0, 13, metadata.set(0, 0, 0)));
        length = udp6(LEFT_MAC, LEFT_HI, 2, Ipv6Header.LINK_LOCAL_HI, 9, 64);
        assertEquals(PortDropReason.NOT_ROUTABLE, router.ingress(0).onFrame(frame, 0, length, metadata.set(0, 0, 0)));
        length = udp6(LEFT_MAC, LEFT_HI, 2, 0x2001_0db8_0000_0000L, 9, 64);
        assertEquals(PortDropReason.NO_ROUTE, router.ingress(0).onFrame(frame, 0, length, metadata.set(0, 0, 0)));
        length = udp4ToRouter(10);
        frame.putByte(14, (byte)0x35);
        assertEquals(PortDropReason.MALFORMED, router.ingress(0).onFrame(frame, 0, length, metadata.set(0, 0, 0)));
        assertEquals(0, left.frames.size() + right.frames.size());
        assertEquals(9, router.dropsTotal());
        assertBalanced();
    }

    @Test
    void shouldCompleteChecksumsForAPortWithoutOffloadAndPassThemToOneWithIt()
    {
        resolveRight();
        int length = TestFrames.tcp4(frame, 0, -1, 300, true);
        EthernetHeader.putMac(frame, 0, LEFT_MAC);
        router.ingress(0).onFrame(frame, 0, length, metadata.set(FrameFlags.CSUM_PARTIAL, 0, 0));
        RecordingPort.Frame out = only(right);
        assertEquals(FrameFlags.DATA_VALIDATED, out.flags());
        assertTrue(TestFrames.l4ChecksumOk(buffer(out), 0, out.bytes().length));
        assertEquals(1, router.edge().softwareChecksums());

        build(PortOffloads.ALL, 1500);
        resolveRight();
        length = TestFrames.tcp4(frame, 0, -1, 300, true);
        EthernetHeader.putMac(frame, 0, LEFT_MAC);
        router.ingress(0).onFrame(frame, 0, length, metadata.set(FrameFlags.CSUM_PARTIAL, 0, 0));
        out = only(right);
        assertEquals(FrameFlags.CSUM_PARTIAL, out.flags());
        assertEquals(63, out.bytes()[22] & 0xFF);
        assertEquals(0, router.edge().softwareChecksums());
        assertEquals(1, router.edge().passedThroughOffloads());
        assertBalanced();
    }

    @Test
    void shouldSplitATsoFrameOnlyForAPortThatCannot()
    {
        resolveRight();
        int length = TestFrames.tcp4(frame, 0, -1, 4000, true);
        EthernetHeader.putMac(frame, 0, LEFT_MAC);
        router.ingress(0).onFrame(frame, 0, length, metadata.set(FrameFlags.CSUM_PARTIAL, 1000, 1));
        assertEquals(4, right.frames.size());
        for (final RecordingPort.Frame segment : right.frames)
        {
            assertTrue(TestFrames.l4ChecksumOk(buffer(segment), 0, segment.bytes().length));
            assertEquals(63, segment.bytes()[22] & 0xFF);
            assertEquals(HOST_MAC, mac(segment, 0));
            assertEquals(0, segment.gsoSize());
        }
        assertEquals(1, router.edge().softwareSplits());
        assertEquals(1, router.forwarded());

        build(PortOffloads.ALL, 1500);
        resolveRight();
        length = TestFrames.tcp4(frame, 0, -1, 4000, true);
        EthernetHeader.putMac(frame, 0, LEFT_MAC);
        router.ingress(0).onFrame(frame, 0, length, metadata.set(FrameFlags.CSUM_PARTIAL, 1000, 1));
        assertEquals(1000, only(right).gsoSize());
        assertEquals(0, router.edge().softwareSplits());
        assertBalanced();
    }

    @Test
    void shouldCountEgressRefusalsOnTheEgressPort()
    {
        resolveRight();
        right.refuseWith = PortDropReason.WRITE_FAILED;
        router.ingress(0).onFrame(frame, 0, udp4ToRouter(10), metadata.set(0, 0, 0));
        assertEquals(1, router.egressDrops());
        assertEquals(1, router.counters(1).txDrops(PortDropReason.WRITE_FAILED));
        assertBalanced();
    }

    @Test
    void shouldNotAllocateWhenForwarding()
    {
        resolveRight();
        right.recording = false;
        final int length = udp4ToRouter(100);
        for (int i = 0; i < 20_000; i++)
        {
            router.ingress(0).onFrame(frame, 0, length, metadata.set(0, 0, 0));
        }
        final AllocationRounds run = new AllocationRounds().runUntilBelow(1024, () ->
        {
            for (int i = 0; i < 100_000; i++)
            {
                router.ingress(0).onFrame(frame, 0, length, metadata.set(0, 0, 0));
                router.doWork();
            }
        });
        assertTrue(run.lastAllocated < 1024, "allocated " + run.lastAllocated + " bytes for 100k frames");
        assertEquals(20_000 + run.rounds * 100_000L, router.forwarded());
        assertBalanced();
    }

    private void resolveRight()
    {
        arpReply(1, ip(10, 0, 1, 7), HOST_MAC, ip(10, 0, 1, 1), RIGHT_MAC);
        // unsolicited: not learned; learn it through a request that names the router instead
        arpRequest(1, HOST_MAC, ip(10, 0, 1, 7), ip(10, 0, 1, 1));
        right.frames.clear();
    }

    private void assertBalanced()
    {
        assertEquals(router.offered(), router.forwarded() + router.local() + router.dropsTotal() +
            router.egressDrops() + router.pending(), "offered = forwarded + local + drops + egress drops + pending");
    }

    private int udp4ToRouter(final int payload)
    {
        final int length = TestFrames.udp4(frame, 0, 5000, 7, payload, false);
        EthernetHeader.putMac(frame, 0, LEFT_MAC);
        return length;
    }

    private void forwardRaw4(final int in, final int destination)
    {
        final int length = TestFrames.udp4(frame, 0, 5000, 7, 10, false);
        EthernetHeader.putMac(frame, 0, router.portMac(in));
        frame.putInt(30, destination, BIG_ENDIAN);
        router.ingress(in).onFrame(frame, 0, length, metadata.set(0, 0, 0));
    }

    private void arpRequest(final int in, final long mac, final int senderIp, final int targetIp)
    {
        final int length = NeighbourMessages.arpRequest(frame, mac, senderIp, targetIp);
        assertEquals(0, router.ingress(in).onFrame(frame, 0, length, metadata.set(0, 0, 0)));
    }

    private void arpReply(final int in, final int senderIp, final long senderMac, final int targetIp, final long targetMac)
    {
        final int length = NeighbourMessages.arpReply(frame, senderMac, senderIp, targetMac, targetIp);
        assertEquals(0, router.ingress(in).onFrame(frame, 0, length, metadata.set(0, 0, 0)));
    }

    private void neighbourSolicitation(
        final int in, final long mac, final long sourceHi, final long sourceLo, final long targetHi, final long targetLo)
    {
        final int length = NeighbourMessages.neighbourSolicitation(frame, mac, sourceHi, sourceLo, targetHi, targetLo);
        assertEquals(0, router.ingress(in).onFrame(frame, 0, length, metadata.set(0, 0, 0)));
    }

    private void neighbourAdvertisement(final int in, final long mac, final long targetHi, final long targetLo)
    {
        final int length = NeighbourMessages.neighbourAdvertisement(frame, mac, router.portMac(in), targetHi, targetLo,
            targetHi, 1, targetHi, targetLo, NeighbourDiscovery.FLAG_SOLICITED | NeighbourDiscovery.FLAG_OVERRIDE);
        assertEquals(0, router.ingress(in).onFrame(frame, 0, length, metadata.set(0, 0, 0)));
    }

    /** UDP/IPv6 with a valid checksum, to {@code destinationMac}; @return its length. */
    private int udp6(
        final long destinationMac, final long sourceHi, final long sourceLo, final long destinationHi,
        final long destinationLo, final int hopLimit)
    {
        TestFrames.ethernet(frame, 0, destinationMac, TestFrames.MAC_A, -1, 0x86DD);
        frame.putInt(14, 0x6000_0000, BIG_ENDIAN);
        frame.putShort(18, (short)(8 + 32), BIG_ENDIAN);
        frame.putByte(20, (byte)17);
        frame.putByte(21, (byte)hopLimit);
        frame.putLong(22, sourceHi, BIG_ENDIAN);
        frame.putLong(30, sourceLo, BIG_ENDIAN);
        frame.putLong(38, destinationHi, BIG_ENDIAN);
        frame.putLong(46, destinationLo, BIG_ENDIAN);
        frame.putShort(54, (short)5000, BIG_ENDIAN);
        frame.putShort(56, (short)7, BIG_ENDIAN);
        frame.putShort(58, (short)40, BIG_ENDIAN);
        frame.putShort(60, (short)0);
        for (int i = 0; i < 32; i++)
        {
            frame.putByte(62 + i, (byte)i);
        }
        final long pseudo = TestChecksums.sum(frame, 22, 32, 0) + 17 + 40;
        frame.putShort(60, (short)~TestChecksums.fold(TestChecksums.sum(frame, 54, 40, pseudo)), BIG_ENDIAN);
        return 94;
    }

    private static void assertNdpValid(final RecordingPort.Frame ndp, final int type)
    {
        assertEquals(0x86DD, u16(ndp, 12));
        assertEquals(255, ndp.bytes()[21] & 0xFF, "hop limit");
        assertEquals(type, ndp.bytes()[54] & 0xFF);
        final DirectBuffer buffer = buffer(ndp);
        final int payload = u16(ndp, 18);
        final long pseudo = TestChecksums.sum(buffer, 22, 32, 0) + payload + 58;
        assertEquals(0xFFFF, TestChecksums.fold(TestChecksums.sum(buffer, 54, payload, pseudo)), "ICMPv6 checksum");
    }

    private static RecordingPort.Frame only(final RecordingPort port)
    {
        assertEquals(1, port.frames.size(), port.name() + " frames");
        return port.frames.remove(0);
    }

    private static DirectBuffer buffer(final RecordingPort.Frame frame)
    {
        return new UnsafeBuffer(frame.bytes());
    }

    private static long mac(final RecordingPort.Frame frame, final int offset)
    {
        return EthernetHeader.mac(buffer(frame), offset);
    }

    private static int u16(final RecordingPort.Frame frame, final int offset)
    {
        return buffer(frame).getShort(offset, BIG_ENDIAN) & 0xFFFF;
    }

    private static int i32(final RecordingPort.Frame frame, final int offset)
    {
        return buffer(frame).getInt(offset, BIG_ENDIAN);
    }

    private static long i64(final RecordingPort.Frame frame, final int offset)
    {
        return buffer(frame).getLong(offset, BIG_ENDIAN);
    }
}
