package io.pvnet.engine.guest;

/**
 * The connection table of a {@link TcpChargenServer}: a fixed number of slots, each a {@link Connection} in one of the
 * states {@link #FREE}, {@link #SYN_RECEIVED}, {@link #ESTABLISHED}, {@link #CLOSING} and {@link #CLOSED}, found by
 * the peer's address and port, and how many are open (handshaking or sending: what the server's duty cycle visits).
 * A closed slot is kept to absorb the peer's last ACK and is reused only when no slot is free.
 * <p>
 * Threading: the server's thread. Slots are made once: nothing allocates after construction.
 */
final class ChargenConnections
{
    /** An unused slot. */
    static final int FREE = 0;
    /** The peer's SYN answered; waiting for the ACK of our SYN-ACK. */
    static final int SYN_RECEIVED = 1;
    /** Sending the pattern as the windows allow. */
    static final int ESTABLISHED = 2;
    /** The peer closed: what we sent before our FIN, then the FIN, are resent until the peer acknowledges the FIN. */
    static final int CLOSING = 3;
    /** Both closed; kept to absorb the peer's last ACK (and answer a repeated FIN) until reused. */
    static final int CLOSED = 4;

    /** One connection: the peer, the receive point, the send window and the timers of the handshake and the close. */
    static final class Connection
    {
        final TcpSendWindow send = new TcpSendWindow();
        int state = FREE;
        long mac;
        int ip;
        int port;
        long rcvNxt;
        int mss;
        int shift;
        boolean scaled;
        /** The last SYN-ACK tried (its retry timer), and when the SYN came (the give-up's start). */
        long synSentNs;
        long synFirstNs;
        /** SYN-ACKs the vif took, and when the first: {@link TcpRetransmissionTimer#handshakeRtt}'s arguments. */
        int synAcksSent;
        long synAckFirstSentNs;
        /** When the close last made progress: the peer's FIN, or our data or FIN newly acknowledged after it. */
        long closeProgressNs;

        /** {@return whether the connection is handshaking, sending or closing (not free, not closed)} */
        boolean open()
        {
            return state == SYN_RECEIVED || state == ESTABLISHED || state == CLOSING;
        }
    }

    private final Connection[] connections;
    private int active;

    /** @param capacity the most connections at once. */
    ChargenConnections(final int capacity)
    {
        connections = new Connection[capacity];
        for (int i = 0; i < capacity; i++)
        {
            connections[i] = new Connection();
        }
    }

    int capacity()
    {
        return connections.length;
    }

    /** {@return the slot at {@code index} (0..capacity-1), in whatever state} */
    Connection get(final int index)
    {
        return connections[index];
    }

    /** {@return connections open now (handshaking, sending or closing)} */
    int active()
    {
        return active;
    }

    /** {@return the connection with the peer {@code ip}:{@code port}, closed ones included, or null} */
    Connection find(final int ip, final int port)
    {
        for (final Connection connection : connections)
        {
            if (connection.state != FREE && connection.ip == ip && connection.port == port)
            {
                return connection;
            }
        }
        return null;
    }

    /**
     * Takes a slot for a new connection, now {@link #SYN_RECEIVED} and counted open.
     *
     * @return a free slot, else a closed one, else null (every slot open).
     */
    Connection open()
    {
        Connection closed = null;
        for (final Connection connection : connections)
        {
            if (connection.state == FREE)
            {
                return opened(connection);
            }
            if (connection.state == CLOSED && closed == null)
            {
                closed = connection;
            }
        }
        return closed == null ? null : opened(closed);
    }

    private Connection opened(final Connection connection)
    {
        connection.state = SYN_RECEIVED;
        connection.synAcksSent = 0;
        active++;
        return connection;
    }

    /** Both sides of an open connection closed: it is kept {@link #CLOSED} and no longer counted open. */
    void closed(final Connection connection)
    {
        if (connection.open())
        {
            active--;
        }
        connection.state = CLOSED;
    }

    /** Frees the slot of {@code connection} (a reset, a give-up, a new connection on its ports). */
    void free(final Connection connection)
    {
        if (connection.open())
        {
            active--;
        }
        connection.state = FREE;
    }
}
