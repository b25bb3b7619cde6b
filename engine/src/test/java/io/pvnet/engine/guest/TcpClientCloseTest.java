package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.IpProtocol;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.TcpHeader;
import io.pvnet.engine.frame.FrameHandler;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameSink;
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
 * gen's TCP close ({@link TcpClient}) when a segment of it is lost, against the guest's discard and chargen servers
 * through a bridge: each loss is made on purpose (a test path that drops one chosen segment), so each case is
 * deterministic. The close must recover as RFC 9293 has it (data and FIN resent with the retransmission timeout, a
 * repeated FIN answered), and a peer that stops answering must show in the report.
 */
class TcpClientCloseTest
{
    private TcpClientFixture guests;
    private GuestStack server;
    private TrafficGenerator generator;
    private final Lossy toServer = new Lossy();
    private final LossySink fromServer = new LossySink();

    @BeforeEach
    void setUp()
    {
        guests = new TcpClientFixture(toClient ->
        {
            fromServer.out = toClient;
            return fromServer;
        }, stack ->
        {
            toServer.next = stack;
            return toServer;
        });
        server = guests.server;
        generator = guests.generator;
    }

    @AfterEach
    void tearDown()
    {
        guests.close();
    }

    private TrafficReport run(final DatagramSpec.Direction direction, final long durationNs)
    {
        return generator.tcp(new TcpSpec(GuestStack.DISCARD_PORT, TcpChargenServer.PORT, 1400, false, 1, 0,
            durationNs, 0, direction, 0), GenListener.NONE);
    }

    @Test
    void shouldResendTheDataLostAtTheEndOfTheRunBeforeItsFin()
    {
        // the data segment just before gen's FIN is lost: the FIN arrives after a gap, and the discard server
        // acknowledges only up to the gap (main's jar sent the FIN again and again, never the data: not closed)
        toServer.loseLastDataBeforeFin = true;
        final TrafficReport tcp = run(DatagramSpec.Direction.FORWARD, 200_000_000L);
        assertTrue(tcp.ok(), tcp.failure());
        assertEquals(1, toServer.lost, "the last data segment before the FIN was lost");
        assertTrue(tcp.closed(), tcp.toString());
        assertEquals(0, tcp.unacknowledged(), "every byte sent was acknowledged in the end");
        assertEquals(server.tcpPayloadBytes(), tcp.answeredPayloadBytes(), "as the server took them, once each");
    }

    @Test
    void shouldSendItsFinAgainWhenTheDiscardServersFinAckIsLost()
    {
        // the discard server's FIN-ACK is lost: gen's FIN goes again with the retransmission timeout, and the server
        // (in LAST-ACK) answers it with its FIN-ACK again (main's server answered a repeated FIN with nothing)
        fromServer.loseFirstFinFromPort = GuestStack.DISCARD_PORT;
        final TrafficReport tcp = run(DatagramSpec.Direction.FORWARD, 100_000_000L);
        assertTrue(tcp.ok(), tcp.failure());
        assertEquals(1, fromServer.lost, "the server's FIN-ACK was lost once");
        assertTrue(tcp.closed(), tcp.toString());
        // at least twice: on a loaded machine a stall over the 200 ms retransmission timeout sends a third
        assertTrue(toServer.fins >= 2, "gen's FIN, then again after the retransmission timeout: " + toServer.fins);
        assertEquals(0, tcp.unacknowledged());
        assertEquals(server.tcpPayloadBytes(), tcp.answeredPayloadBytes());
    }

    @Test
    void shouldSendItsFinAgainWhenItIsLostOnAReceivingConnection()
    {
        toServer.loseFirstFinToPort = TcpChargenServer.PORT;
        final TrafficReport tcp = run(DatagramSpec.Direction.REVERSE, 100_000_000L);
        assertTrue(tcp.ok(), tcp.failure());
        assertEquals(1, toServer.lost, "gen's first FIN to the chargen server was lost");
        assertTrue(tcp.closed(), tcp.toString());
        assertTrue(tcp.counters().receivedPayloadBytes(0) > 0, tcp.toString());
    }

    @Test
    void shouldCloseBothDirectionsWhenTheChargenServersFinIsLost()
    {
        fromServer.loseFirstFinFromPort = TcpChargenServer.PORT;
        final TrafficReport tcp = run(DatagramSpec.Direction.BIDIR, 100_000_000L);
        assertTrue(tcp.ok(), tcp.failure());
        assertEquals(1, fromServer.lost, "the chargen server's FIN was lost once");
        assertTrue(tcp.closed(), tcp.toString());
        assertEquals(0, tcp.unacknowledged());
    }

