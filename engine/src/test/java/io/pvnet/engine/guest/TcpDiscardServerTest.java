package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.TcpHeader;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The discard server's answers, segment by segment: window scaling as RFC 7323 negotiates it. */
class TcpDiscardServerTest
{
    private static final int L4 = 0;
    private static final long PEER = 0x0A00_0002L;
    private static final int PEER_PORT = 40_000;
    private static final long PEER_ISN = 1_000;

    private final TcpDiscardServer server = new TcpDiscardServer(1500);
    private final UnsafeBuffer segment = new UnsafeBuffer(new byte[2048]);

    @Test
    void shouldAnnounceItsWindowScaleWhenTheSynOffersOne()
    {
        final int synLength = syn(true);
        final int answer = server.answer(segment, L4, synLength, PEER);

        assertEquals(TcpHeader.MIN_LENGTH + 8, answer, "MSS, NOP and window scale");
        assertEquals(TcpHeader.SYN | TcpHeader.ACK, TcpHeader.flags(segment, L4));
        assertEquals(answer, TcpHeader.headerLength(segment, L4));
        assertEquals(1440, TcpHeader.mssOption(segment, L4));
        assertEquals(TcpDiscardServer.WINDOW_SHIFT, TcpHeader.windowScaleOption(segment, L4));
        assertEquals(65535, TcpHeader.window(segment, L4), "a SYN's window is never scaled");
    }

    @Test
    void shouldNotScaleForAPeerThatOfferedNoScale()
    {
        final int answer = server.answer(segment, L4, syn(false), PEER);

        assertEquals(TcpHeader.MIN_LENGTH + TcpHeader.OPTION_MSS_LENGTH, answer, "MSS only");
        assertEquals(-1, TcpHeader.windowScaleOption(segment, L4));
    }

    @Test
    void shouldAcknowledgeDataInOrderAndDiscardIt()
    {
        server.answer(segment, L4, syn(true), PEER);
        final int dataLength = data(PEER_ISN + 1, 1000);

        final int answer = server.answer(segment, L4, dataLength, PEER);

        assertEquals(TcpHeader.MIN_LENGTH, answer);
        assertEquals(TcpHeader.ACK, TcpHeader.flags(segment, L4));
        assertEquals(PEER_ISN + 1 + 1000, TcpHeader.acknowledgment(segment, L4));
        assertEquals(65535, TcpHeader.window(segment, L4), "65,535 << 6: 4 MiB the peer may send");
        assertEquals(1000, server.payloadBytes());

        final int outOfOrder = data(PEER_ISN + 1 + 5000, 1000);
        server.answer(segment, L4, outOfOrder, PEER);
        assertEquals(PEER_ISN + 1 + 1000, TcpHeader.acknowledgment(segment, L4), "a gap is not acknowledged past");
        assertEquals(1000, server.payloadBytes());
    }

    @Test
    void shouldHoldTheDataAfterGapsAndAcknowledgeItAsEachGapFills()
    {
        server.answer(segment, L4, syn(true), PEER);
        final long first = PEER_ISN + 1;
        server.answer(segment, L4, data(first, 1000), PEER);
        server.answer(segment, L4, data(first + 2000, 1000), PEER); // 1000..2000 lost
        server.answer(segment, L4, data(first + 3000, 1000), PEER);
        assertEquals(first + 1000, TcpHeader.acknowledgment(segment, L4), "a duplicate ACK up to the gap");
        server.answer(segment, L4, data(first + 5000, 1000), PEER); // 4000..5000 lost too: a second range
        server.answer(segment, L4, data(first + 5000, 1000), PEER); // a duplicate inside it
        assertEquals(1000, server.payloadBytes(), "only what is in order counts");

        server.answer(segment, L4, data(first + 1000, 1000), PEER); // the resend fills the first gap

        assertEquals(first + 4000, TcpHeader.acknowledgment(segment, L4), "the first range acknowledged with it");
        assertEquals(4000, server.payloadBytes());
        server.answer(segment, L4, data(first + 4000, 1000), PEER);
        assertEquals(first + 6000, TcpHeader.acknowledgment(segment, L4), "and the second with the second gap");
        assertEquals(6000, server.payloadBytes(), "each byte once");
    }

    @Test
    void shouldTakeTheNewTailOfASegmentThatStartsInWhatCameAlready()
    {
        server.answer(segment, L4, syn(true), PEER);
        final long first = PEER_ISN + 1;
        server.answer(segment, L4, data(first, 1000), PEER);

        server.answer(segment, L4, data(first + 500, 1000), PEER); // 500..1500: its last 500 bytes are new

        assertEquals(first + 1500, TcpHeader.acknowledgment(segment, L4));
        assertEquals(1500, server.payloadBytes(), "each byte once");
    }

