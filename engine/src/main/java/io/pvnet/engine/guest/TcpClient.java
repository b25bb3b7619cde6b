package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.TcpHeader;
import io.pvnet.engine.VifFrontend;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;

/**
 * The TCP side of a {@link TrafficGenerator}, as iperf3's client: {@code -P} connections per direction, each its own
 * flow and 5-tuple. A sending connection (SYN with MSS and window scale, segments or TSO frames within the peer's
 * window, {@link TcpSendWindow}'s fast recovery, FIN) talks to a discard server or a kernel socket that reads
 * (answered = bytes acknowledged); a receiving connection ({@code --reverse}, {@code --bidir}) connects to a server that
 * writes as soon as it accepts (the guest's chargen server, a kernel socket, as iperf3 {@code -R}'s server sends),
 * takes in-order data, drops what follows a gap and acknowledges at once so the peer resends (received = in-order
 * payload bytes). What a sending connection sends again counts apart from its first sends (iperf3's {@code Retr}), on
 * RFC 6298's retransmission timer ({@link TcpRetransmissionTimer}). A RST from the peer ends its connection at once (the
 * listener is told, the other connections go on, the run ends in an error). At the end every connection closes as
 * RFC 9293 has it ({@link TcpClose}).
 * <p>
 * This class is the run: the measured loop (warm-up, interval lines, pacing, one segment per connection in turn) and
 * the segments that come; {@link TcpConnections} holds the connections and answers for all of them at once,
 * {@link TcpHandshake} opens them, {@link TcpClose} closes them, {@link TcpConnection} and {@link TcpSendWindow} keep
 * one connection's state, and {@link TcpSegmentWriter} builds the segments.
 * <p>
 * Uses its generator's frame, vif, clock, counters and waiting. Threading: the generator's thread. Sending allocates
 * nothing.
 */
final class TcpClient
{
    /**
     * What the receiving connections together offer the peer: the backend's queue in front of the rx ring (512 KiB, as
     * Linux netback's), so a sender that bursts a whole window into a momentarily full rx ring loses none of it (gen
     * drops what follows a gap, and every loss costs a round trip or a timeout); a receiver's buffer, as Linux sizes
     * its window from its socket buffer.
     */
    private static final int RECEIVE_BUFFER_BYTES = 512 << 10;
    /** Acknowledge at least every this many in-order segments (else once per poll). */
    private static final int ACK_EVERY = 4;
    /** At most one challenge ACK per connection this often (RFC 5961 7; Linux's {@code tcp_invalid_ratelimit}). */
    static final long CHALLENGE_ACK_INTERVAL_NS = 500_000_000L;

    private final TrafficGenerator generator;
    private final TcpConnections connections = new TcpConnections();
    private final TcpSegmentWriter writer;
    private final TcpHandshake handshake;
    private final TcpClose close;
    /** Received data counts only while this is set (the measured time). */
    private boolean measuring;

    TcpClient(final TrafficGenerator generator)
    {
        this.generator = generator;
        // made while the generator is constructed: its vif is read when a segment goes, not now
        this.writer = new TcpSegmentWriter(generator.builder, generator.frame, generator::ipv4Headers,
            (buffer, offset, length, metadata) ->
            {
                final int status = generator.frontend.transmit(buffer, offset, length, metadata);
                generator.frontend.flush();
                return status;
            });
        this.handshake = new TcpHandshake(generator, connections, writer);
        this.close = new TcpClose(generator, connections, writer);
    }

