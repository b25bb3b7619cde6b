package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.TcpHeader;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.netif.NetifConstants;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** gen's TCP segments as the vif gets them: SYN options, each direction's window, TSO metadata, FIN and RST. */
class TcpSegmentWriterTest
{
    private static final int L4 = EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH;

    private final FrameBuilder builder = new FrameBuilder();
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(EthernetHeader.LENGTH + 65535));
    /** The last frame the vif took, and its metadata's values. */
    private final UnsafeBuffer taken = new UnsafeBuffer(new byte[EthernetHeader.LENGTH + 65535]);
    private int takenLength;
    private int takenFlags;
    private int takenGsoSize;
    private int takenGsoType;
    private int frames;
    private int status;
    private final TcpSegmentWriter writer = new TcpSegmentWriter(builder, frame,
        () -> builder.wrap(frame, 0).ethernet(0x02_00_00_00_00_01L, 0x02_00_00_00_00_02L).ipv4(0x0A00_0002, 0x0A00_0001),
        (buffer, offset, length, metadata) ->
        {
            frames++;
            taken.putBytes(0, buffer, offset, length);
            takenLength = length;
            takenFlags = metadata.flags();
            takenGsoSize = metadata.gsoSize();
            takenGsoType = metadata.gsoType();
            return status;
        });

    private static TcpConnection connection(final boolean sender)
    {
        final TcpConnection connection = new TcpConnection().reset(0, 40_000, sender ? 9 : 19, sender, 0, 4_000_000L);
        connection.rcvNxt = 777;
        return connection;
    }

    @Test
    void shouldOfferMssAndWindowScaleInAnUnscaledSyn()
    {
        writer.receiveWindow(32);
        final TcpConnection receiving = connection(false);
        assertEquals(0, writer.syn(receiving, 1460, 0));
        assertEquals(TcpHeader.SYN, TcpHeader.flags(taken, L4));
        assertEquals(receiving.initialSequence, TcpHeader.sequence(taken, L4));
        assertEquals(40_000, TcpHeader.sourcePort(taken, L4));
        assertEquals(19, TcpHeader.destinationPort(taken, L4));
        assertEquals(1460, TcpHeader.mssOption(taken, L4));
        assertEquals(TcpSegmentWriter.WINDOW_SCALE, TcpHeader.windowScaleOption(taken, L4));
        assertEquals(TcpSegmentWriter.WINDOW, TcpHeader.window(taken, L4), "a SYN's window is never scaled (RFC 7323)");
        assertEquals(0, takenFlags);
    }

    @Test
    void shouldCountOnlyTheSynsTheVifTookSoTheAnswerToTheFirstThatLeftIsASample()
    {
        final TcpConnection sending = connection(true);
        status = io.pvnet.engine.VifFrontend.BUSY; // a full tx ring
        assertEquals(io.pvnet.engine.VifFrontend.BUSY, writer.syn(sending, 1460, 1_000L));
        assertEquals(0, sending.synsSent, "a SYN that never left is not sent");
        status = 0;
        assertEquals(0, writer.syn(sending, 1460, 300_001_000L)); // the retry leaves
        assertEquals(1, sending.synsSent);
        final UnsafeBuffer synAck = new UnsafeBuffer(new byte[128]);
        final int length = new FrameBuilder().wrap(synAck, 0).ethernet(0x02_00_00_00_00_02L, 0x02_00_00_00_00_01L)
            .ipv4(0x0A00_0001, 0x0A00_0002)
            .tcp(9, 40_000, 5000, sending.firstSequence(), TcpHeader.SYN | TcpHeader.ACK, 65535).tcpMss(1460)
            .payloadLength(0).build();
        assertTrue(sending.onSynAck(synAck, L4, length - L4, 300_051_000L));
        assertEquals(50_000L, sending.handshakeRttNs,
            "the round trip of the one SYN that left, a sample: not 5.7's resent SYN, nor counted from the refused one");
    }

    @Test
    void shouldOfferTheReceiveWindowOnlyOnReceivingConnections()
    {
        writer.receiveWindow(512);
        writer.segment(connection(false), 5, 777, TcpHeader.ACK, 0, 0);
        assertEquals(512, TcpHeader.window(taken, L4));
        assertEquals(777, TcpHeader.acknowledgment(taken, L4));
        assertEquals(TcpHeader.MIN_LENGTH, TcpHeader.headerLength(taken, L4), "no options after the SYN");
        writer.segment(connection(true), 5, 777, TcpHeader.ACK, 0, 0);
        assertEquals(TcpSegmentWriter.WINDOW, TcpHeader.window(taken, L4));
    }

    @Test
    void shouldSendATsoFrameAsCsumPartialWithTheMssAsGsoSize()
    {
        writer.segment(connection(true), 1000, 777, TcpHeader.PSH | TcpHeader.ACK, 8000, 1448);
        assertEquals(L4 + TcpHeader.MIN_LENGTH + 8000, takenLength);
        assertEquals(8000 + Ipv4Header.MIN_LENGTH + TcpHeader.MIN_LENGTH, Ipv4Header.totalLength(taken, EthernetHeader.LENGTH));
        assertTrue((takenFlags & FrameFlags.CSUM_PARTIAL) != 0);
        assertEquals(1448, takenGsoSize);
        assertEquals(NetifConstants.XEN_NETIF_GSO_TYPE_TCPV4, takenGsoType);
        assertEquals(64, taken.getByte(L4 + TcpHeader.MIN_LENGTH + 64), "the payload is marked every 64 bytes");

        writer.segment(connection(true), 1000, 777, TcpHeader.PSH | TcpHeader.ACK, 1000, 0);
        assertEquals(0, takenFlags, "a plain segment goes with its checksum complete");
        assertEquals(0, takenGsoSize);
    }

    @Test
    void shouldSendAFinWithItsAcknowledgmentAndMaskAResetsSequence()
    {
        final TcpConnection connection = connection(true);
        assertEquals(0, writer.fin(connection, 4242));
        assertEquals(TcpHeader.FIN | TcpHeader.ACK, TcpHeader.flags(taken, L4));
        assertEquals(4242, TcpHeader.sequence(taken, L4));
        assertEquals(777, TcpHeader.acknowledgment(taken, L4));
        writer.reset(connection, 0x1_0000_0005L);
        assertEquals(TcpHeader.RST, TcpHeader.flags(taken, L4));
        assertEquals(5, TcpHeader.sequence(taken, L4));
        assertEquals(0, TcpHeader.acknowledgment(taken, L4));
    }

    @Test
    void shouldReturnTheVifsStatusWhenItTakesNothing()
    {
        status = -1;
        assertEquals(-1, writer.segment(connection(true), 1, 1, TcpHeader.ACK, 100, 0));
        assertEquals(1, frames);
    }
}
