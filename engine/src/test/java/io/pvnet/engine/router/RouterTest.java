package io.pvnet.engine.router;

import io.pvnet.engine.FrameFlags;
import io.pvnet.engine.bridge.ChecksumEgressOffload;
import io.pvnet.engine.guest.GuestStack;
import io.pvnet.engine.port.Port;
import io.pvnet.engine.port.PortDropReason;
import io.pvnet.engine.port.PortOffloads;
import io.pvnet.engine.port.TestFrames;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

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
    private static final long LEFT_MAC = 0x02_70_76_00_00_01L;
    private static final long RIGHT_MAC = 0x02_70_76_00_00_02L;
    private static final long HOST_MAC = 0x02_00_00_00_00_AAL;
    private static final long LEFT_HI = 0xFD00_0000_0000_0000L;
    private static final long RIGHT_HI = 0xFD00_0000_0000_0001L;
    private static final long SECOND = 1_000_000_000L;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(70_000));
    private Router router;
    private Recorder left;
    private Recorder right;

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
        router = new Router(RouterConfig.defaults(new ChecksumEgressOffload()).withClock(clock));
        left = new Recorder("left", PortOffloads.NONE, 1500);
        right = new Recorder("right", rightOffloads, rightMtu);
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
        assertEquals(0, router.ingress(0).onFrame(frame, 0, length, 0, 0, 0));
        assertEquals(1, router.pending());
        final Recorder.Frame request = right.only();
        assertEquals(TestFrames.BROADCAST, request.mac(0));
        assertEquals(0x0806, request.u16(12));
        assertEquals(1, request.u16(20));
        assertEquals(RIGHT_MAC, request.mac(22));
        assertEquals(ip(10, 0, 1, 1), request.i32(28));
        assertEquals(ip(10, 0, 1, 7), request.i32(38), "asks for the gateway, not the destination");

        arpReply(1, ip(10, 0, 1, 7), HOST_MAC, ip(10, 0, 1, 1), RIGHT_MAC);
        final Recorder.Frame out = right.only();
        assertEquals(HOST_MAC, out.mac(0));
        assertEquals(RIGHT_MAC, out.mac(6));
        assertEquals(63, out.bytes[22] & 0xFF);
        assertEquals(0xFFFF, GuestStack.fold(GuestStack.sum(out.buffer(), 14, 20, 0)), "IPv4 header checksum");
        assertTrue(TestFrames.l4ChecksumOk(out.buffer(), 0, out.bytes.length));
        assertEquals(1, router.forwarded());
        assertEquals(0, router.pending());

        // resolved now: the next frame goes straight out
        router.ingress(0).onFrame(frame, 0, udp4ToRouter(100), 0, 0, 0);
        assertEquals(HOST_MAC, right.only().mac(0));
        assertEquals(2, router.forwarded());
        assertBalanced();
    }

    @Test
    void shouldAnswerArpForItsOwnAddressAndAsAProxyForRoutedAddressesOnly()
    {
        arpRequest(0, TestFrames.MAC_A, ip(10, 0, 0, 2), ip(10, 0, 0, 1));
        Recorder.Frame reply = left.only();
        assertEquals(TestFrames.MAC_A, reply.mac(0));
        assertEquals(2, reply.u16(20));
        assertEquals(LEFT_MAC, reply.mac(22));
        assertEquals(ip(10, 0, 0, 1), reply.i32(28));
        assertEquals(ip(10, 0, 0, 2), reply.i32(38));

        arpRequest(0, TestFrames.MAC_A, ip(10, 0, 0, 2), ip(10, 0, 1, 99));
        reply = left.only();
        assertEquals(LEFT_MAC, reply.mac(22), "proxy: an address routed out of the other port");
        assertEquals(ip(10, 0, 1, 99), reply.i32(28));

        arpRequest(0, TestFrames.MAC_A, ip(10, 0, 0, 2), ip(10, 0, 0, 5));
        arpRequest(0, TestFrames.MAC_A, ip(10, 0, 0, 2), ip(8, 8, 8, 8));
        arpRequest(0, TestFrames.MAC_A, ip(10, 0, 0, 2), ip(10, 0, 0, 2));
        assertEquals(0, left.frames.size(), "no answer for the port's own link, unrouted or gratuitous ARP");
        assertEquals(2, router.repliesSent());
        assertEquals(5, router.local());
        // the requester was learned: a frame to it needs no resolution
        router.route4(ip(198, 51, 100, 0), 24, 0, ip(10, 0, 0, 2));
        forwardRaw4(1, ip(198, 51, 100, 9));
        assertEquals(TestFrames.MAC_A, left.only().mac(0));
        assertBalanced();
    }

    @Test
    void shouldAnswerNeighbourSolicitationsForItsOwnAndProxiedAddresses()
    {
        neighbourSolicitation(0, TestFrames.MAC_A, LEFT_HI, 2, LEFT_HI, 1);
        Recorder.Frame advert = left.only();
        assertNdpValid(advert, 136);
        assertEquals(TestFrames.MAC_A, advert.mac(0));
        assertEquals(LEFT_HI, advert.i64(22));
        assertEquals(1, advert.i64(30));
        assertEquals(2, advert.i64(46), "to the solicitor");
        assertEquals(0xE000_0000, advert.i32(58), "router, solicited, override");
        assertEquals(LEFT_MAC, advert.mac(80));

        neighbourSolicitation(0, TestFrames.MAC_A, LEFT_HI, 2, RIGHT_HI, 0x42);
        advert = left.only();
        assertNdpValid(advert, 136);
        assertEquals(0xC000_0000, advert.i32(58), "a proxy does not override");
        assertEquals(RIGHT_HI, advert.i64(62));
        assertEquals(0x42, advert.i64(70));
        assertEquals(NeighbourMessages.LINK_LOCAL_HI, advert.i64(22));
        assertEquals(LEFT_MAC, advert.mac(80));

        neighbourSolicitation(0, TestFrames.MAC_A, LEFT_HI, 2, LEFT_HI, 5);
        assertEquals(0, left.frames.size(), "no answer for another host on the port's own link");
        assertEquals(3, router.local());
        assertBalanced();
    }

    @Test
    void shouldResolveIpv6NextHopsByNeighbourSolicitationAndDecrementTheHopLimit()
    {
        final int length = udp6(RIGHT_MAC, RIGHT_HI, 2, LEFT_HI, 2, 64);
        assertEquals(0, router.ingress(1).onFrame(frame, 0, length, 0, 0, 0));
        assertEquals(PortDropReason.NOT_OUR_MAC, router.ingress(0).onFrame(frame, 0, length, 0, 0, 0));
        // from the right port, to the left host fd00::2
        final Recorder.Frame solicitation = left.only();
        assertNdpValid(solicitation, 135);
        assertEquals(0x3333_FF00_0002L, solicitation.mac(0));
        assertEquals(LEFT_HI, solicitation.i64(22));
        assertEquals(1, solicitation.i64(30), "from the port's address");
        assertEquals(0xFF02_0000_0000_0000L, solicitation.i64(38));
        assertEquals(0x0000_0001_FF00_0002L, solicitation.i64(46));
        assertEquals(2, solicitation.i64(70));
        assertEquals(LEFT_MAC, solicitation.mac(80));

        neighbourAdvertisement(0, TestFrames.MAC_A, LEFT_HI, 2);
        final Recorder.Frame out = left.only();
        assertEquals(TestFrames.MAC_A, out.mac(0));
        assertEquals(LEFT_MAC, out.mac(6));
        assertEquals(63, out.bytes[21] & 0xFF);
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
        assertEquals(0, router.ingress(0).onFrame(shifted, 9, length, 0, 0, 0));
        final Recorder.Frame advert = left.only();
        assertNdpValid(advert, 136);
        assertEquals(TestFrames.MAC_A, advert.mac(0), "the source link-layer option read at the frame's offset");

        length = NeighbourMessages.arpRequest(frame, HOST_MAC, ip(10, 0, 1, 7), ip(10, 0, 1, 1));
        shifted.putBytes(9, frame, 0, length);
        assertEquals(0, router.ingress(1).onFrame(shifted, 9, length, 0, 0, 0));
        assertEquals(ip(10, 0, 1, 7), right.only().i32(38));

        length = udp4ToRouter(50);
        shifted.putBytes(9, frame, 0, length);
        assertEquals(0, router.ingress(0).onFrame(shifted, 9, length, 0, 0, 0));
        final Recorder.Frame out = right.only();
        assertEquals(HOST_MAC, out.mac(0));
        assertEquals(63, out.bytes[22] & 0xFF);
        assertTrue(TestFrames.l4ChecksumOk(out.buffer(), 0, out.bytes.length));

        length = udp6(LEFT_MAC, LEFT_HI, 2, RIGHT_HI, 2, 64);
        shifted.putBytes(9, frame, 0, length);
        assertEquals(0, router.ingress(0).onFrame(shifted, 9, length, 0, 0, 0));
        assertEquals(RIGHT_HI, right.only().i64(62), "a solicitation for the IPv6 destination");
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
        assertEquals(PortDropReason.TTL_EXCEEDED, router.ingress(0).onFrame(frame, 0, length, 0, 0, 0));
        final Recorder.Frame icmp = left.only();
        assertEquals(TestFrames.MAC_A, icmp.mac(0));
        assertEquals(LEFT_MAC, icmp.mac(6));
        assertEquals(0x0800, icmp.u16(12));
        assertEquals(0xFFFF, GuestStack.fold(GuestStack.sum(icmp.buffer(), 14, 20, 0)), "IPv4 header checksum");
        assertEquals(1, icmp.bytes[23]);
        assertEquals(ip(10, 0, 0, 1), icmp.i32(26), "from the ingress port's address");
        assertEquals(ip(192, 0, 2, 1), icmp.i32(30));
        assertEquals(11, icmp.bytes[34]);
        assertEquals(0xFFFF, GuestStack.fold(GuestStack.sum(icmp.buffer(), 34, icmp.bytes.length - 34, 0)));
        assertEquals(14 + 20 + 8 + 28, icmp.bytes.length, "the dropped header + 8 bytes quoted");
        assertEquals(ip(192, 0, 2, 2), icmp.i32(42 + 16));

        final int length6 = udp6(LEFT_MAC, LEFT_HI, 2, RIGHT_HI, 2, 1);
        assertEquals(PortDropReason.TTL_EXCEEDED, router.ingress(0).onFrame(frame, 0, length6, 0, 0, 0));
        final Recorder.Frame icmp6 = left.only();
        assertEquals(TestFrames.MAC_A, icmp6.mac(0));
        assertEquals(3, icmp6.bytes[54]);
        assertEquals(2, icmp6.i64(46), "to the source fd00::2");
        final int payload = icmp6.u16(18);
        final long pseudo = GuestStack.sum(icmp6.buffer(), 22, 32, 0) + payload + 58;
        assertEquals(0xFFFF, GuestStack.fold(GuestStack.sum(icmp6.buffer(), 54, payload, pseudo)), "ICMPv6 sum");

        // an ICMP error about an ICMP error is never sent
        final int errorLength = 14 + 20 + 8 + 28;
        frame.putBytes(0, icmp.buffer(), 0, errorLength);
        NeighbourMessages.putMac(frame, 0, LEFT_MAC);
        frame.putInt(30, ip(192, 0, 2, 2), BIG_ENDIAN);
        frame.putByte(22, (byte)1);
        assertEquals(PortDropReason.TTL_EXCEEDED, router.ingress(0).onFrame(frame, 0, errorLength, 0, 0, 0));
        assertEquals(0, right.frames.size() + left.frames.size());
        assertEquals(3, router.drops(PortDropReason.TTL_EXCEEDED));
        assertEquals(3, router.counters(0).rxDrops(PortDropReason.TTL_EXCEEDED));
        assertEquals(2, router.icmpErrorsSent());
        assertEquals(1, router.icmpErrorsUnsent());
        assertBalanced();
    }

    @Test
    void shouldRetryResolutionThenDropWaitingFramesAsUnreachable()
    {
        for (int i = 0; i < 4; i++)
        {
            final int reason = router.ingress(0).onFrame(frame, 0, udp4ToRouter(10), 0, 0, 0);
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
        router.ingress(0).onFrame(frame, 0, udp4ToRouter(10), 0, 0, 0);
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
        router.ingress(0).onFrame(frame, 0, udp4ToRouter(10), 0, 0, 0);
        assertEquals(1, router.pending());
        assertEquals(0x0806, right.only().u16(12));
        assertBalanced();
    }

    @Test
    void shouldDropWhatMustNotBeRoutedWithReasons()
    {
        int length = udp4ToRouter(10);
        frame.putInt(30, ip(10, 0, 0, 1), BIG_ENDIAN);
        assertEquals(PortDropReason.TO_ROUTER, router.ingress(0).onFrame(frame, 0, length, 0, 0, 0));
        frame.putInt(30, ip(8, 8, 8, 8), BIG_ENDIAN);
        assertEquals(PortDropReason.NO_ROUTE, router.ingress(0).onFrame(frame, 0, length, 0, 0, 0));
        frame.putInt(30, ip(224, 0, 0, 5), BIG_ENDIAN);
        assertEquals(PortDropReason.NOT_ROUTABLE, router.ingress(0).onFrame(frame, 0, length, 0, 0, 0));
        length = udp4ToRouter(10);
        NeighbourMessages.putMac(frame, 0, TestFrames.MAC_B);
        assertEquals(PortDropReason.NOT_OUR_MAC, router.ingress(0).onFrame(frame, 0, length, 0, 0, 0));
        length = TestFrames.tcp4(frame, 0, 5, 10, false);
        NeighbourMessages.putMac(frame, 0, LEFT_MAC);
        assertEquals(PortDropReason.VLAN_TAGGING, router.ingress(0).onFrame(frame, 0, length, 0, 0, 0));
        assertEquals(PortDropReason.RUNT, router.ingress(0).onFrame(frame, 0, 13, 0, 0, 0));
        length = udp6(LEFT_MAC, LEFT_HI, 2, NeighbourMessages.LINK_LOCAL_HI, 9, 64);
        assertEquals(PortDropReason.NOT_ROUTABLE, router.ingress(0).onFrame(frame, 0, length, 0, 0, 0));
        length = udp6(LEFT_MAC, LEFT_HI, 2, 0x2001_0db8_0000_0000L, 9, 64);
        assertEquals(PortDropReason.NO_ROUTE, router.ingress(0).onFrame(frame, 0, length, 0, 0, 0));
        length = udp4ToRouter(10);
        frame.putByte(14, (byte)0x35);
        assertEquals(PortDropReason.MALFORMED, router.ingress(0).onFrame(frame, 0, length, 0, 0, 0));
        assertEquals(0, left.frames.size() + right.frames.size());
        assertEquals(9, router.dropsTotal());
        assertBalanced();
    }

    @Test
    void shouldCompleteChecksumsForAPortWithoutOffloadAndPassThemToOneWithIt()
    {
        resolveRight();
        int length = TestFrames.tcp4(frame, 0, -1, 300, true);
        NeighbourMessages.putMac(frame, 0, LEFT_MAC);
        router.ingress(0).onFrame(frame, 0, length, FrameFlags.CSUM_PARTIAL, 0, 0);
        Recorder.Frame out = right.only();
        assertEquals(FrameFlags.DATA_VALIDATED, out.flags);
        assertTrue(TestFrames.l4ChecksumOk(out.buffer(), 0, out.bytes.length));
        assertEquals(1, router.edge().softwareChecksums());

        build(PortOffloads.ALL, 1500);
        resolveRight();
        length = TestFrames.tcp4(frame, 0, -1, 300, true);
        NeighbourMessages.putMac(frame, 0, LEFT_MAC);
        router.ingress(0).onFrame(frame, 0, length, FrameFlags.CSUM_PARTIAL, 0, 0);
        out = right.only();
        assertEquals(FrameFlags.CSUM_PARTIAL, out.flags);
        assertEquals(63, out.bytes[22] & 0xFF);
        assertEquals(0, router.edge().softwareChecksums());
        assertEquals(1, router.edge().passedThroughOffloads());
        assertBalanced();
    }

    @Test
    void shouldSplitATsoFrameOnlyForAPortThatCannot()
    {
        resolveRight();
        int length = TestFrames.tcp4(frame, 0, -1, 4000, true);
        NeighbourMessages.putMac(frame, 0, LEFT_MAC);
        router.ingress(0).onFrame(frame, 0, length, FrameFlags.CSUM_PARTIAL, 1000, 1);
        assertEquals(4, right.frames.size());
        for (final Recorder.Frame segment : right.frames)
        {
            assertTrue(TestFrames.l4ChecksumOk(segment.buffer(), 0, segment.bytes.length));
            assertEquals(63, segment.bytes[22] & 0xFF);
            assertEquals(HOST_MAC, segment.mac(0));
            assertEquals(0, segment.gsoSize);
        }
        assertEquals(1, router.edge().softwareSplits());
        assertEquals(1, router.forwarded());

        build(PortOffloads.ALL, 1500);
        resolveRight();
        length = TestFrames.tcp4(frame, 0, -1, 4000, true);
        NeighbourMessages.putMac(frame, 0, LEFT_MAC);
        router.ingress(0).onFrame(frame, 0, length, FrameFlags.CSUM_PARTIAL, 1000, 1);
        assertEquals(1000, right.only().gsoSize);
        assertEquals(0, router.edge().softwareSplits());
        assertBalanced();
    }

    @Test
    void shouldCountEgressRefusalsOnTheEgressPort()
    {
        resolveRight();
        right.refuseWith = PortDropReason.WRITE_FAILED;
        router.ingress(0).onFrame(frame, 0, udp4ToRouter(10), 0, 0, 0);
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
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++)
        {
            router.ingress(0).onFrame(frame, 0, length, 0, 0, 0);
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++)
        {
            router.ingress(0).onFrame(frame, 0, length, 0, 0, 0);
            router.doWork();
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes for 100k frames");
        assertEquals(120_000, router.forwarded());
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
        NeighbourMessages.putMac(frame, 0, LEFT_MAC);
        return length;
    }

    private void forwardRaw4(final int in, final int destination)
    {
        final int length = TestFrames.udp4(frame, 0, 5000, 7, 10, false);
        NeighbourMessages.putMac(frame, 0, router.portMac(in));
        frame.putInt(30, destination, BIG_ENDIAN);
        router.ingress(in).onFrame(frame, 0, length, 0, 0, 0);
    }

    private void arpRequest(final int in, final long mac, final int senderIp, final int targetIp)
    {
        final int length = NeighbourMessages.arpRequest(frame, mac, senderIp, targetIp);
        assertEquals(0, router.ingress(in).onFrame(frame, 0, length, 0, 0, 0));
    }

    private void arpReply(final int in, final int senderIp, final long senderMac, final int targetIp, final long targetMac)
    {
        final int length = NeighbourMessages.arpReply(frame, senderMac, senderIp, targetMac, targetIp);
        assertEquals(0, router.ingress(in).onFrame(frame, 0, length, 0, 0, 0));
    }

    private void neighbourSolicitation(
        final int in, final long mac, final long sourceHi, final long sourceLo, final long targetHi, final long targetLo)
    {
        final int length = NeighbourMessages.neighbourSolicitation(frame, mac, sourceHi, sourceLo, targetHi, targetLo);
        assertEquals(0, router.ingress(in).onFrame(frame, 0, length, 0, 0, 0));
    }

    private void neighbourAdvertisement(final int in, final long mac, final long targetHi, final long targetLo)
    {
        final int length = NeighbourMessages.neighbourAdvertisement(frame, mac, router.portMac(in), targetHi, targetLo,
            targetHi, 1, targetHi, targetLo, NeighbourMessages.NA_SOLICITED | NeighbourMessages.NA_OVERRIDE);
        assertEquals(0, router.ingress(in).onFrame(frame, 0, length, 0, 0, 0));
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
        final long pseudo = GuestStack.sum(frame, 22, 32, 0) + 17 + 40;
        frame.putShort(60, (short)~GuestStack.fold(GuestStack.sum(frame, 54, 40, pseudo)), BIG_ENDIAN);
        return 94;
    }

    private static void assertNdpValid(final Recorder.Frame ndp, final int type)
    {
        assertEquals(0x86DD, ndp.u16(12));
        assertEquals(255, ndp.bytes[21] & 0xFF, "hop limit");
        assertEquals(type, ndp.bytes[54] & 0xFF);
        final DirectBuffer buffer = ndp.buffer();
        final int payload = ndp.u16(18);
        final long pseudo = GuestStack.sum(buffer, 22, 32, 0) + payload + 58;
        assertEquals(0xFFFF, GuestStack.fold(GuestStack.sum(buffer, 54, payload, pseudo)), "ICMPv6 checksum");
    }

    /** A port that keeps a copy of every frame (test code). */
    static final class Recorder implements Port
    {
        record Frame(byte[] bytes, int flags, int gsoSize)
        {
            DirectBuffer buffer()
            {
                return new UnsafeBuffer(bytes);
            }

            long mac(final int offset)
            {
                return NeighbourMessages.mac(buffer(), offset);
            }

            int u16(final int offset)
            {
                return buffer().getShort(offset, BIG_ENDIAN) & 0xFFFF;
            }

            int i32(final int offset)
            {
                return buffer().getInt(offset, BIG_ENDIAN);
            }

            long i64(final int offset)
            {
                return buffer().getLong(offset, BIG_ENDIAN);
            }
        }

        final String name;
        final int offloads;
        final int mtu;
        final List<Frame> frames = new ArrayList<>();
        boolean recording = true;
        int refuseWith;

        Recorder(final String name, final int offloads, final int mtu)
        {
            this.name = name;
            this.offloads = offloads;
            this.mtu = mtu;
        }

        Frame only()
        {
            assertEquals(1, frames.size(), name + " frames");
            return frames.remove(0);
        }

        @Override
        public String name()
        {
            return name;
        }

        @Override
        public int offloads()
        {
            return offloads;
        }

        @Override
        public int mtu()
        {
            return mtu;
        }

        @Override
        public int onFrame(
            final DirectBuffer buffer, final int offset, final int length, final int flags, final int gsoSize,
            final int gsoType)
        {
            if (refuseWith != 0)
            {
                return refuseWith;
            }
            if (recording)
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                frames.add(new Frame(bytes, flags, gsoSize));
            }
            return 0;
        }
    }
}
