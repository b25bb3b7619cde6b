package io.pvnet.engine.guest;

/**
 * The connections of one {@link TcpClient} run: per flow a sending one (to the spec's port, when gen sends) and a
 * receiving one (to its reverse port, when the peer sends), each from the flow's own source port; and the questions
 * the client's run asks of all of them at once (are they established, closed, done).
 * <p>
 * Threading: the client's thread. Made once with room for {@link TrafficGenerator#MAX_FLOWS} flows and reused by
 * every run: nothing allocates after construction.
 */
final class TcpConnections
{
    private final TcpConnection[] sending = new TcpConnection[TrafficGenerator.MAX_FLOWS];
    private final TcpConnection[] receiving = new TcpConnection[TrafficGenerator.MAX_FLOWS];
    private int flows;
    private boolean sends;
    private boolean receives;
    private int port;
    private int reversePort;

    TcpConnections()
    {
        for (int i = 0; i < TrafficGenerator.MAX_FLOWS; i++)
        {
            sending[i] = new TcpConnection();
            receiving[i] = new TcpConnection();
        }
    }

    /**
     * Makes the connections of a new run, none established.
     *
     * @param spec  what the run does: its flows, directions and ports; with a count, the bytes each receiving
     *              connection waits for ({@code count * size} shared over the flows).
     * @param nowNs now (each connection's initial sequence number comes from it).
     */
    void begin(final TcpSpec spec, final long nowNs)
    {
        flows = spec.flows();
        sends = spec.sends();
        receives = spec.receives();
        port = spec.port();
        reversePort = spec.reversePort();
        for (int flow = 0; flow < flows; flow++)
        {
            sending[flow].reset(flow, TrafficGenerator.SOURCE_PORT + flow, port, true, 0, nowNs);
            receiving[flow].reset(flow, TrafficGenerator.SOURCE_PORT + flow, reversePort, false,
                spec.count() > 0 ? TrafficGenerator.flowShare(spec.count(), flow, flows) * spec.size() : Long.MAX_VALUE,
                nowNs);
        }
    }

    int flows()
    {
        return flows;
    }

    /** {@return whether gen sends in this run} */
    boolean sends()
    {
        return sends;
    }

    /** {@return whether the peer sends in this run} */
    boolean receives()
    {
        return receives;
    }

    /** {@return flow {@code flow}'s sending connection (used only when {@link #sends()})} */
    TcpConnection sending(final int flow)
    {
        return sending[flow];
    }

    /** {@return flow {@code flow}'s receiving connection (used only when {@link #receives()})} */
    TcpConnection receiving(final int flow)
    {
        return receiving[flow];
    }

    /** {@return the connection of flow {@code flow} a segment from the peer's {@code sourcePort} is for, or null} */
    TcpConnection forSegment(final int flow, final int sourcePort)
    {
        return sends && sourcePort == port ? sending[flow] : receives && sourcePort == reversePort ? receiving[flow] : null;
    }

    /**
     * Acknowledges what the receiving connections took since their last ACK, and what a sending connection owes (the
     * peer's FIN, when the ring was full as it came). @return ACKs due.
     */
    int sendPendingAcks(final TcpSegmentWriter writer)
    {
        int sent = 0;
        for (int flow = 0; flow < flows; flow++)
        {
            sent += (receives ? writer.ackIfPending(receiving[flow]) : 0) +
                (sends ? writer.ackIfPending(sending[flow]) : 0);
        }
        return sent;
    }

    /** {@return the first connection of the run not yet established, null when all are} */
    TcpConnection firstUnestablished()
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

    /** {@return how many of the run's connections are established} */
    int established()
    {
        int established = 0;
        for (int flow = 0; flow < flows; flow++)
        {
            established += (sends && sending[flow].established() ? 1 : 0) +
                (receives && receiving[flow].established() ? 1 : 0);
        }
        return established;
    }

    /** {@return how many connections the run has: one per flow and direction} */
    int count()
    {
        return flows * ((sends ? 1 : 0) + (receives ? 1 : 0));
    }

    /**
     * {@return whether every connection got what it waits for} A sending connection: its total acknowledged; a
     * receiving one: its total received in order; a connection the peer reset waits for nothing more.
     *
     * @param receivedPayloadBytes in-order bytes received per flow (the run's counters).
     */
    boolean done(final long[] receivedPayloadBytes)
    {
        for (int flow = 0; flow < flows; flow++)
        {
            if ((sends && sending[flow].acked < sending[flow].total && sending[flow].resets == 0) ||
                (receives && receivedPayloadBytes[flow] < receiving[flow].total && receiving[flow].resets == 0))
            {
                return false;
            }
        }
        return true;
    }

    /** {@return how many connections the peer reset before the close (each ended its flow's direction there)} */
    int resetInRun()
    {
        int reset = 0;
        for (int flow = 0; flow < flows; flow++)
        {
            reset += (sends && sending[flow].resetInRunNs >= 0 ? 1 : 0) +
                (receives && receiving[flow].resetInRunNs >= 0 ? 1 : 0);
        }
        return reset;
    }

    /**
     * {@return whether every connection closed both ways: its FIN acknowledged and the peer's FIN received} A sending
     * connection waits for the peer's FIN too, to acknowledge it: a peer left in LAST-ACK would answer the next run's
     * SYN on the same ports with a challenge ACK instead of a SYN-ACK.
     */
    boolean allClosed()
    {
        for (int flow = 0; flow < flows; flow++)
        {
            if ((sends && !sending[flow].done()) || (receives && !receiving[flow].done()))
            {
                return false;
            }
        }
        return true;
    }
}