    @Test
    void shouldReportWhatWasNeverAcknowledgedWhenThePeerStopsAnswering()
    {
        // the last data segment before gen's FIN is lost, and from the FIN on nothing reaches the server: neither
        // that segment (resent) nor the FIN is ever acknowledged
        toServer.loseLastDataBeforeFin = true;
        toServer.loseEverythingFromFin = true;
        final long start = System.nanoTime();
        // paced at 1,000 segments a second, far slower than the loopback's round trip: everything before the lost
        // segment is acknowledged when the FIN goes, so the lost one is all that is unacknowledged and each timer
        // expiry (cwnd 1 MSS, RFC 5681 3.1) resends it and then the FIN (behind k segments it would take k expiries)
        final TrafficReport tcp = generator.tcp(new TcpSpec(GuestStack.DISCARD_PORT, TcpChargenServer.PORT, 1400,
            false, 1, 0, 100_000_000L, 1_000, DatagramSpec.Direction.FORWARD, 0), GenListener.NONE);
        final long tookNs = System.nanoTime() - start;
        assertTrue(tcp.ok(), tcp.failure());
        assertFalse(tcp.closed(), tcp.toString());
        assertEquals(1400, tcp.unacknowledged(), "the premise: only the lost segment is unacknowledged");
        assertEquals(server.tcpPayloadBytes(), tcp.answeredPayloadBytes(), "what reached the server was acknowledged");
        // resent on the timer, backed off each time (RFC 6298 5.5): 0.2, 0.4, 0.8 s apart within the 2 s of no progress
        // (3 to 5 FINs on a quiet machine; a stall of gen's thread only delays them, so fewer, never more)
        final List<Long> at = toServer.finAtNs;
        assertTrue(at.size() >= 2, "the FIN was resent with the retransmission timeout: " + at.size());
        assertTrue(at.size() <= 5, "no more than a timer doubling from 0.2 s sends in 2 s (a fixed 0.2 s: 10): " +
            at.size());
        // FIN k+1 leaves after the timer's (k+1)-th expiry, which comes at least RTO_k = 0.2 s * 2^k after the k-th,
        // before which FIN k-1 had left: so FIN k+1 follows FIN k-1 by at least RTO_k, however the thread stalls
        for (int k = 1; k + 1 < at.size(); k++)
        {
            final long rtoNs = TcpRetransmissionTimer.MIN_RTO_NS << k;
            assertTrue(at.get(k + 1) - at.get(k - 1) >= rtoNs, "FIN " + (k + 1) + " at least " + rtoNs +
                " ns after FIN " + (k - 1) + " (the timeout doubled): " + at);
        }
        assertTrue(tookNs < 10_000_000_000L, "gave up after 2 s without progress: " + tookNs + " ns");
    }

    @Test
    void shouldEndTheCloseAtOnceWhenThePeerResetsTheConnection()
    {
        // gen's first FIN reaches the server as a RST (the server forgets the connection), so gen's FIN sent again is
        // answered by a RST: the close is over then, not clean (main's close resent its FIN until 2 s without progress)
        toServer.resetServerAtFirstFin = true;
        final long start = System.nanoTime();
        final TrafficReport tcp = run(DatagramSpec.Direction.FORWARD, 100_000_000L);
        final long tookNs = System.nanoTime() - start;
        assertTrue(tcp.ok(), tcp.failure());
        assertEquals(1, toServer.lost, "the first FIN became a RST");
        assertFalse(tcp.closed(), tcp.toString());
        assertTrue(toServer.fins <= 3, "no FIN resent after the peer's RST: " + toServer.fins);
        assertTrue(tookNs < 1_800_000_000L, "ended on the RST, not after 2 s without progress: " + tookNs + " ns");
    }

    @Test
    void shouldAnswerAChallengeAckToItsResetWithAResetAtTheAckNumber()
    {
        // the peer stops answering, so the close ends in a RST; the peer (RFC 5961) took more than it acknowledged and
        // answers that RST with a challenge ACK carrying its receive point: gen resets again exactly there
        toServer.loseEverythingFromFin = true;
        toServer.challengeFirstReset = fromServer;
        final TrafficReport tcp = run(DatagramSpec.Direction.FORWARD, 100_000_000L);
        assertTrue(tcp.ok(), tcp.failure());
        assertFalse(tcp.closed(), tcp.toString());
        assertEquals(2, toServer.resetSequences.size(), "the RST, then the RST at the challenge: " + toServer.resetSequences);
        assertEquals((toServer.resetSequences.get(0) + Lossy.CHALLENGE_AHEAD) & 0xFFFF_FFFFL,
            (long)toServer.resetSequences.get(1));
    }

