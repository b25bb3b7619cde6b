package io.pvnet.engine.guest;

import io.pvnet.engine.VifFrontend;
import org.agrona.concurrent.NanoClock;

/**
 * The end of a {@link TcpClient} run: every connection closes as RFC 9293 3.6 does, on the send windows' retransmission
 * timers. A sending connection resends what is still unacknowledged (the data before its FIN, lost or not yet answered
 * when the run ended), then its FIN after the highest byte it sent; a receiving connection sends its FIN at once. A FIN
 * lost or unanswered goes again when the timer expires; the peers' data and FINs are acknowledged as they come (the
 * client's {@code onSegment}, which tells {@link #progress} here). Acknowledgments of data sent in the measured time
 * still count as its answers; what is resent now counts as retransmitted, never as sent. Gives up after
 * {@link #IDLE_NS} without progress (or {@link #MAX_NS} in all) and resets what did not close, so its peer frees it. No
 * TIME-WAIT: the client only measures, and its next run starts with a new initial sequence number.
 * <p>
 * Threading: the client's (the generator's) thread. Nothing allocates.
 */
final class TcpClose
{
    /**
     * The close gives up after this long without progress (no byte or FIN newly acknowledged, no data or FIN received
     * in order): ten retransmission timeouts at their lower bound ({@link TcpRetransmissionTimer#MIN_RTO_NS}), so a
     * loaded machine that answers slowly but answers still closes, and a peer that stopped answering costs two seconds.
     */
    static final long IDLE_NS = 2_000_000_000L;
    /** The close gives up after this long whatever the progress (a peer that trickles). */
    static final long MAX_NS = 10_000_000_000L;
    /** How long a close that ended in resets still answers the peers' challenge ACKs (RFC 5961 3.2) with a RST. */
    private static final long CHALLENGE_ACK_WAIT_NS = 50_000_000L;

    private final TrafficGenerator generator;
    private final TcpConnections connections;
    private final TcpSegmentWriter writer;
    /** Set while closing: acknowledgments still count (of data sent in the measured time), FINs go out. */
    private boolean closing;
    /** While closing: when a connection last made progress (the idle timeout runs from it). */
    private long progressNs;

    TcpClose(final TrafficGenerator generator, final TcpConnections connections, final TcpSegmentWriter writer)
    {
        this.generator = generator;
        this.connections = connections;
        this.writer = writer;
    }

    /** {@return whether the close runs (the client takes acknowledgments of every connection then)} */
    boolean closing()
    {
        return closing;
    }

    /** A connection made progress at {@code nowNs} (a byte or FIN newly acknowledged, data or a FIN in order). */
    void progress(final long nowNs)
    {
        progressNs = nowNs;
    }

    /**
     * Closes every connection of the run.
     *
     * @param spec   the run (its segment size: what a sending connection resends at most in one frame).
     * @param mtuMss the most a segment carries on this vif.
     * @return whether every connection closed both ways.
     */
    boolean run(final NanoClock clock, final TcpSpec spec, final int mtuMss)
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
                in.send.start(in.firstSequence(), in.peerWindow, in.windowShift, mtuMss, in.handshakeRttNs);
                in.send.close();
            }
        }
        closing = true;
        progressNs = begin;
        long now = begin;
        while (!connections.allClosed() && now - progressNs <= IDLE_NS && now - begin <= MAX_NS)
        {
            int work = generator.poll();
            now = clock.nanoTime();
            for (int flow = 0; flow < flows; flow++)
            {
                if (sends)
                {
                    final TcpConnection out = connections.sending(flow);
                    final int mss = Math.min(out.peerMss, mtuMss);
                    work += step(out, now, TcpClient.segment(spec, mss), mss);
                }
                if (receives)
                {
                    work += step(connections.receiving(flow), now, 0, mtuMss);
                }
            }
            work += connections.sendPendingAcks(writer);
            generator.idle(work);
        }
        closing = false;
        boolean clean = true;
        boolean resetSent = false;
        for (int flow = 0; flow < flows; flow++)
        {
            clean &= resetUnlessClosed(sends ? connections.sending(flow) : null);
            clean &= resetUnlessClosed(receives ? connections.receiving(flow) : null);
            resetSent |= (sends && connections.sending(flow).resetSent) ||
                (receives && connections.receiving(flow).resetSent);
        }
        generator.frontend.flush();
        if (resetSent)
        {
            // a peer that took more than it acknowledged answers our RST with a challenge ACK: the client resets there
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
    private int step(final TcpConnection connection, final long now, final int segment, final int mss)
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
                generator.counters.congestionWindow[connection.flow] = window.congestionWindow(); // 1 MSS now
            }
        }
        if (connection.sender)
        {
            final boolean resend = window.resending();
            final int sent = writer.data(connection, segment, mss, now);
            if (sent > 0)
            {
                // only what the run sent goes again: a retransmission (nothing new goes after the close began)
                generator.counters.tcpSent(connection.flow, writer.headerBytes() + sent, sent, resend);
            }
            if (sent != 0)
            {
                return work + 1; // data before the FIN (or a full ring): the FIN waits
            }
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
}