    @Test
    void shouldExtendAHeldRangeBySegmentsThatRunPastItsEndAndMergeNeighbours()
    {
        server.answer(segment, L4, syn(true), PEER);
        final long first = PEER_ISN + 1;
        server.answer(segment, L4, data(first + 2000, 1000), PEER); // held 2000..3000
        server.answer(segment, L4, data(first + 2500, 1000), PEER); // 2500..3500: extends it
        server.answer(segment, L4, data(first + 4000, 1000), PEER); // held 4000..5000
        server.answer(segment, L4, data(first + 3500, 500), PEER); // 3500..4000: joins both
        for (int r = 1; r < TcpDiscardServer.RANGES; r++)
        {
            server.answer(segment, L4, data(first + 5000 + 2000L * r, 1000), PEER); // fills every other range
        }

        server.answer(segment, L4, data(first, 2000), PEER);

        assertEquals(first + 5000, TcpHeader.acknowledgment(segment, L4), "one range 2000..5000: all of it taken");
        assertEquals(5000, server.payloadBytes(), "each byte once");
    }

    @Test
    void shouldTakeTheTailOfAGoBackFrameThatStraddlesWhatItHeld()
    {
        server.answer(segment, L4, syn(true), PEER);
        final long first = PEER_ISN + 1;
        server.answer(segment, L4, data(first + 2000, 1000), PEER); // held 2000..3000
        server.answer(segment, L4, data(first, 2000), PEER); // fills the gap: 3000
        assertEquals(first + 3000, TcpHeader.acknowledgment(segment, L4));

        server.answer(segment, L4, data(first + 2000, 2000), PEER); // a go-back's frame 2000..4000: 3000..4000 new

        assertEquals(first + 4000, TcpHeader.acknowledgment(segment, L4));
        assertEquals(4000, server.payloadBytes(), "each byte once");
    }

    @Test
    void shouldDropWhatWouldNeedARangeMoreThanItHolds()
    {
        server.answer(segment, L4, syn(true), PEER);
        final long first = PEER_ISN + 1;
        for (int r = 0; r <= TcpDiscardServer.RANGES; r++)
        {
            server.answer(segment, L4, data(first + 2000L * r + 1000, 1000), PEER); // a gap before each
        }
        for (int r = 0; r <= TcpDiscardServer.RANGES; r++)
        {
            server.answer(segment, L4, data(first + 2000L * r, 1000), PEER);
        }
        final long held = 2000L * TcpDiscardServer.RANGES + 1000;
        assertEquals(first + held, TcpHeader.acknowledgment(segment, L4), "up to the range it could not hold");
        assertEquals(held, server.payloadBytes());
    }

    @Test
    void shouldSendItsAcksAfterItsFinFromTheSequenceNumberAfterTheFin()
    {
        server.answer(segment, L4, syn(false), PEER);
        server.answer(segment, L4, data(PEER_ISN + 1, 1000), PEER);
        final long ourFin = 0x1000_0001L;

        header(PEER_ISN + 1001, TcpHeader.FIN | TcpHeader.ACK);
        TcpHeader.headerLength(segment, L4, TcpHeader.MIN_LENGTH);
        server.answer(segment, L4, TcpHeader.MIN_LENGTH, PEER);
        assertEquals(TcpHeader.FIN | TcpHeader.ACK, TcpHeader.flags(segment, L4));
        assertEquals(ourFin, TcpHeader.sequence(segment, L4), "our FIN after our SYN");

        // a retransmission of data already taken: acknowledged from after our FIN, which occupies ourFin
        server.answer(segment, L4, data(PEER_ISN + 1, 1000), PEER);
        assertEquals(TcpHeader.ACK, TcpHeader.flags(segment, L4));
        assertEquals(ourFin + 1, TcpHeader.sequence(segment, L4));
        assertEquals(PEER_ISN + 1002, TcpHeader.acknowledgment(segment, L4));

        // the peer's FIN again (our FIN-ACK was lost): our FIN again, at its own sequence number
        header(PEER_ISN + 1001, TcpHeader.FIN | TcpHeader.ACK);
        TcpHeader.headerLength(segment, L4, TcpHeader.MIN_LENGTH);
        server.answer(segment, L4, TcpHeader.MIN_LENGTH, PEER);
        assertEquals(TcpHeader.FIN | TcpHeader.ACK, TcpHeader.flags(segment, L4));
        assertEquals(ourFin, TcpHeader.sequence(segment, L4));
    }

    /** A SYN from the peer with MSS 1460 and, when asked, NOP + window scale 7 (as Linux sends them). */
    private int syn(final boolean windowScale)
    {
        header(PEER_ISN, TcpHeader.SYN);
        int next = TcpHeader.putMssOption(segment, L4 + TcpHeader.OPTIONS_OFFSET, 1460);
        if (windowScale)
        {
            segment.putInt(next, 0x0103_0307, ByteOrder.BIG_ENDIAN);
            next += 4;
        }
        TcpHeader.headerLength(segment, L4, next - L4);
        return next - L4;
    }

    private int data(final long seq, final int payload)
    {
        header(seq, TcpHeader.ACK);
        TcpHeader.acknowledgment(segment, L4, 0x1000_0001L);
        TcpHeader.headerLength(segment, L4, TcpHeader.MIN_LENGTH);
        return TcpHeader.MIN_LENGTH + payload;
    }

    private void header(final long seq, final int flags)
    {
        segment.setMemory(0, 64, (byte)0);
        TcpHeader.sourcePort(segment, L4, PEER_PORT);
        TcpHeader.destinationPort(segment, L4, GuestStack.DISCARD_PORT);
        TcpHeader.sequence(segment, L4, seq);
        TcpHeader.flags(segment, L4, flags);
        TcpHeader.window(segment, L4, 65535);
    }
}
