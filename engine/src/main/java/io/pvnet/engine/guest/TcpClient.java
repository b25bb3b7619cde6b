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
 * payload bytes), and at the end sends FIN, acknowledging what still comes until the peer's FIN, else resets.
 * <p>
 * This class is the run: the handshakes, the measured loop (warm-up, interval lines, pacing, one segment per
 * connection in turn), the acknowledgments and the close; {@link TcpConnections} holds the connections and answers
 * for all of them at once, {@link TcpConnection} and {@link TcpSendWindow} keep one connection's state, and
 * {@link TcpSegmentWriter} builds the segments.
 * <p>
 * Uses its generator's frame, vif, clock, counters and waiting. Threading: the generator's thread. Sending allocates
 * nothing.
 */
final class TcpClient
{
    private static final long RETRY_NS = 300_000_000L;
    private static final long HANDSHAKE_NS = 5_000_000_000L;
    private static final long CLOSE_NS = 2_000_000_000L;
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
        final String failure = handshake(clock);
        if (failure != null)
        {
            abort();
            return TrafficReport.failed(failure);
        }
        final int mtuMss = mtuMss();
        long start = clock.nanoTime();
        for (int flow = 0; flow < flows && sends; flow++)
        {
            final TcpConnection connection = connections.sending(flow);
            final int mss = Math.min(connection.peerMss, mtuMss);
            final int segment = spec.tso() ? spec.size() : Math.min(spec.size(), mss);
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
                    final int segment = spec.tso() ? spec.size() : Math.min(spec.size(), mss);
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
        final boolean closed = close(clock);
        final long last = clock.nanoTime();
        listener.onInterval(counters, lastInterval - start, Math.max(lastInterval, Math.min(last, end)) - start);
        return new TrafficReport(counters, elapsed, closed, null);
    }

    /** {@return the MSS the vif's MTU allows: what gen's SYN announces, the most a segment carries} */
    private int mtuMss()
    {
        return generator.frontend.config().mtu() - Ipv4Header.MIN_LENGTH - TcpHeader.MIN_LENGTH;
    }

    /** @return null when every connection is established, else why not. */
    private String handshake(final NanoClock clock)
    {
        final long deadline = clock.nanoTime() + HANDSHAKE_NS;
        long nextSyn = clock.nanoTime();
        while (clock.nanoTime() - deadline < 0)
        {
            if (connections.firstUnestablished() == null)
            {
                return null;
            }
            if (clock.nanoTime() - nextSyn >= 0)
            {
                for (int flow = 0; flow < connections.flows(); flow++)
                {
                    synIfNeeded(connections.sends() ? connections.sending(flow) : null);
                    synIfNeeded(connections.receives() ? connections.receiving(flow) : null);
                }
                generator.frontend.flush();
                nextSyn = clock.nanoTime() + RETRY_NS;
            }
            generator.idle(generator.poll());
        }
        final TcpConnection missing = connections.firstUnestablished();
        if (missing == null)
        {
            return null;
        }
        final int total = connections.count();
        return "no SYN-ACK from " + TrafficGenerator.dottedQuad(generator.destinationIp) + ":" + missing.remotePort +
            (missing.resets > 0 ? " (reset)" : "") + (total > 1 ? " (" + connections.established() + " of " + total +
            " connections established)" : "");
    }