    /** Runs {@code spec} on the generator's counters (already begun with {@code spec.flows()} flows). */
    TrafficReport run(final TcpSpec spec)
    {
        GenCounters counters = generator.counters;
        final GenListener listener = generator.listener;
        final NanoClock clock = generator.clock;
        final int flows = spec.flows();
        final boolean sends = spec.sends();
        measuring = false;
        writer.receiveWindow(Math.max(1, Math.min(TcpSegmentWriter.WINDOW,
            (RECEIVE_BUFFER_BYTES / flows) >> TcpSegmentWriter.WINDOW_SCALE)));
        connections.begin(spec, clock.nanoTime());
        final int mtuMss = mtuMss();
        final String failure = handshake.run(clock, mtuMss);
        if (failure != null)
        {
            handshake.abort();
            return TrafficReport.failed(failure);
        }
        long start = clock.nanoTime();
        for (int flow = 0; flow < flows && sends; flow++)
        {
            final TcpConnection connection = connections.sending(flow);
            final int mss = Math.min(connection.peerMss, mtuMss);
            final int segment = segment(spec, mss);
            connection.total = spec.count() > 0 ? TrafficGenerator.flowShare(spec.count(), flow, flows) * segment :
                Long.MAX_VALUE / 4;
            connection.send.start(connection.firstSequence(), connection.peerWindow, connection.windowShift, mss,
                connection.handshakeRttNs);
            counters.congestionWindow[flow] = connection.send.congestionWindow();
        }
        generator.runStartNs = start;
        measuring = true;
        final long omitEnd = start + spec.omitNs();
        boolean omitting = spec.omitNs() > 0;
        long end = omitEnd + spec.durationNs();
        final long gapNs = spec.rate() > 0 ? Math.max(1, 1_000_000_000L / spec.rate()) : 0;
        final long intervalNs = spec.intervalNs();
        long next = start;
        long nextInterval = intervalNs > 0 ? start + intervalNs : Long.MAX_VALUE;
        long lastInterval = start;
        int nextFlow = 0;
        long now = start;
        while (now - end < 0 && !connections.done(generator.counters.receivedPayloadBytes))
        {
            int work = generator.poll();
            now = clock.nanoTime();
            if (omitting && now - omitEnd >= 0)
            {
                // the warm-up (slow start included) is over: its last line, then the measured run from zero
                listener.onOmitted(counters, lastInterval - start, now - start);
                omitting = false;
                generator.restartCounters(flows);
                counters = generator.counters;
                for (int flow = 0; flow < flows && sends; flow++)
                {
                    final TcpConnection connection = connections.sending(flow);
                    connection.warmUpInFlight = connection.send.unacknowledged(); // up to the highest byte sent
                    counters.congestionWindow[flow] = connection.send.congestionWindow();
                }
                start = now;
                generator.runStartNs = now;
                end = now + spec.durationNs();
                lastInterval = now;
                nextInterval = intervalNs > 0 ? now + intervalNs : Long.MAX_VALUE;
            }
            else if (now - nextInterval >= 0)
            {
                if (omitting)
                {
                    listener.onOmitted(counters, lastInterval - start, now - start);
                }
                else
                {
                    listener.onInterval(counters, lastInterval - start, now - start);
                }
                lastInterval = now;
                do
                {
                    nextInterval += intervalNs; // after a stall the next line ends at the next boundary, one line for it
                }
                while (nextInterval - now <= 0);
            }
            if (sends)
            {
                for (int i = 0; i < flows; i++)
                {
                    final int flow = nextFlow + i < flows ? nextFlow + i : nextFlow + i - flows;
                    final TcpConnection connection = connections.sending(flow);
                    if (connection.resets > 0)
                    {
                        continue; // the peer reset it: nothing more goes on it
                    }
                    if (connection.send.checkTimeout(now))
                    {
                        counters.retransmitRounds[flow]++;
                        counters.congestionWindow[flow] = connection.send.congestionWindow(); // 1 MSS now
                    }
                    if (gapNs > 0 && now - next < 0)
                    {
                        continue;
                    }
                    final int mss = Math.min(connection.peerMss, mtuMss);
                    final boolean resend = connection.send.resending();
                    final int sent = writer.data(connection, segment(spec, mss), mss, now);
                    if (sent > 0)
                    {
                        counters.tcpSent(flow, writer.headerBytes() + sent, sent, resend);
                        next += gapNs;
                        work++;
                    }
                    else if (sent < 0)
                    {
                        counters.ringFullWaits++;
                        break; // the ring is full: wait for the backend instead of trying every connection
                    }
                }
                nextFlow = nextFlow + 1 < flows ? nextFlow + 1 : 0;
                if (gapNs > 0 && now - next > 100_000_000L)
                {
                    next = now; // more than 100 ms behind the rate (a stall): do not burst to catch up
                }
            }
            work += connections.sendPendingAcks(writer);
            generator.idle(work);
        }
        final long elapsed = clock.nanoTime() - start;
        measuring = false;
        final boolean closed = close.run(clock, spec, mtuMss);
        final long last = clock.nanoTime();
        listener.onInterval(counters, lastInterval - start, Math.max(lastInterval, Math.min(last, end)) - start);
        return new TrafficReport(counters, elapsed, closed, null, unacknowledged(), connections.resetInRun());
    }