    /** In front of the server: drops the chosen segment gen sends, counts gen's FINs. */
    private static final class Lossy implements FrameHandler
    {
        FrameHandler next;
        boolean loseLastDataBeforeFin;
        int loseFirstFinToPort = -1;
        boolean loseEverythingFromFin;
        boolean resetServerAtFirstFin;
        /** Answers gen's first RST with a challenge ACK {@link #CHALLENGE_AHEAD} bytes past it, sent through this sink. */
        FrameSink challengeFirstReset;
        static final long CHALLENGE_AHEAD = 1400;
        final java.util.List<Long> resetSequences = new java.util.ArrayList<>();
        int lost;
        int fins;
        /** When each of gen's FINs reached the path ({@link System#nanoTime()}, gen's clock). */
        final List<Long> finAtNs = new ArrayList<>();
        private boolean finSeen;
        private final UnsafeBuffer held = new UnsafeBuffer(new byte[2048]);
        private final FrameMetadata heldMetadata = new FrameMetadata();
        private int heldLength;

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
            final int port = TcpHeader.destinationPort(buffer, l4);
            final boolean fin = (TcpHeader.flags(buffer, l4) & TcpHeader.FIN) != 0;
            final boolean data = ip + Ipv4Header.totalLength(buffer, ip) > l4 + TcpHeader.headerLength(buffer, l4);
            fins += fin ? 1 : 0;
            if (fin)
            {
                finAtNs.add(System.nanoTime());
            }
            if ((TcpHeader.flags(buffer, l4) & TcpHeader.RST) != 0)
            {
                resetSequences.add(TcpHeader.sequence(buffer, l4));
                if (challengeFirstReset != null)
                {
                    challenge(challengeFirstReset, buffer, offset, length, l4 - offset, metadata);
                    challengeFirstReset = null;
                    return;
                }
            }
            if (loseEverythingFromFin && (finSeen || fin))
            {
                finSeen = true;
                lost += 1 + (heldLength > 0 ? 1 : 0);
                heldLength = 0;
                return;
            }
            if (fin && resetServerAtFirstFin && port == GuestStack.DISCARD_PORT)
            {
                // the server takes a RST in place of the FIN (it checks no TCP checksum): it forgets the connection
                resetServerAtFirstFin = false;
                lost++;
                final UnsafeBuffer reset = new UnsafeBuffer(new byte[length]);
                reset.putBytes(0, buffer, offset, length);
                TcpHeader.flags(reset, l4 - offset, TcpHeader.RST);
                next.onFrame(reset, 0, length, metadata);
                return;
            }
            if (fin && port == loseFirstFinToPort)
            {
                loseFirstFinToPort = -1;
                lost++;
                return;
            }
            if (loseLastDataBeforeFin && port == GuestStack.DISCARD_PORT && !finSeen)
            {
                // each data segment is held until the next one comes; the one held when the FIN comes is lost
                if (fin)
                {
                    finSeen = true;
                    lost += heldLength > 0 ? 1 : 0;
                    heldLength = 0;
                }
                else if (data)
                {
                    final int previous = heldLength;
                    final FrameMetadata previousMetadata = new FrameMetadata().copyFrom(heldMetadata);
                    final UnsafeBuffer previousFrame = new UnsafeBuffer(new byte[2048]);
                    previousFrame.putBytes(0, held, 0, previous);
                    held.putBytes(0, buffer, offset, length);
                    heldMetadata.copyFrom(metadata);
                    heldLength = length;
                    if (previous > 0)
                    {
                        next.onFrame(previousFrame, 0, previous, previousMetadata);
                    }
                    return;
                }
            }
            next.onFrame(buffer, offset, length, metadata);
        }
    }

    /**
     * Sends gen a challenge ACK for its RST as the server's address and port would: ack = the RST's sequence number plus
     * {@link Lossy#CHALLENGE_AHEAD} (the receiver reads no TCP checksum).
     */
    private static void challenge(final FrameSink ackSink, final DirectBuffer buffer, final int offset, final int length, final int l4,
        final FrameMetadata metadata)
    {
        final UnsafeBuffer ack = ServerAndClientGuests.answerTo(buffer, offset, length, l4);
        final long rst = TcpHeader.sequence(buffer, offset + l4);
        TcpHeader.sequence(ack, l4, 0x1000_0002L);
        TcpHeader.acknowledgment(ack, l4, (rst + Lossy.CHALLENGE_AHEAD) & 0xFFFF_FFFFL);
        TcpHeader.flags(ack, l4, TcpHeader.ACK);
        TcpHeader.window(ack, l4, 65535);
        ackSink.onFrame(ack, 0, length, new FrameMetadata().copyFrom(metadata));
    }

    /** Behind the server (its stack and chargen): drops the first FIN from the chosen port. */
    private static final class LossySink implements FrameSink
    {
        FrameSink out;
        int loseFirstFinFromPort = -1;
        int lost;

        @Override
        public int onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
        {
            final int ip = offset + EthernetHeader.LENGTH;
            if (loseFirstFinFromPort >= 0 && EthernetHeader.etherType(buffer, offset) == EthernetHeader.ETHERTYPE_IPV4 &&
                Ipv4Header.protocol(buffer, ip) == IpProtocol.TCP)
            {
                final int l4 = ip + Ipv4Header.headerLength(buffer, ip);
                if (TcpHeader.sourcePort(buffer, l4) == loseFirstFinFromPort &&
                    (TcpHeader.flags(buffer, l4) & TcpHeader.FIN) != 0)
                {
                    loseFirstFinFromPort = -1;
                    lost++;
                    return 0; // taken, and lost on the way
                }
            }
            return out.onFrame(buffer, offset, length, metadata);
        }
    }
}