    private void synIfNeeded(final TcpConnection connection)
    {
        if (connection != null && !connection.established())
        {
            writer.syn(connection, mtuMss());
        }
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

    /** Acknowledges what the receiving connections took since their last ACK. @return ACKs sent. */
    private int sendPendingAcks()
    {
        if (!connections.receives())
        {
            return 0;
        }
        int sent = 0;
        for (int flow = 0; flow < connections.flows(); flow++)
        {
            final TcpConnection connection = connections.receiving(flow);
            if (connection.ackPending > 0 || connection.ackNow)
            {
                sent++;
                ack(connection);
            }
        }
        return sent;
    }

    private void ack(final TcpConnection connection)
    {
        if (writer.segment(connection, connection.nextSequence(), connection.rcvNxt, TcpHeader.ACK, 0, 0) ==
            VifFrontend.OK)
        {
            connection.ackPending = 0;
            connection.ackNow = false;
            connection.finAckSent = connection.peerFin;
        }
    }

    /**
     * Sends every connection's FIN (a sending connection's after its data) and waits up to 2 s for the answers,
     * acknowledging the data and FINs the receiving connections still get; resets those whose peer did not close.
     *
     * @return whether every connection closed cleanly.
     */
    private boolean close(final NanoClock clock)
    {
        final int flows = connections.flows();
        final boolean sends = connections.sends();
        final boolean receives = connections.receives();
        final long deadline = clock.nanoTime() + CLOSE_NS;
        long nextFin = 0;
        while (clock.nanoTime() - deadline < 0 && !connections.allClosed())
        {
            if (clock.nanoTime() - nextFin >= 0)
            {
                for (int flow = 0; flow < flows; flow++)
                {
                    final TcpConnection out = connections.sending(flow);
                    if (sends && !TcpConnections.sendingFinAcked(out))
                    {
                        writer.fin(out, out.send.sndNxt());
                    }
                    final TcpConnection in = connections.receiving(flow);
                    if (receives && !TcpConnections.receivingFinAcked(in))
                    {
                        writer.fin(in, in.firstSequence());
                    }
                }
                nextFin = clock.nanoTime() + RETRY_NS;
            }
            final int work = generator.poll() + sendPendingAcks();
            generator.idle(work);
        }
        final GenCounters counters = generator.counters;
        boolean clean = true;
        for (int flow = 0; flow < flows; flow++)
        {
            final TcpConnection out = connections.sending(flow);
            if (sends && TcpConnections.sendingFinAcked(out) && out.send.inFlight() > 0)
            {
                // the FIN's acknowledgment covers every byte before it: what was in flight when sending ended is answered
                counters.answeredFrames[flow]++;
                counters.answeredPayloadBytes[flow] += out.send.inFlight() - Math.min(out.warmUpInFlight,
                    out.send.inFlight());
                out.acked += out.send.inFlight();
            }
            if (sends && !TcpConnections.sendingFinAcked(out))
            {
                clean = false;
                writer.reset(out, out.send.sndNxt());
            }
            else if (sends && out.peerFin && !out.finAckSent)
            {
                writer.segment(out, (out.send.sndNxt() + 1) & TcpSendWindow.SEQUENCE_MASK, out.rcvNxt, TcpHeader.ACK,
                    0, 0);
            }
            final TcpConnection in = connections.receiving(flow);
            if (receives && !(TcpConnections.receivingFinAcked(in) && in.peerFin))
            {
                clean = false;
                writer.reset(in, in.nextSequence());
            }
        }
        generator.frontend.flush();
        return clean;
    }

    /** Resets the connections that were established before the run failed, so their peers free them. */
    private void abort()
    {
        for (int flow = 0; flow < connections.flows(); flow++)
        {
            final TcpConnection out = connections.sending(flow);
            if (connections.sends() && out.established())
            {
                writer.reset(out, out.firstSequence());
            }
            final TcpConnection in = connections.receiving(flow);
            if (connections.receives() && in.established())
            {
                writer.reset(in, in.firstSequence());
            }
        }
        generator.frontend.flush();
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
            connection.resets++;
            return;
        }
        if ((tcpFlags & (TcpHeader.SYN | TcpHeader.ACK)) == (TcpHeader.SYN | TcpHeader.ACK))
        {
            connection.onSynAck(buffer, l4, l4Length);
            // the handshake's ACK; again for a repeated SYN-ACK (ours was lost): a server that writes starts on it
            writer.segment(connection, connection.established() && connection.sender && measuring ?
                connection.send.sndNxt() : connection.firstSequence(), connection.rcvNxt, TcpHeader.ACK, 0, 0);
            return;
        }
        if (!connection.established())
        {
            return;
        }
        final int payload = l4Length - headerLength;
        final boolean fin = (tcpFlags & TcpHeader.FIN) != 0;
        if ((tcpFlags & TcpHeader.ACK) != 0)
        {
            final long ack = TcpHeader.acknowledgment(buffer, l4);
            connection.finAck = ack;
            if (connection.sender && measuring)
            {
                final long newly = connection.send.onAck(ack, TcpHeader.window(buffer, l4), payload == 0 && !fin,
                    generator.clock.nanoTime());
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
            final int inOrder = connection.onData(seq, payload, fin);
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