    /** {@return the payload bytes of one data segment: the requested size, cut to the MSS unless TSO splits it} */
    static int segment(final TcpSpec spec, final int mss)
    {
        return spec.tso() ? spec.size() : Math.min(spec.size(), mss);
    }

    /** {@return the MSS the vif's MTU allows: what gen's SYN announces, the most a segment carries} */
    private int mtuMss()
    {
        return generator.frontend.config().mtu() - Ipv4Header.MIN_LENGTH - TcpHeader.MIN_LENGTH;
    }

    /** {@return bytes the sending connections sent that their peer never acknowledged (0 after a clean close)} */
    private long unacknowledged()
    {
        long unacknowledged = 0;
        for (int flow = 0; flow < connections.flows() && connections.sends(); flow++)
        {
            unacknowledged += connections.sending(flow).send.unacknowledged();
        }
        return unacknowledged;
    }

    /**
     * A TCP segment for flow {@code flow} from the peer's port {@code sourcePort}: handed to that flow's sending or
     * receiving connection.
     */
    void onSegment(final int flow, final int sourcePort, final DirectBuffer buffer, final int l4, final int l4Length)
    {
        final TcpConnection connection = connections.forSegment(flow, sourcePort);
        final int headerLength = TcpHeader.headerLength(buffer, l4);
        if (connection == null || headerLength < TcpHeader.MIN_LENGTH || headerLength > l4Length)
        {
            return;
        }
        final int tcpFlags = TcpHeader.flags(buffer, l4);
        if ((tcpFlags & TcpHeader.RST) != 0)
        {
            if (connection.established() && connection.resets == 0 && !connection.resetSent &&
                TcpHeader.sequence(buffer, l4) != connection.rcvNxt)
            {
                onResetOffThePoint(connection, TcpHeader.sequence(buffer, l4));
                return;
            }
            if (connection.resets++ == 0 && connection.established() && !close.closing() && !connection.resetSent)
            {
                onPeerReset(connection);
            }
            return; // done: nothing more goes on it, the close stops on it (not clean)
        }
        if (connection.resetSent)
        {
            // RFC 5961 3.2: a RST in the peer's window but not at its receive point gets a challenge ACK carrying that
            // point; a RST exactly there it takes (answered once: a peer that took the first sends nothing)
            if ((tcpFlags & TcpHeader.ACK) != 0)
            {
                connection.resetSent = false;
                writer.reset(connection, TcpHeader.acknowledgment(buffer, l4));
            }
            return;
        }
        if (connection.resets > 0 && connection.established())
        {
            return; // the peer reset it: what comes after is not taken, nothing is answered
        }
        if ((tcpFlags & (TcpHeader.SYN | TcpHeader.ACK)) == (TcpHeader.SYN | TcpHeader.ACK))
        {
            connection.onSynAck(buffer, l4, l4Length, generator.clock.nanoTime());
            // the handshake's ACK; again for a repeated SYN-ACK (ours was lost): a server that writes starts on it
            writer.segment(connection, connection.nextSequence(), connection.rcvNxt, TcpHeader.ACK, 0, 0);
            return;
        }
        if (!connection.established())
        {
            return;
        }
        final int payload = l4Length - headerLength;
        final boolean fin = (tcpFlags & TcpHeader.FIN) != 0;
        final boolean closing = close.closing();
        if ((tcpFlags & TcpHeader.ACK) != 0 && (closing || (connection.sender && measuring)))
        {
            final long now = generator.clock.nanoTime();
            final boolean finAcknowledged = connection.send.finAcknowledged();
            final long rounds = connection.send.goBackRounds();
            final long newly = connection.send.onAck(TcpHeader.acknowledgment(buffer, l4), TcpHeader.window(buffer, l4),
                payload == 0 && !fin, now);
            if (connection.sender)
            {
                generator.counters.retransmitRounds[flow] += connection.send.goBackRounds() - rounds; // a fast retransmit
                generator.counters.congestionWindow[flow] = connection.send.congestionWindow();
            }
            if (newly > 0 || connection.send.finAcknowledged() != finAcknowledged)
            {
                close.progress(now);
            }
            if (connection.sender)
            {
                final long warmUp = Math.min(newly, connection.warmUpInFlight);
                connection.warmUpInFlight -= warmUp; // sent before the measured run: not its answer
                connection.acked += newly;
                if (newly > warmUp)
                {
                    generator.counters.answeredFrames[flow]++;
                    generator.counters.answeredPayloadBytes[flow] += newly - warmUp;
                }
            }
        }
        if (payload > 0 || fin)
        {
            final long seq = TcpHeader.sequence(buffer, l4);
            final boolean peerFin = connection.peerFin;
            final int inOrder = connection.onData(seq, payload, fin);
            if (closing && (inOrder > 0 || connection.peerFin != peerFin))
            {
                close.progress(generator.clock.nanoTime());
            }
            if (!connection.sender && measuring)
            {
                final GenCounters counters = generator.counters;
                if (inOrder > 0)
                {
                    counters.receivedFrames[flow]++;
                    counters.receivedExpected[flow]++;
                    counters.receivedPayloadBytes[flow] += inOrder;
                }
                else if (payload > 0 && seq != connection.rcvNxt)
                {
                    counters.receivedOutOfOrder++;
                }
            }
            if (connection.ackNow || connection.ackPending >= ACK_EVERY)
            {
                writer.ack(connection);
            }
        }
    }

