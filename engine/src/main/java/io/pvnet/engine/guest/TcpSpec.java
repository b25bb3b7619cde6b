package io.pvnet.engine.guest;

/**
 * What {@link TrafficGenerator#tcp(TcpSpec, GenListener)} runs: {@code flows} TCP connections per direction, as
 * iperf3's {@code -P}, {@code -R} and {@code --bidir} do. Flow {@code i}'s connections leave from source port
 * {@link TrafficGenerator#SOURCE_PORT}{@code + i}: the sending one to {@code port}, the receiving one to
 * {@code reversePort} (distinct 5-tuples).
 *
 * @param port        destination of the sending connections (a discard server, a kernel socket that reads).
 * @param reversePort destination of the receiving connections (the guest's chargen server, a kernel socket that
 *                    writes as soon as it accepts).
 * @param size        payload bytes of each segment or TSO frame sent; with {@code count}, also the unit of what the
 *                    receiving connections wait for ({@code count * size} bytes over all flows).
 * @param tso         each send is one TSO frame (CSUM_PARTIAL, GSO size the MSS).
 * @param flows       connections per direction (1..{@link TrafficGenerator#MAX_FLOWS}).
 * @param count       segments or TSO frames to send over all flows (receiving: {@code count * size} bytes), 0 for
 *                    {@code durationNs}.
 * @param durationNs  longest run.
 * @param rate        most sends a second over all sending connections, 0 as fast as the windows allow (the peer's
 *                    sends follow TCP: they cannot be paced from here).
 * @param direction   forward (gen sends), reverse (the peer sends) or both, each direction on its own connections.
 * @param intervalNs  interval of {@link GenListener#onInterval}, 0 for none but the last.
 * @param omitNs      a warm-up on the same connections before the measured {@code durationNs} (iperf3's
 *                    {@code --omit}, past TCP's slow start): told by {@link GenListener#onOmitted}, then the counters
 *                    start from zero; 0 for none, only without a count.
 */
public record TcpSpec(
    int port, int reversePort, int size, boolean tso, int flows, long count, long durationNs, long rate,
    DatagramSpec.Direction direction, long intervalNs, long omitNs)
{
    /**
     * A spec without warm-up.
     *
     * @param port        destination of the sending connections.
     * @param reversePort destination of the receiving connections.
     * @param size        payload bytes of each segment or TSO frame sent.
     * @param tso         each send is one TSO frame.
     * @param flows       connections per direction.
     * @param count       segments or TSO frames to send over all flows, 0 for {@code durationNs}.
     * @param durationNs  longest run.
     * @param rate        most sends a second over all sending connections, 0 as fast as the windows allow.
     * @param direction   forward, reverse or both.
     * @param intervalNs  interval of {@link GenListener#onInterval}, 0 for none but the last.
     */
    public TcpSpec(
        final int port, final int reversePort, final int size, final boolean tso, final int flows, final long count,
        final long durationNs, final long rate, final DatagramSpec.Direction direction, final long intervalNs)
    {
        this(port, reversePort, size, tso, flows, count, durationNs, rate, direction, intervalNs, 0);
    }

    /** Checks the values. */
    public TcpSpec
    {
        if (flows < 1 || flows > TrafficGenerator.MAX_FLOWS || count < 0 || durationNs <= 0 || rate < 0 ||
            intervalNs < 0 || omitNs < 0 || (omitNs > 0 && count > 0) || size < 1 || size > TrafficGenerator.MAX_PAYLOAD || port < 1 || port > 65535 ||
            reversePort < 1 || reversePort > 65535)
        {
            throw new IllegalArgumentException("flows=" + flows + " count=" + count + " durationNs=" + durationNs +
                " rate=" + rate + " intervalNs=" + intervalNs + " omitNs=" + omitNs + " size=" + size + " port=" + port + " reversePort=" +
                reversePort);
        }
        if (direction == DatagramSpec.Direction.BIDIR && port == reversePort)
        {
            throw new IllegalArgumentException("port=" + port + " and reversePort=" + reversePort +
                " must differ: both directions leave from the same source ports");
        }
    }

    /** {@return whether gen sends} */
    public boolean sends()
    {
        return direction.sends();
    }

    /** {@return whether the peer sends} */
    public boolean receives()
    {
        return direction.receives();
    }
}
