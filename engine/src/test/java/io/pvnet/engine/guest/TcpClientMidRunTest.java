package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.IpProtocol;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.TcpHeader;
import io.pvnet.engine.frame.FrameHandler;
import io.pvnet.engine.frame.FrameMetadata;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * gen's TCP in the middle of a run ({@link TcpClient}) against the guest's discard and chargen servers through a
 * bridge, with a test path in front of the servers that loses or rewrites one chosen segment: a lost segment is sent
 * again and counted apart from the new data (iperf3's Retr: the path sees exactly sent + retransmitted data frames), and
 * a connection the server resets mid-run ends at once, told to the listener, while the other flow goes on.
 */
class TcpClientMidRunTest
{
    private TcpClientFixture guests;
    private GuestStack server;
    private TrafficGenerator generator;
    private final Path path = new Path();
    private final Resets resets = new Resets();

    @BeforeEach
    void setUp()
    {
        guests = new TcpClientFixture(toClient ->
        {
            path.toClient = toClient;
            return (buffer, offset, length, metadata) ->
            {
                final int status = toClient.onFrame(buffer, offset, length, metadata);
                path.countFromServer(buffer, offset, status);
                return status;
            };
        }, stack ->
        {
            path.next = stack;
            return path;
        });
        server = guests.server;
        generator = guests.generator;
    }

    @AfterEach
    void tearDown()
    {
        guests.close();
    }

    private TrafficReport run(final DatagramSpec.Direction direction, final int flows, final long count,
        final long durationNs)
    {
        return generator.tcp(new TcpSpec(GuestStack.DISCARD_PORT, TcpChargenServer.PORT, 1400, false, flows, count,
            durationNs, 0, direction, 0), resets);
    }

    @Test
    void shouldCountTheSegmentsSentAgainApartFromTheNewData()
    {
        path.loseDataSegment = 100; // the 100th data segment to the discard server, once
        final TrafficReport tcp = run(DatagramSpec.Direction.FORWARD, 1, 300, 10_000_000_000L);
        assertTrue(tcp.ok(), tcp.failure());
        assertTrue(tcp.closed(), tcp.toString());
        final GenCounters counters = tcp.counters();
        assertEquals(300, counters.sentFrames(0), "new data only: each of the 300 segments once");
        assertEquals(300 * 1400L, counters.sentPayloadBytes(0));
        assertTrue(counters.retransmittedFrames(0) >= 1, "the lost one went again: " + counters.retransmittedFrames(0));
        assertEquals(1400 * counters.retransmittedFrames(0), counters.retransmittedPayloadBytes(0),
            "each resend a whole segment (from a segment boundary)");
        assertEquals(counters.sentFrames(0) + counters.retransmittedFrames(0), path.dataSegments,
            "every data frame on the path is counted once, as sent or as retransmitted");
        assertEquals(counters.sentFrameBytes(0) + counters.retransmittedFrameBytes(0), path.dataFrameBytes);
        assertEquals(300 * 1400L, tcp.answeredPayloadBytes());
        assertEquals(300 * 1400L, server.tcpPayloadBytes(), "the server took each byte once, in order");
        assertTrue(counters.retransmitRounds(0) >= 1);
        assertEquals(0, tcp.peerResets());
    }

    @Test
    void shouldResendExactlyTheOneSegmentLostOnTheThirdDuplicateAck()
    {
        path.loseDataSegment = 100; // the 100th data segment to the discard server, once: more follow it in flight
        final TrafficReport tcp = run(DatagramSpec.Direction.FORWARD, 1, 300, 10_000_000_000L);
        assertTrue(tcp.ok(), tcp.failure());
        assertTrue(tcp.closed(), tcp.toString());
        final GenCounters counters = tcp.counters();
        assertEquals(1, counters.retransmittedFrames(0), "one loss, one resend (fast retransmit), not a window");
        assertEquals(1, counters.retransmitRounds(0), "one recovery");
        assertEquals(301, path.dataSegments, "the path saw each segment once and the lost one twice");
        assertEquals(300 * 1400L, server.tcpPayloadBytes(), "the server took each byte once, in order");
        assertTrue(counters.congestionWindow(0) > 0, "the congestion window as of the last ACK");
    }

    @Test
    void shouldShowOneSegmentAsTheCongestionWindowAfterATimeoutThatNoAckFollows()
    {
        path.loseFromDataSegment = 100; // the path goes down: no ACK after the timeouts
        final TrafficReport tcp = run(DatagramSpec.Direction.FORWARD, 1, 300, 1_000_000_000L);
        final GenCounters counters = tcp.counters();
        assertTrue(counters.retransmitRounds(0) >= 1, tcp.toString());
        assertEquals(1440, counters.congestionWindow(0), "1 MSS (the server's) since the timeout, not the last ACK's");
    }

    @Test
    void shouldNeverCountMoreAcknowledgedThanSentAfterAWarmUpWithLosses()
    {
        // bytes the warm-up sent (up to its highest, also beyond a go-back) and the measured run acknowledges are the
        // warm-up's: what the measured run acknowledges it sent itself, as new data (main's counted warm-up bytes
        // resent after a go-back at its end as sent and acknowledged)
        path.loseEvery = 97;
        final TrafficReport tcp = generator.tcp(new TcpSpec(GuestStack.DISCARD_PORT, TcpChargenServer.PORT, 1400, false,
            1, 0, 400_000_000L, 0, DatagramSpec.Direction.FORWARD, 0, 300_000_000L), resets);
        assertTrue(tcp.closed(), tcp.toString());
        final GenCounters counters = tcp.counters();
        assertTrue(counters.retransmittedFrames(0) > 0, "losses resent in the measured run");
        assertTrue(counters.answeredPayloadBytes(0) <= counters.sentPayloadBytes(0),
            counters.answeredPayloadBytes(0) + " acknowledged of " + counters.sentPayloadBytes(0) + " sent");
        assertEquals(0, tcp.unacknowledged());
    }

    @Test
    void shouldAllocateNothingPerSegmentWhileLosingAndResending()
    {
        // this thread runs gen and both servers: what a run of 20,000 segments, a loss in every 500 (fast retransmits,
        // timer samples and restarts, resends counted apart), allocates is per run (its report, counters), not per segment
        path.loseEvery = 500;
        final long[] retransmitted = new long[1];
        final io.pvnet.testsupport.AllocationRounds rounds = new io.pvnet.testsupport.AllocationRounds()
            .runUntilBelow(20_000, () ->
            {
                final TrafficReport tcp = generator.tcp(new TcpSpec(GuestStack.DISCARD_PORT, TcpChargenServer.PORT, 1400,
                    false, 1, 20_000, 20_000_000_000L, 0, DatagramSpec.Direction.FORWARD, 0), GenListener.NONE);
                assertTrue(tcp.closed(), tcp.toString());
                assertEquals(20_000, tcp.counters().sentFrames(0));
                retransmitted[0] = tcp.counters().retransmittedFrames(0);
            });
        assertTrue(rounds.lastAllocated < 20_000, rounds.lastAllocated + " bytes allocated by a run of 20,000 segments (" +
            rounds.rounds + " rounds)");
        assertTrue(retransmitted[0] >= 40, "the losses were resent: " + retransmitted[0]);
    }

    @Test
    void shouldEndASendingConnectionTheServerResetsAtOnceAndKeepTheOtherFlowRunning()
    {
        // the server takes flow 0's 20th data segment as a RST: it forgets the connection and answers what follows
        // with a RST of its own (RFC 9293: a segment for no connection)
        path.resetAtDataSegmentFromPort = TrafficGenerator.SOURCE_PORT;
        path.resetAtDataSegment = 20;
        final TrafficReport tcp = run(DatagramSpec.Direction.FORWARD, 2, 0, 1_000_000_000L);
        assertTrue(tcp.ok(), tcp.failure());
        assertEquals(1, resets.told.size(), "told once, as the RST came: " + resets.told);
        final Reset reset = resets.told.getFirst();
        assertEquals(0, reset.flow);
        assertTrue(reset.sending);
        assertTrue(reset.atNs < tcp.elapsedNs(), "in the run, not at its close: " + reset.atNs);
        assertTrue(reset.bytes >= 19 * 1400L, "the 19 segments before it were acknowledged: " + reset.bytes);
        assertTrue(reset.unacknowledged >= 1400, "the segment taken as a RST never was: " + reset.unacknowledged);
        assertEquals(1, tcp.peerResets());
        assertFalse(tcp.closed());
        assertTrue(tcp.unacknowledged() >= 1400, tcp.toString());
        final GenCounters counters = tcp.counters();
        assertEquals(reset.flowZeroFrames, counters.sentFrames(0) + counters.retransmittedFrames(0),
            "nothing more sent on the reset connection");
        assertEquals(reset.flowZeroAnswered, counters.answeredPayloadBytes(0), "nothing more taken on it");
        assertTrue(counters.answeredPayloadBytes(1) > reset.flowOneAnswered,
            "flow 1 went on: " + reset.flowOneAnswered + " -> " + counters.answeredPayloadBytes(1));
    }

    @Test
    void shouldAnswerARstOffTheReceivePointWithAChallengeAckAndRunOn()
    {
        // a blind RST (RFC 5961): in the window but not at gen's receive point, as a spoofer guessing would send; gen
        // answers with a challenge ACK (the server, which did not reset, ignores it) and the connection runs on
        path.spoofAtDataSegment = 20;
        final TrafficReport tcp = run(DatagramSpec.Direction.FORWARD, 1, 400, 10_000_000_000L);
        assertTrue(tcp.ok(), tcp.failure());
        assertEquals(1, path.spoofed, "the blind RST went to gen");
        assertEquals(1, path.challengeAcks, "one pure ACK at gen's receive point before its FIN: the challenge ACK");
        assertEquals(1, tcp.counters().challengeAcks());
        assertEquals(0, tcp.counters().resetsOutOfWindow());
        assertEquals(List.of(), resets.told);
        assertEquals(0, tcp.peerResets());
        assertTrue(tcp.closed(), tcp.toString());
        assertEquals(400 * 1400L, tcp.answeredPayloadBytes());
    }

    @Test
    void shouldDropARstOutsideTheWindowSilently()
    {
        // RFC 5961 3.2 rule 1: a RST a gigabyte past gen's receive point, beyond the 8 MiB window it offers
        path.spoofAtDataSegment = 20;
        path.spoofOffset = 1L << 30;
        final TrafficReport tcp = run(DatagramSpec.Direction.FORWARD, 1, 400, 10_000_000_000L);
        assertTrue(tcp.ok(), tcp.failure());
        assertEquals(1, path.spoofed);
        assertEquals(0, path.challengeAcks, "no answer to a RST outside the window");
        assertEquals(0, tcp.counters().challengeAcks());
        assertEquals(1, tcp.counters().resetsOutOfWindow(), "dropped, counted");
        assertEquals(List.of(), resets.told);
        assertTrue(tcp.closed(), tcp.toString());
        assertEquals(400 * 1400L, tcp.answeredPayloadBytes());
    }

    @Test
    void shouldLimitChallengeAcksPerConnection()
    {
        // a burst of in-window RSTs (RFC 5961 7): one challenge ACK for the connection, the rest counted and unanswered
        path.spoofAtDataSegment = 20;
        path.spoofCount = 5;
        final TrafficReport tcp = run(DatagramSpec.Direction.FORWARD, 1, 400, 10_000_000_000L);
        assertTrue(tcp.ok(), tcp.failure());
        assertEquals(5, path.spoofed);
        assertEquals(1, path.challengeAcks, "one challenge ACK on the wire");
        assertEquals(1, tcp.counters().challengeAcks());
        assertEquals(4, tcp.counters().challengeAcksLimited(), "the others within 500 ms of it: limited");
        assertEquals(List.of(), resets.told);
        assertTrue(tcp.closed(), tcp.toString());
    }

    @Test
    void shouldEndAReceivingConnectionTheChargenServerResetsAndKeepTheOtherFlowRunning()
    {
        // the chargen server takes a RST before flow 0's 5th acknowledgment and frees the connection; that ACK it
        // answers with a RST
        path.resetAtAckToChargenFromPort = TrafficGenerator.SOURCE_PORT;
        path.resetAtAckToChargen = 5;
        final TrafficReport tcp = run(DatagramSpec.Direction.REVERSE, 2, 0, 1_000_000_000L);
        assertTrue(tcp.ok(), tcp.failure());
        assertEquals(1, path.resetsFromChargen, "the chargen server's RST went out once (refused by a full ring: " +
            path.resetsFromChargenRefused + ")");
        assertEquals(1, resets.told.size(), resets.told.toString());
        final Reset reset = resets.told.getFirst();
        assertEquals(0, reset.flow);
        assertFalse(reset.sending);
        assertTrue(reset.bytes > 0, "data received in order before: " + reset.bytes);
        assertEquals(0, reset.unacknowledged);
        assertEquals(1, tcp.peerResets());
        assertTrue(tcp.counters().receivedPayloadBytes(1) > reset.flowOneReceived,
            "flow 1 went on: " + reset.flowOneReceived + " -> " + tcp.counters().receivedPayloadBytes(1));
        assertEquals(reset.flowZeroReceived, tcp.counters().receivedPayloadBytes(0), "nothing more taken on flow 0");
    }

    /** What {@link GenListener#onPeerReset} told, with the flows' counters at that moment. */
    private record Reset(int flow, boolean sending, long atNs, long bytes, long unacknowledged, long flowZeroFrames,
        long flowZeroAnswered, long flowOneAnswered, long flowZeroReceived, long flowOneReceived)
    {
    }

    private final class Resets implements GenListener
    {
        final List<Reset> told = new ArrayList<>();

        @Override
        public void onRoundTrip(final int flow, final long roundTripNs)
        {
        }

        @Override
        public void onInterval(final GenCounters counters, final long fromNs, final long toNs)
        {
        }

        @Override
        public void onPeerReset(
            final int flow, final boolean sending, final long atNs, final long bytes, final long unacknowledged)
        {
            final GenCounters counters = generator.counters;
            told.add(new Reset(flow, sending, atNs, bytes, unacknowledged,
                counters.sentFrames(0) + counters.retransmittedFrames(0), counters.answeredPayloadBytes(0),
                counters.answeredPayloadBytes(1), counters.receivedPayloadBytes(0), counters.receivedPayloadBytes(1)));
        }
    }

    /** In front of the servers: loses or rewrites one chosen segment of gen's, counts gen's data frames. */
    private static final class Path implements FrameHandler
    {
        FrameHandler next;
        io.pvnet.engine.frame.FrameSink toClient;
        long spoofAtDataSegment = -1;
        /** How far past gen's receive point the spoofed RSTs lie, and how many go back to back. */
        long spoofOffset = 5000;
        int spoofCount = 1;
        int spoofed;
        /** Gen's receive point when it was spoofed: the ACK number of its challenge ACK. */
        long spoofedAt = -1;
        /** Pure ACKs from gen to the discard server at {@link #spoofedAt} before gen's first FIN: challenge ACKs. */
        long challengeAcks;
        private boolean genFin;
        long loseDataSegment = -1;
        long loseEvery = -1;
        /** Every data segment from this one on is lost (the path went down). */
        long loseFromDataSegment = -1;
        int resetAtDataSegmentFromPort = -1;
        long resetAtDataSegment = -1;
        int resetAtAckToChargenFromPort = -1;
        long resetAtAckToChargen = -1;
        long dataSegments;
        long dataFrameBytes;
        /** RSTs the chargen server sent to gen, and those the vif refused (a full tx ring). */
        int resetsFromChargen;
        int resetsFromChargenRefused;
        private long dataFromResetPort;
        private long acksToChargen;

        void countFromServer(final DirectBuffer buffer, final int offset, final int status)
        {
            final int ip = offset + EthernetHeader.LENGTH;
            if (EthernetHeader.etherType(buffer, offset) == EthernetHeader.ETHERTYPE_IPV4 &&
                Ipv4Header.protocol(buffer, ip) == IpProtocol.TCP)
            {
                final int l4 = ip + Ipv4Header.headerLength(buffer, ip);
                if (TcpHeader.sourcePort(buffer, l4) == TcpChargenServer.PORT &&
                    (TcpHeader.flags(buffer, l4) & TcpHeader.RST) != 0)
                {
                    resetsFromChargen += status == 0 ? 1 : 0;
                    resetsFromChargenRefused += status == 0 ? 0 : 1;
                }
            }
        }

        @Override
        public void onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
        {
            final int ip = offset + EthernetHeader.LENGTH;
            if (EthernetHeader.etherType(buffer, offset) != EthernetHeader.ETHERTYPE_IPV4 ||
                Ipv4Header.protocol(buffer, ip) != IpProtocol.TCP)
            {
                next.onFrame(buffer, offset, length, metadata);
                return;
            }
            final int l4 = ip + Ipv4Header.headerLength(buffer, ip);
            final int to = TcpHeader.destinationPort(buffer, l4);
            final int from = TcpHeader.sourcePort(buffer, l4);
            final boolean data = ip + Ipv4Header.totalLength(buffer, ip) > l4 + TcpHeader.headerLength(buffer, l4);
            if (to == GuestStack.DISCARD_PORT && (TcpHeader.flags(buffer, l4) & TcpHeader.FIN) != 0)
            {
                genFin = true;
            }
            // gen's ACK of the server's FIN acknowledges one more: only its challenge ACK is at the point and before
            if (!data && to == GuestStack.DISCARD_PORT && spoofed > 0 && !genFin &&
                TcpHeader.acknowledgment(buffer, l4) == spoofedAt &&
                (TcpHeader.flags(buffer, l4) & (TcpHeader.SYN | TcpHeader.FIN | TcpHeader.RST)) == 0)
            {
                challengeAcks++;
            }
            if (data && to == GuestStack.DISCARD_PORT)
            {
                dataSegments++;
                if (dataSegments == spoofAtDataSegment)
                {
                    spoofedAt = TcpHeader.acknowledgment(buffer, l4);
                    for (int i = 0; i < spoofCount; i++)
                    {
                        spoof(buffer, offset, length, l4);
                    }
                }
                dataFrameBytes += length;
                if (dataSegments == loseDataSegment || (loseEvery > 0 && dataSegments % loseEvery == 0) ||
                    (loseFromDataSegment > 0 && dataSegments >= loseFromDataSegment))
                {
                    return; // lost
                }
                if (from == resetAtDataSegmentFromPort && ++dataFromResetPort == resetAtDataSegment)
                {
                    next.onFrame(asReset(buffer, offset, length, l4), 0, length, metadata);
                    return;
                }
            }
            if (!data && to == TcpChargenServer.PORT && from == resetAtAckToChargenFromPort &&
                (TcpHeader.flags(buffer, l4) & (TcpHeader.SYN | TcpHeader.FIN | TcpHeader.RST)) == 0 &&
                ++acksToChargen == resetAtAckToChargen)
            {
                // the server frees the connection on the RST, then answers the ACK itself (for no connection) with one
                next.onFrame(asReset(buffer, offset, length, l4), 0, length, metadata);
            }
            next.onFrame(buffer, offset, length, metadata);
        }

        /**
         * A RST to gen as from the server's address and port, {@link #spoofOffset} bytes past gen's receive point (the
         * ACK number of gen's segment): 5,000 is inside the window, not at the point (gen reads no TCP checksum).
         */
        private void spoof(final DirectBuffer buffer, final int offset, final int length, final int l4)
        {
            final int headers = l4 - offset + TcpHeader.MIN_LENGTH;
            final int tcp = l4 - offset;
            final UnsafeBuffer rst = ServerAndClientGuests.answerTo(buffer, offset, headers, tcp);
            final int ip = EthernetHeader.LENGTH;
            Ipv4Header.totalLength(rst, ip, headers - ip);
            rst.putByte(tcp + 12, (byte)(5 << 4)); // no options
            TcpHeader.sequence(rst, tcp, (TcpHeader.acknowledgment(buffer, l4) + spoofOffset) & 0xFFFF_FFFFL);
            TcpHeader.acknowledgment(rst, tcp, 0);
            TcpHeader.flags(rst, tcp, TcpHeader.RST);
            toClient.onFrame(rst, 0, headers, new FrameMetadata());
            spoofed++;
        }

        /** A copy of the segment with RST as its only flag (the servers check no TCP checksum). */
        private static UnsafeBuffer asReset(final DirectBuffer buffer, final int offset, final int length, final int l4)
        {
            final UnsafeBuffer reset = new UnsafeBuffer(new byte[length]);
            reset.putBytes(0, buffer, offset, length);
            TcpHeader.flags(reset, l4 - offset, TcpHeader.RST);
            return reset;
        }
    }
}
