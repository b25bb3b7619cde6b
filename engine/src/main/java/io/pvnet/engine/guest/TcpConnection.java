package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.TcpHeader;
import org.agrona.DirectBuffer;

/**
 * One of a {@link TcpClient}'s connections: what its SYN-ACK said (MSS, window scale), its sending window
 * ({@link TcpSendWindow}) when gen sends on it, its receive point when the peer sends, and how it closed. Written by
 * the segments {@link #onSegment} hands it and by the client's run loop; the client's thread only.
 */
final class TcpConnection
{
    private static final long MASK = TcpSendWindow.SEQUENCE_MASK;

    final TcpSendWindow send = new TcpSendWindow();
    int flow;
    /** The initial sequence number: from a 4 us clock (RFC 9293 3.4.1), so a new connection on the ports of one the
     * peer still holds (TIME-WAIT, LAST-ACK after a lost ACK) starts above it and is accepted. */
    long initialSequence;
    int localPort;
    int remotePort;
    boolean sender;

    // the handshake
    long synAck = -1;
    /** SYNs the vif took, and when the first: the handshake's round trip is a sample only when one went (Karn). */
    int synsSent;
    long synFirstNs;
    /** The handshake's round trip, the retransmission timer's first sample ({@link TcpRetransmissionTimer#begin}). */
    long handshakeRttNs = TcpRetransmissionTimer.NO_SAMPLE;
    int peerMss = 536;
    int windowShift;
    /** The peer's SYN-ACK carried a window scale: scaling is in effect both ways (RFC 7323), ours too. */
    boolean peerScales;
    long peerWindow;
    /** RSTs the peer sent (the first ends the connection: nothing more is sent on it). */
    long resets;
    /** When the last challenge ACK was decided on (RFC 5961 3.2, limited per connection: {@link TcpClient}). */
    long lastChallengeNs;
    boolean challenged;
    /** When the peer reset it in the run (before the close), ns since the run started; -1 when it did not. */
    long resetInRunNs = -1;

    // receiving
    long rcvNxt;
    /** Payload bytes taken in order since the handshake (the warm-up's too). */
    long received;
    int ackPending;
    boolean ackNow;

    // sending
    long total;
    long acked;
    /** Bytes sent in the warm-up and not yet acknowledged when it ended: their acknowledgment is not counted. */
    long warmUpInFlight;

    // closing (our FIN is the send window's: TcpSendWindow#close)
    boolean peerFin;
    /** Whether gen reset it at the end of a close that did not complete, and answers one challenge ACK (RFC 5961). */
    boolean resetSent;

    /** Makes this connection new: flow {@code flow} from {@code localPort} to {@code remotePort}. */
    TcpConnection reset(
        final int flow, final int localPort, final int remotePort, final boolean sender, final long total, final long nowNs)
    {
        this.flow = flow;
        initialSequence = (nowNs >>> 2) & MASK;
        this.localPort = localPort;
        this.remotePort = remotePort;
        this.sender = sender;
        this.total = total;
        synAck = -1;
        synsSent = 0;
        synFirstNs = 0;
        handshakeRttNs = TcpRetransmissionTimer.NO_SAMPLE;
        peerMss = 536;
        windowShift = 0;
        peerScales = false;
        peerWindow = 0;
        resets = 0;
        resetInRunNs = -1;
        challenged = false;
        lastChallengeNs = 0;
        rcvNxt = 0;
        received = 0;
        ackPending = 0;
        ackNow = false;
        acked = 0;
        warmUpInFlight = 0;
        peerFin = false;
        resetSent = false;
        // a receiving connection's window never sends data: only its FIN, right after the SYN
        send.start(firstSequence(), 0, 0, 536, TcpRetransmissionTimer.NO_SAMPLE);
        return this;
    }

    boolean established()
    {
        return synAck >= 0;
    }

    /** {@return the first sequence number after the SYN} */
    long firstSequence()
    {
        return (initialSequence + 1) & MASK;
    }

    /** {@return the sequence number of an ACK of this connection now (after the FIN once it went out)} */
    long nextSequence()
    {
        return send.nextSequence();
    }

    /** {@return whether both sides closed: our FIN acknowledged, the peer's FIN received} */
    boolean closed()
    {
        return send.finAcknowledged() && peerFin;
    }

    /** {@return whether the close is over for this connection: closed both ways, or reset by the peer (not clean)} */
    boolean done()
    {
        return closed() || resets > 0;
    }

    /**
     * {@return the sequence number of a RST the peer takes, as far as gen knows} RFC 5961 has a peer accept a RST only
     * at exactly its receive point: what it last acknowledged, unless it took more than it acknowledged (then it answers
     * with a challenge ACK carrying that point, and gen resets there: {@link TcpClient})
     */
    long resetSequence()
    {
        return send.finAcknowledged() ? (send.finSequence() + 1) & MASK : send.sndUna();
    }

    /** A SYN went out now (the vif took it: {@link TcpSegmentWriter#syn}). */
    void synSent(final long nowNs)
    {
        if (synsSent++ == 0)
        {
            synFirstNs = nowNs;
        }
    }

    /**
     * A SYN-ACK: the peer's MSS, window scale and window; the receive point starts after its SYN; the handshake's
     * round trip when one SYN went (else RFC 6298 5.7's longer RTO).
     *
     * @return whether it was the first (a repeated SYN-ACK means our ACK was lost: acknowledge it again).
     */
    boolean onSynAck(final DirectBuffer buffer, final int l4, final int l4Length, final long nowNs)
    {
        final boolean first = synAck < 0;
        synAck = TcpHeader.sequence(buffer, l4);
        if (first)
        {
            handshakeRttNs = TcpRetransmissionTimer.handshakeRtt(synsSent, synFirstNs, nowNs);
            resets = 0; // a RST to an earlier SYN (nothing listened yet): this SYN's answer opens the connection
            if (TcpHeader.headerLength(buffer, l4) <= l4Length)
            {
                final int mss = TcpHeader.mssOption(buffer, l4);
                if (mss >= 0)
                {
                    peerMss = mss;
                }
                final int scale = TcpHeader.windowScaleOption(buffer, l4);
                if (scale >= 0)
                {
                    peerScales = true;
                    windowShift = Math.min(14, scale);
                }
            }
            peerWindow = TcpHeader.window(buffer, l4);
            rcvNxt = (synAck + 1) & MASK;
        }
        return first;
    }

    /**
     * Data (or a FIN) from the peer on a receiving connection: in order it advances the receive point; out of order it
     * is dropped and acknowledged at once (a duplicate ACK, so the sender retransmits).
     *
     * @return the in-order payload bytes it carried.
     */
    int onData(final long seq, final int payload, final boolean fin)
    {
        if (seq == rcvNxt)
        {
            rcvNxt = (rcvNxt + payload) & MASK;
            received += payload;
            if (fin)
            {
                rcvNxt = (rcvNxt + 1) & MASK;
                peerFin = true;
                ackNow = true;
            }
            else if (payload > 0)
            {
                ackPending++;
            }
            return payload;
        }
        if (payload > 0 || fin)
        {
            ackNow = true; // out of order (a gap before it) or a retransmission of what we have: tell the peer
        }
        return 0;
    }
}
