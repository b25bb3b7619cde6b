package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.TcpHeader;
import io.pvnet.engine.VifFrontend;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;

/**
 * The TCP side of a {@link TrafficGenerator}, as iperf3's client: {@code -P} connections per direction, each its own
 * flow and 5-tuple. A sending connection (SYN with MSS and window scale, segments or TSO frames within the peer's
 * window, {@link TcpSendWindow}'s go-back-N recovery, FIN) talks to a discard server or a kernel socket that reads
 * (answered = bytes acknowledged); a receiving connection ({@code --reverse}, {@code --bidir}) connects to a server that
 * writes as soon as it accepts (the guest's chargen server, a kernel socket, as iperf3 {@code -R}'s server sends),
 * takes in-order data, drops what follows a gap and acknowledges at once so the peer resends (received = in-order
 * payload bytes). At the end every connection closes as RFC 9293 has it ({@link #close}).
 * <p>
 * This class is the run: the measured loop (warm-up, interval lines, pacing, one segment per connection in turn), the
 * acknowledgments and the close; {@link TcpConnections} holds the connections and answers for all of them at once,
 * {@link TcpHandshake} opens them, {@link TcpConnection} and {@link TcpSendWindow} keep one connection's state, and
 * {@link TcpSegmentWriter} builds the segments.
 * <p>
 * Uses its generator's frame, vif, clock, counters and waiting. Threading: the generator's thread. Sending allocates
 * nothing.
 */
final class TcpClient
{
    /**
     * The close gives up after this long without progress (no byte or FIN newly acknowledged, no data or FIN received
     * in order): ten retransmission timeouts ({@link TcpSendWindow#GO_BACK_NS}), so a loaded machine that answers
     * slowly but answers still closes, and a peer that stopped answering costs two seconds.
     */
    private static final long CLOSE_IDLE_NS = 2_000_000_000L;
    /** The close gives up after this long whatever the progress (a peer that trickles). */
    private static final long CLOSE_MAX_NS = 10_000_000_000L;
    /** How long a close that ended in resets still answers the peers' challenge ACKs (RFC 5961 3.2) with a RST. */
    private static final long CHALLENGE_ACK_WAIT_NS = 50_000_000L;
    /**
     * What the receiving connections together offer the peer: the backend's queue in front of the rx ring (512 KiB, as
     * Linux netback's), so a sender that bursts a whole window into a momentarily full rx ring loses none of it (gen
     * drops what follows a gap, and every loss costs a round trip or a timeout); a receiver's buffer, as Linux sizes
     * its window from its socket buffer.
     */
    private static final int RECEIVE_BUFFER_BYTES = 512 << 10;
    /** Acknowledge at least every this many in-order segments (else once per poll). */
    private static final int ACK_EVERY = 4;

