package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.TcpHeader;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.vif.VifConfig;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chargen server's close, segment by segment on a test clock: its FIN goes after the highest byte it ever sent,
 * also when a retransmission timeout took it back below that (the peer may hold those bytes already), and it sends
 * nothing past its FIN.
 */
class TcpChargenServerCloseTest
{
    private static final int SERVER_IP = 0x0A00_0001;
    private static final int PEER_IP = 0x0A00_0002;
    private static final long PEER_MAC = VifConfig.of(2, 0).mac();
    private static final int PEER_PORT = 40_000;
    private static final long PEER_ISN = 1_000;
    private static final long ISN = 0x3000_0000L;
    private static final long MASK = TcpSendWindow.SEQUENCE_MASK;

    /** One segment the server sent: its flags, sequence number and payload bytes. */
    private record Sent(int flags, long seq, int payload)
    {
    }

    private final List<Sent> sent = new ArrayList<>();
    private long nowNs = 1_000_000_000L;
    private final GuestStack stack = new GuestStack(VifConfig.of(1, 0).mac(), SERVER_IP, 24, null, 1500,
        (buffer, offset, length, metadata) -> 0);
    private final TcpChargenServer server = new TcpChargenServer(stack, (buffer, offset, length, metadata) ->
    {
        final int ip = offset + EthernetHeader.LENGTH;
        final int l4 = ip + Ipv4Header.headerLength(buffer, ip);
        sent.add(new Sent(TcpHeader.flags(buffer, l4), TcpHeader.sequence(buffer, l4),
            Ipv4Header.totalLength(buffer, ip) - (l4 - ip) - TcpHeader.headerLength(buffer, l4)));
        return 0;
    }, 1500, () -> nowNs);
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[256]);
    private final FrameBuilder builder = new FrameBuilder();

    @Test
    void shouldPutItsFinAfterTheHighestByteSentWhenATimeoutTookItBack()
    {
        peer(PEER_ISN, 0, TcpHeader.SYN, 65535, 1000);
        peer(PEER_ISN + 1, ISN + 1, TcpHeader.ACK, 3000, 0);
        server.doWork();
        assertEquals(3000, highestSent(), "the peer's window: 3000 bytes");
        peer(PEER_ISN + 1, ISN + 1, TcpHeader.ACK, 1000, 0); // the peer shrinks its window to one segment
        nowNs += TcpRetransmissionTimer.MIN_RTO_NS;
        server.doWork(); // no acknowledgment for a timeout: back to the first byte, one segment resent
        assertEquals(new Sent(TcpHeader.PSH | TcpHeader.ACK, ISN + 1, 1000), sent.getLast());

        peer(PEER_ISN + 1, ISN + 1, TcpHeader.FIN | TcpHeader.ACK, 1000, 0); // the peer closes
        // it had all 3000 bytes (the timeout was spurious): it acknowledges them
        peer(PEER_ISN + 2, ISN + 1 + 3000, TcpHeader.ACK, 65535, 0);
        server.doWork();
        final Sent fin = sent.getLast();
        assertEquals(TcpHeader.FIN | TcpHeader.ACK, fin.flags(), sent.toString());
        assertEquals((ISN + 1 + 3000) & MASK, fin.seq(), "the FIN after the highest byte sent: " + sent);
        assertEquals(3000, highestSent(), "nothing sent past the FIN");
        assertEquals(1, server.activeConnections());

        peer(PEER_ISN + 2, ISN + 1 + 3000 + 1, TcpHeader.ACK, 65535, 0); // the FIN acknowledged
        assertEquals(0, server.activeConnections(), "closed both ways");
    }

    @Test
    void shouldSendItsFinAgainWithTheRetransmissionTimeoutUntilAcknowledged()
    {
        peer(PEER_ISN, 0, TcpHeader.SYN, 65535, 1000);
        peer(PEER_ISN + 1, ISN + 1, TcpHeader.ACK, 2000, 0);
        server.doWork();
        peer(PEER_ISN + 1, ISN + 1 + 2000, TcpHeader.FIN | TcpHeader.ACK, 2000, 0);
        assertEquals(new Sent(TcpHeader.FIN | TcpHeader.ACK, ISN + 1 + 2000, 0), sent.getLast(),
            "all data acknowledged: the FIN answers the peer's FIN");
        final int before = sent.size();
        server.doWork();
        assertEquals(before, sent.size(), "nothing more before the timeout");
        nowNs += TcpRetransmissionTimer.MIN_RTO_NS;
        server.doWork();
        assertEquals(new Sent(TcpHeader.FIN | TcpHeader.ACK, ISN + 1 + 2000, 0), sent.getLast(), "the FIN again");
        peer(PEER_ISN + 1, ISN + 1 + 2000, TcpHeader.FIN | TcpHeader.ACK, 2000, 0); // the peer's FIN again
        assertEquals(new Sent(TcpHeader.ACK, ISN + 1 + 2001, 0), sent.getLast(), "its repeated FIN acknowledged");
        peer(PEER_ISN + 2, ISN + 1 + 2001, TcpHeader.ACK, 2000, 0);
        assertEquals(0, server.activeConnections());
    }

    /** {@return bytes of the stream sent so far, the highest sequence number reached} */
    private long highestSent()
    {
        long highest = 0;
        for (final Sent segment : sent)
        {
            if (segment.payload() > 0)
            {
                highest = Math.max(highest, ((segment.seq() - ISN - 1) & MASK) + segment.payload());
            }
        }
        return highest;
    }

    /** A segment from the peer to the chargen port; a SYN carries MSS {@code mss}. */
    private void peer(final long seq, final long ack, final int flags, final int window, final int mss)
    {
        builder.wrap(frame, 0).ethernet(stack.mac(), PEER_MAC).ipv4(PEER_IP, SERVER_IP)
            .tcp(PEER_PORT, TcpChargenServer.PORT, seq & MASK, ack & MASK, flags, window);
        if (mss > 0)
        {
            builder.tcpMss(mss);
        }
        server.onFrame(frame, 0, builder.payloadLength(0).build(), new FrameMetadata());
    }
}
