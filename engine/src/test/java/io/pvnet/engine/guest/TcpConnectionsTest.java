package io.pvnet.engine.guest;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A gen TCP run's connections: one per flow and direction, which one a segment is for, established, done, closed. */
class TcpConnectionsTest
{
    private static TcpSpec spec(final DatagramSpec.Direction direction, final int flows, final long count)
    {
        return new TcpSpec(9, 19, 1000, false, flows, count, 1_000_000_000L, 0, direction, 0);
    }

    private static void establish(final TcpConnection connection)
    {
        connection.synAck = 1; // as onSynAck leaves it
    }

    @Test
    void shouldOpenEachFlowFromItsOwnPortToEachDirectionsPort()
    {
        final TcpConnections connections = new TcpConnections();
        connections.begin(spec(DatagramSpec.Direction.BIDIR, 3, 0), 1_000L);
        assertEquals(6, connections.count());
        for (int flow = 0; flow < 3; flow++)
        {
            assertEquals(TrafficGenerator.SOURCE_PORT + flow, connections.sending(flow).localPort);
            assertEquals(9, connections.sending(flow).remotePort);
            assertTrue(connections.sending(flow).sender);
            assertEquals(TrafficGenerator.SOURCE_PORT + flow, connections.receiving(flow).localPort);
            assertEquals(19, connections.receiving(flow).remotePort);
            assertFalse(connections.receiving(flow).sender);
            assertSame(connections.sending(flow), connections.forSegment(flow, 9));
            assertSame(connections.receiving(flow), connections.forSegment(flow, 19));
        }
        assertNull(connections.forSegment(0, 80), "a segment from another port is for none");
    }

    @Test
    void shouldTakeSegmentsOnlyForTheDirectionsTheRunHas()
    {
        final TcpConnections connections = new TcpConnections();
        connections.begin(spec(DatagramSpec.Direction.FORWARD, 1, 0), 1_000L);
        assertEquals(1, connections.count());
        assertNull(connections.forSegment(0, 19));
        connections.begin(spec(DatagramSpec.Direction.REVERSE, 1, 0), 1_000L);
        assertNull(connections.forSegment(0, 9));
        assertSame(connections.receiving(0), connections.forSegment(0, 19));
    }

    @Test
    void shouldNameTheFirstUnestablishedConnectionAndCountTheOthers()
    {
        final TcpConnections connections = new TcpConnections();
        connections.begin(spec(DatagramSpec.Direction.BIDIR, 2, 0), 1_000L);
        assertSame(connections.sending(0), connections.firstUnestablished());
        establish(connections.sending(0));
        establish(connections.receiving(0));
        establish(connections.sending(1));
        assertSame(connections.receiving(1), connections.firstUnestablished());
        assertEquals(3, connections.established());
        establish(connections.receiving(1));
        assertNull(connections.firstUnestablished());
        connections.begin(spec(DatagramSpec.Direction.BIDIR, 2, 0), 2_000L);
        assertEquals(0, connections.established(), "a new run starts unestablished");
    }

    @Test
    void shouldBeDoneWhenEverySenderIsAcknowledgedAndEveryReceiverHasItsShare()
    {
        final TcpConnections connections = new TcpConnections();
        // 5 frames of 1000 bytes over 2 flows: the receivers wait for 3000 and 2000 bytes
        connections.begin(spec(DatagramSpec.Direction.BIDIR, 2, 5), 1_000L);
        assertEquals(3000, connections.receiving(0).total);
        assertEquals(2000, connections.receiving(1).total);
        connections.sending(0).total = 3000;
        connections.sending(1).total = 2000;
        final long[] received = {3000, 1999};
        connections.sending(0).acked = 3000;
        connections.sending(1).acked = 2000;
        assertFalse(connections.done(received));
        received[1] = 2000;
        assertTrue(connections.done(received));
        connections.sending(1).acked = 1000;
        assertFalse(connections.done(received));
    }

    @Test
    void shouldBeClosedOnlyWhenEveryFinIsAcknowledgedAndEveryPeerFinReceived()
    {
        final TcpConnections connections = new TcpConnections();
        connections.begin(spec(DatagramSpec.Direction.BIDIR, 1, 0), 1_000L);
        final TcpConnection out = connections.sending(0);
        final TcpConnection in = connections.receiving(0);
        out.send.start(out.firstSequence(), 65535, 0, 1460, TcpRetransmissionTimer.NO_SAMPLE);
        out.send.sent(100, 0);
        out.send.close();
        in.send.close();
        out.send.onAck((out.send.sndNxt() + 1) & TcpSendWindow.SEQUENCE_MASK, 65535, true, 0);
        assertFalse(out.send.finAcknowledged(), "a FIN not yet sent is not acknowledged by a number past it");
        out.send.finSent(0);
        in.send.finSent(0);
        out.send.onAck(out.send.sndNxt(), 65535, true, 0);
        assertFalse(out.send.finAcknowledged(), "acknowledged the data, not the FIN");
        out.send.onAck((out.send.finSequence() + 1) & TcpSendWindow.SEQUENCE_MASK, 65535, true, 0);
        in.send.onAck((in.firstSequence() + 1) & TcpSendWindow.SEQUENCE_MASK, 65535, true, 0);
        assertTrue(out.send.finAcknowledged());
        assertTrue(in.send.finAcknowledged());
        assertFalse(connections.allClosed(), "the peers' FINs are still to come");
        out.peerFin = true;
        assertFalse(connections.allClosed());
        in.peerFin = true;
        assertTrue(connections.allClosed());
    }
}