    private final TrafficGenerator generator;
    private final TcpConnections connections = new TcpConnections();
    private final TcpSegmentWriter writer;
    private final TcpHandshake handshake;
    /** Received data counts only while this is set (the measured time). */
    private boolean measuring;
    /** Set from the end of the measured time: acknowledgments still count (of data sent in it), FINs go out. */
    private boolean closing;
    /** While closing: when a connection last made progress (the close's idle timeout runs from it). */
    private long closeProgressNs;

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
        closing = false;
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
                start);
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
                    connection.warmUpInFlight = connection.send.inFlight();
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
                    if (connection.send.checkTimeout(now))
                    {
                        counters.retransmitRounds[flow]++;
                    }
                    if (gapNs > 0 && now - next < 0)
                    {
                        continue;
                    }
                    final int mss = Math.min(connection.peerMss, mtuMss);
                    final int segment = segment(spec, mss);
                    final int sent = sendData(connection, segment, mss);
                    if (sent > 0)
                    {
                        counters.sentFrames[flow]++;
                        counters.sentFrameBytes[flow] += generator.builder.payloadOffset() + sent;
                        counters.sentPayloadBytes[flow] += sent;
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
            work += sendPendingAcks();
            generator.idle(work);
        }
        final long elapsed = clock.nanoTime() - start;
        measuring = false;
        final boolean closed = close(clock, spec, mtuMss);
        final long last = clock.nanoTime();
        listener.onInterval(counters, lastInterval - start, Math.max(lastInterval, Math.min(last, end)) - start);
        return new TrafficReport(counters, elapsed, closed, null, unacknowledged());
    }

    /** {@return the payload bytes of one data segment: the requested size, cut to the MSS unless TSO splits it} */
    private static int segment(final TcpSpec spec, final int mss)
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

    /** @return payload bytes sent, 0 when the window (or what is left) allows none, -1 when the ring is full. */
    private int sendData(final TcpConnection connection, final int segment, final int mss)
    {
        final TcpSendWindow window = connection.send;
        final long remaining = connection.total - connection.acked - window.inFlight();
        final int length = window.nextLength(segment, remaining, mss);
        if (length <= 0)
        {
            return 0;
        }
        final int status = writer.segment(connection, window.sndNxt(), connection.rcvNxt, TcpHeader.PSH | TcpHeader.ACK,
            length, length > mss ? mss : 0);
        if (status != VifFrontend.OK)
        {
            return -1;
        }
        window.sent(length);
        return length;
    }

    /**
     * Acknowledges what the receiving connections took since their last ACK, and what a sending connection owes (the
     * peer's FIN, when the ring was full as it came). @return ACKs sent.
     */
    private int sendPendingAcks()
    {
        int sent = 0;
        for (int flow = 0; flow < connections.flows(); flow++)
        {
            if (connections.receives())
            {
                sent += ackIfPending(connections.receiving(flow));
            }
            if (connections.sends())
            {
                sent += ackIfPending(connections.sending(flow));
            }
        }
        return sent;
    }

    private int ackIfPending(final TcpConnection connection)
    {
        if (connection.ackPending > 0 || connection.ackNow)
        {
            ack(connection);
            return 1;
        }
        return 0;
    }

    private void ack(final TcpConnection connection)
    {
        if (writer.segment(connection, connection.nextSequence(), connection.rcvNxt, TcpHeader.ACK, 0, 0) ==
            VifFrontend.OK)
        {
            connection.ackPending = 0;
            connection.ackNow = false;
        }
    }

    /**
     * Closes every connection as RFC 9293 3.6 does, on the send windows' timers: a sending connection resends what is
     * still unacknowledged (the data before its FIN, lost or not yet answered when the run ended), then its FIN after
     * the highest byte it sent; a receiving connection sends its FIN at once. A FIN lost or unanswered goes again with
     * the retransmission timeout; the peers' data and FINs are acknowledged as they come. Acknowledgments of data sent
     * in the measured time still count as its answers; what is resent now is not counted as sent. Gives up after
     * {@link #CLOSE_IDLE_NS} without progress (or {@link #CLOSE_MAX_NS} in all) and resets what did not close, so its
     * peer frees it. No TIME-WAIT: the client only measures, and its next run starts with a new initial sequence number.
     *
     * @return whether every connection closed both ways.
     */
    private boolean close(final NanoClock clock, final TcpSpec spec, final int mtuMss)
    {
        final int flows = connections.flows();
        final boolean sends = connections.sends();
        final boolean receives = connections.receives();
        final long begin = clock.nanoTime();
        for (int flow = 0; flow < flows; flow++)
        {
            if (sends)
            {
                connections.sending(flow).send.close();
            }
            if (receives)
            {
                final TcpConnection in = connections.receiving(flow);
                in.send.start(in.firstSequence(), in.peerWindow, in.windowShift, mtuMss, begin);
                in.send.close();
            }
        }
        closing = true;
        closeProgressNs = begin;
        long now = begin;
        while (!connections.allClosed() && now - closeProgressNs <= CLOSE_IDLE_NS && now - begin <= CLOSE_MAX_NS)
        {
            int work = generator.poll();
            now = clock.nanoTime();
            for (int flow = 0; flow < flows; flow++)
            {
                if (sends)
                {
                    final TcpConnection out = connections.sending(flow);
                    final int mss = Math.min(out.peerMss, mtuMss);
                    work += closeStep(out, now, segment(spec, mss), mss);
                }
                if (receives)
                {
                    work += closeStep(connections.receiving(flow), now, 0, mtuMss);
                }
            }
            work += sendPendingAcks();
            generator.idle(work);
        }
        closing = false;
        boolean clean = true;
        boolean resetSent = false;
        for (int flow = 0; flow < flows; flow++)
        {
            clean &= resetUnlessClosed(sends ? connections.sending(flow) : null);
            clean &= resetUnlessClosed(receives ? connections.receiving(flow) : null);
            resetSent |= (sends && connections.sending(flow).resetSent) || (receives && connections.receiving(flow).resetSent);
        }
        generator.frontend.flush();
        if (resetSent)
        {
            // a peer that took more than it acknowledged answers our RST with a challenge ACK: onSegment resets there
            final long end = clock.nanoTime() + CHALLENGE_ACK_WAIT_NS;
            while (clock.nanoTime() - end < 0)
            {
                final int work = generator.poll();
                generator.frontend.flush();
                generator.idle(work);
            }
        }
        return clean;
    }

    /** One closing connection's turn: its timer, the data still to resend before its FIN, the FIN. @return work. */
    private int closeStep(final TcpConnection connection, final long now, final int segment, final int mss)
    {
        final TcpSendWindow window = connection.send;
        if (window.finAcknowledged() || connection.resets > 0)
        {
            return 0; // nothing more to send: acknowledged, or the peer reset the connection
        }
        int work = 0;
        if (window.checkTimeout(now))
        {
            work++;
            if (connection.sender)
            {
                generator.counters.retransmitRounds[connection.flow]++;
            }
        }
        if (connection.sender && sendData(connection, segment, mss) != 0)
        {
            return work + 1; // data before the FIN (or a full ring): the FIN waits
        }
        if (window.finDue() && writer.fin(connection, window.finSequence()) == VifFrontend.OK)
        {
            window.finSent(now);
            work++;
        }
        return work;
    }

    /** @return whether {@code connection} (null: none) closed both ways; else it is reset (unless the peer reset it). */
    private boolean resetUnlessClosed(final TcpConnection connection)
    {
        if (connection == null || connection.closed())
        {
            return true;
        }
        if (connection.resets == 0)
        {
            writer.reset(connection, connection.resetSequence());
            connection.resetSent = true;
        }
        return false;
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
            connection.resets++; // done: the close stops on it (not clean)
            return;
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
        if ((tcpFlags & (TcpHeader.SYN | TcpHeader.ACK)) == (TcpHeader.SYN | TcpHeader.ACK))
        {
            connection.onSynAck(buffer, l4, l4Length);
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
        if ((tcpFlags & TcpHeader.ACK) != 0 && (closing || (connection.sender && measuring)))
        {
            final long now = generator.clock.nanoTime();
            final boolean finAcknowledged = connection.send.finAcknowledged();
            final long newly = connection.send.onAck(TcpHeader.acknowledgment(buffer, l4), TcpHeader.window(buffer, l4),
                payload == 0 && !fin, now);
            if (newly > 0 || connection.send.finAcknowledged() != finAcknowledged)
            {
                closeProgressNs = now;
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
                closeProgressNs = generator.clock.nanoTime();
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
                ack(connection);
            }
        }
    }
}
