package io.pvnet.engine.guest;

import org.agrona.concurrent.NanoClock;

/**
 * Opens a {@link TcpClient} run's connections (SYN, resent until the SYN-ACK comes or the handshake times out) and,
 * when the run cannot start, resets those that were established. Threading: the client's (the generator's) thread.
 */
final class TcpHandshake
{
    private static final long RETRY_NS = 300_000_000L;
    private static final long HANDSHAKE_NS = 5_000_000_000L;

    private final TrafficGenerator generator;
    private final TcpConnections connections;
    private final TcpSegmentWriter writer;

    TcpHandshake(final TrafficGenerator generator, final TcpConnections connections, final TcpSegmentWriter writer)
    {
        this.generator = generator;
        this.connections = connections;
        this.writer = writer;
    }

    /**
     * Sends every connection's SYN, again every {@link #RETRY_NS} to those not yet established, for up to
     * {@link #HANDSHAKE_NS}; the SYN-ACKs come through the client's {@code onSegment}.
     *
     * @param mss the MSS the SYNs announce.
     * @return null when every connection is established, else why not.
     */
    String run(final NanoClock clock, final int mss)
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
                    final long now = clock.nanoTime();
                    synIfNeeded(connections.sends() ? connections.sending(flow) : null, mss, now);
                    synIfNeeded(connections.receives() ? connections.receiving(flow) : null, mss, now);
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

    private void synIfNeeded(final TcpConnection connection, final int mss, final long nowNs)
    {
        if (connection != null && !connection.established())
        {
            writer.syn(connection, mss, nowNs); // refused (a full ring): sent again at the next retry
        }
    }

    /** Resets the connections that were established before the run failed, so their peers free them. */
    void abort()
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
}
