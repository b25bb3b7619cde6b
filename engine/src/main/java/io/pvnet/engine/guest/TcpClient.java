package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.TcpHeader;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.netif.NetifConstants;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The TCP side of a {@link TrafficGenerator}, as iperf3's client: {@code -P} connections per direction, each its own
 * flow and 5-tuple. A sending connection (SYN with MSS and window scale, segments or TSO frames within the peer's
 * window, {@link TcpSendWindow}'s go-back-N recovery, FIN) talks to a discard server or a kernel socket that reads
 * (answered = bytes acknowledged); a receiving connection ({@code --reverse}, {@code --bidir}) connects to a server that
 * writes as soon as it accepts (the guest's chargen server, a kernel socket, as iperf3 {@code -R}'s server sends),
 * takes in-order data, drops what follows a gap and acknowledges at once so the peer resends (received = in-order
 * payload bytes), and at the end sends FIN, acknowledging what still comes until the peer's FIN, else resets.
 * <p>
 * Uses its generator's frame, vif, clock, counters and waiting. Threading: the generator's thread. Sending allocates
 * nothing.
 */
final class TcpClient
{
    private static final long RETRY_NS = 300_000_000L;
    private static final long HANDSHAKE_NS = 5_000_000_000L;
    private static final long CLOSE_NS = 2_000_000_000L;
    private static final int WINDOW = 65535;
    private static final int WINDOW_SCALE = 7;
    private static final int WINDOW_SCALE_OPTION = 0x0103_0300 | WINDOW_SCALE; // NOP, window scale 7
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
    /** Describes the segments sent (the generator's thread only, reused). */
    private final FrameMetadata segmentMetadata = new FrameMetadata();
    private final TcpConnection[] sending = new TcpConnection[TrafficGenerator.MAX_FLOWS];
    private final TcpConnection[] receiving = new TcpConnection[TrafficGenerator.MAX_FLOWS];
    private int flows;
    private boolean sends;
    private boolean receives;
    private int port;
    private int reversePort;
    /** Received data counts only while this is set (the measured time). */
    private boolean measuring;
    /** Window field of the receiving connections' segments (scaled by {@link #WINDOW_SCALE} at the peer). */
    private int receiveWindow = WINDOW;

    TcpClient(final TrafficGenerator generator)
    {
        this.generator = generator;
        for (int i = 0; i < TrafficGenerator.MAX_FLOWS; i++)
        {
            sending[i] = new TcpConnection();
            receiving[i] = new TcpConnection();
        }
    }

    /** Runs {@code spec} on the generator's counters (already begun with {@code spec.flows()} flows). */
    TrafficReport run(final TcpSpec spec)
    {
        GenCounters counters = generator.counters;
        final GenListener listener = generator.listener;
        final NanoClock clock = generator.clock;
        flows = spec.flows();
        sends = spec.sends();
        receives = spec.receives();
        port = spec.port();
        reversePort = spec.reversePort();
        measuring = false;
        receiveWindow = Math.max(1, Math.min(WINDOW, (RECEIVE_BUFFER_BYTES / flows) >> WINDOW_SCALE));
        for (int flow = 0; flow < flows; flow++)
        {
            sending[flow].reset(flow, TrafficGenerator.SOURCE_PORT + flow, port, true, 0, clock.nanoTime());
            receiving[flow].reset(flow, TrafficGenerator.SOURCE_PORT + flow, reversePort, false,
                spec.count() > 0 ? TrafficGenerator.flowShare(spec.count(), flow, flows) * spec.size() : Long.MAX_VALUE,
                clock.nanoTime());
        }
        final String failure = handshake(clock);
        if (failure != null)
        {
            abort();
            return TrafficReport.failed(failure);
        }
        final int mtuMss = generator.frontend.config().mtu() - Ipv4Header.MIN_LENGTH - TcpHeader.MIN_LENGTH;
        long start = clock.nanoTime();
        for (int flow = 0; flow < flows && sends; flow++)
        {
            final TcpConnection connection = sending[flow];
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
        while (now - end < 0 && !done())
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
                    sending[flow].warmUpInFlight = sending[flow].send.inFlight();
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
                    final TcpConnection connection = sending[flow];
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

    /** @return null when every connection is established, else why not. */
    private String handshake(final NanoClock clock)
    {
        final long deadline = clock.nanoTime() + HANDSHAKE_NS;
        long nextSyn = clock.nanoTime();
        while (clock.nanoTime() - deadline < 0)
        {
            if (firstUnestablished() == null)
            {
                return null;
            }
            if (clock.nanoTime() - nextSyn >= 0)
            {
                for (int flow = 0; flow < flows; flow++)
                {
                    synIfNeeded(sends ? sending[flow] : null);
                    synIfNeeded(receives ? receiving[flow] : null);
                }
                generator.frontend.flush();
                nextSyn = clock.nanoTime() + RETRY_NS;
            }
            generator.idle(generator.poll());
        }
        final TcpConnection missing = firstUnestablished();
        if (missing == null)
        {
            return null;
        }
        int established = 0;
        for (int flow = 0; flow < flows; flow++)
        {
            established += (sends && sending[flow].established() ? 1 : 0) + (receives && receiving[flow].established() ? 1 : 0);
        }
        final int total = flows * ((sends ? 1 : 0) + (receives ? 1 : 0));
        return "no SYN-ACK from " + TrafficGenerator.dottedQuad(generator.destinationIp) + ":" + missing.remotePort +
            (missing.resets > 0 ? " (reset)" : "") + (total > 1 ? " (" + established + " of " + total +
            " connections established)" : "");
    }

    private void synIfNeeded(final TcpConnection connection)
    {
        if (connection != null && !connection.established())
        {
            sendTcp(connection, connection.initialSequence, 0, TcpHeader.SYN, 0, true, 0);
        }
    }

    private TcpConnection firstUnestablished()
    {
        for (int flow = 0; flow < flows; flow++)
        {
            if (sends && !sending[flow].established())
            {
                return sending[flow];
            }
            if (receives && !receiving[flow].established())
            {
                return receiving[flow];
            }
        }
        return null;
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
        final int status = sendTcp(connection, window.sndNxt(), connection.rcvNxt, TcpHeader.PSH | TcpHeader.ACK,
            length, false, length > mss ? mss : 0);
        if (status != VifFrontend.OK)
        {
            return -1;
        }
        window.sent(length);
        return length;
    }

    private boolean done()
    {
        for (int flow = 0; flow < flows; flow++)
        {
            if ((sends && sending[flow].acked < sending[flow].total) ||
                (receives && generator.counters.receivedPayloadBytes[flow] < receiving[flow].total))
            {
                return false;
            }
        }
        return true;
    }

    /** Acknowledges what the receiving connections took since their last ACK. @return ACKs sent. */
    private int sendPendingAcks()
    {
        if (!receives)
        {
            return 0;
        }
        int sent = 0;
        for (int flow = 0; flow < flows; flow++)
        {
            final TcpConnection connection = receiving[flow];
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
        if (sendTcp(connection, connection.nextSequence(), connection.rcvNxt, TcpHeader.ACK, 0, false, 0) == VifFrontend.OK)
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
        final long deadline = clock.nanoTime() + CLOSE_NS;
        long nextFin = 0;
        while (clock.nanoTime() - deadline < 0 && !allClosed())
        {
            if (clock.nanoTime() - nextFin >= 0)
            {
                for (int flow = 0; flow < flows; flow++)
                {
                    if (sends && !sending[flow].finAcked(sending[flow].send.sndNxt()))
                    {
                        fin(sending[flow], sending[flow].send.sndNxt());
                    }
                    if (receives && !receiving[flow].finAcked(receiving[flow].firstSequence()))
                    {
                        fin(receiving[flow], receiving[flow].firstSequence());
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
            final TcpConnection out = sending[flow];
            if (sends && out.finAcked(out.send.sndNxt()) && out.send.inFlight() > 0)
            {
                // the FIN's acknowledgment covers every byte before it: what was in flight when sending ended is answered
                counters.answeredFrames[flow]++;
                counters.answeredPayloadBytes[flow] += out.send.inFlight() - Math.min(out.warmUpInFlight,
                    out.send.inFlight());
                out.acked += out.send.inFlight();
            }
            if (sends && !out.finAcked(out.send.sndNxt()))
            {
                clean = false;
                reset(out, out.send.sndNxt());
            }
            else if (sends && out.peerFin && !out.finAckSent)
            {
                sendTcp(out, (out.send.sndNxt() + 1) & TcpSendWindow.SEQUENCE_MASK, out.rcvNxt, TcpHeader.ACK, 0, false, 0);
            }
            final TcpConnection in = receiving[flow];
            if (receives && !(in.finAcked(in.firstSequence()) && in.peerFin))
            {
                clean = false;
                reset(in, in.nextSequence());
            }
        }
        generator.frontend.flush();
        return clean;
    }

    private boolean allClosed()
    {
        for (int flow = 0; flow < flows; flow++)
        {
            // a sending connection waits for the peer's FIN too, to acknowledge it: a peer left in LAST-ACK would
            // answer the next run's SYN on the same ports with a challenge ACK instead of a SYN-ACK
            if ((sends && !(sending[flow].finAcked(sending[flow].send.sndNxt()) && sending[flow].peerFin)) ||
                (receives && !(receiving[flow].finAcked(receiving[flow].firstSequence()) && receiving[flow].peerFin)))
            {
                return false;
            }
        }
        return true;
    }

    private void fin(final TcpConnection connection, final long seq)
    {
        connection.finSent = true;
        sendTcp(connection, seq, connection.rcvNxt, TcpHeader.FIN | TcpHeader.ACK, 0, false, 0);
    }

    private void reset(final TcpConnection connection, final long seq)
    {
        sendTcp(connection, seq & TcpSendWindow.SEQUENCE_MASK, 0, TcpHeader.RST, 0, false, 0);
    }

    /** Resets the connections that were established before the run failed, so their peers free them. */
    private void abort()
    {
        for (int flow = 0; flow < flows; flow++)
        {
            if (sends && sending[flow].established())
            {
                reset(sending[flow], sending[flow].firstSequence());
            }
            if (receives && receiving[flow].established())
            {
                reset(receiving[flow], receiving[flow].firstSequence());
            }
        }
        generator.frontend.flush();
    }

    private int sendTcp(
        final TcpConnection connection, final long seq, final long ack, final int flags, final int payload,
        final boolean syn, final int gso)
    {
        generator.ipv4Headers();
        final FrameBuilder builder = generator.builder;
        final UnsafeBuffer frame = generator.frame;
        final VifFrontend frontend = generator.frontend;
        // a SYN's window is never scaled (RFC 7323); a receiving connection offers its share of the receive buffer
        builder.tcp(connection.localPort, connection.remotePort, seq, ack, flags,
            syn || connection.sender ? WINDOW : receiveWindow);
        if (syn)
        {
            builder.tcpMss(frontend.config().mtu() - Ipv4Header.MIN_LENGTH - TcpHeader.MIN_LENGTH)
                .tcpOption(WINDOW_SCALE_OPTION);
        }
        final int data = builder.payloadOffset();
        for (int i = 0; i < payload; i += 64)
        {
            frame.putByte(data + i, (byte)i);
        }
        final boolean partial = gso > 0;
        builder.payloadLength(payload);
        final int length = partial ? builder.buildPartial() : builder.build();
        final int status = frontend.transmit(frame, 0, length, segmentMetadata.set(
            partial ? FrameFlags.CSUM_PARTIAL : 0, gso, partial ? NetifConstants.XEN_NETIF_GSO_TYPE_TCPV4 : 0));
        frontend.flush();
        return status;
    }

    /**
     * A TCP segment for flow {@code flow} from the peer's port {@code sourcePort}: handed to that flow's sending or
     * receiving connection.
     */
    void onSegment(final int flow, final int sourcePort, final DirectBuffer buffer, final int l4, final int l4Length)
    {
        final TcpConnection connection = sends && sourcePort == port ? sending[flow] :
            receives && sourcePort == reversePort ? receiving[flow] : null;
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
            sendTcp(connection, connection.established() && connection.sender && measuring ? connection.send.sndNxt() :
                connection.firstSequence(), connection.rcvNxt, TcpHeader.ACK, 0, false, 0);
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