    /**
     * RFC 5961 3.2: a RST of an open connection not exactly at its receive point may be blind (spoofed). Outside the
     * window gen offers (rule 1) it is dropped silently; inside it gets a challenge ACK carrying the receive point
     * (rule 3), which a peer that did reset answers with a RST exactly there, and a blind attacker never sees. The
     * challenge ACKs are limited per connection (RFC 5961 7): at most one per {@link #CHALLENGE_ACK_INTERVAL_NS}, as
     * Linux limits every out-of-window answer of a socket ({@code tcp_invalid_ratelimit}, 500 ms), so a flood of
     * in-window RSTs costs gen one small segment per half second per connection, not one per RST; Linux's
     * host-wide {@code tcp_challenge_ack_limit} has no counterpart, since gen's connections are few and its own. A
     * peer that did reset and whose answer was lost is challenged again after the interval.
     */
    private void onResetOffThePoint(final TcpConnection connection, final long seq)
    {
        final GenCounters counters = generator.counters;
        if (((seq - connection.rcvNxt) & TcpSendWindow.SEQUENCE_MASK) >= writer.windowBytes(connection))
        {
            counters.resetsOutOfWindow++;
            return;
        }
        final long now = generator.clock.nanoTime();
        if (connection.challenged && now - connection.lastChallengeNs < CHALLENGE_ACK_INTERVAL_NS)
        {
            counters.challengeAcksLimited++;
            return;
        }
        connection.challenged = true;
        connection.lastChallengeNs = now;
        connection.ackNow = true; // the ACK goes with this poll's
        counters.challengeAcks++;
    }

    /**
     * The peer reset {@code connection} in the run: it ends here (the run loop skips it, {@link TcpConnections#done}
     * waits no longer for it, the close leaves it), and the listener is told at once with what it got so far.
     */
    private void onPeerReset(final TcpConnection connection)
    {
        final long now = generator.clock.nanoTime();
        connection.resetInRunNs = Math.max(0, now - generator.runStartNs);
        generator.listener.onPeerReset(connection.flow, connection.sender, connection.resetInRunNs,
            connection.sender ? connection.acked : connection.received,
            connection.sender ? connection.send.unacknowledged() : 0);
    }
}
