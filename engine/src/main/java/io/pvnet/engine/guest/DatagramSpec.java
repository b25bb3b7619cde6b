package io.pvnet.engine.guest;

/**
 * What {@link TrafficGenerator#datagrams} sends.
 *
 * @param icmp       ICMP echo requests instead of UDP datagrams.
 * @param port       destination UDP port of the forward datagrams (the peer's echo port).
 * @param sizes      payload sizes, frame by frame.
 * @param flows      parallel flows (1..{@link TrafficGenerator#MAX_FLOWS}).
 * @param count      frames to send over all flows (per direction), or 0 for {@code durationNs}.
 * @param durationNs longest run.
 * @param rate       frames per second over all flows (per direction), 0 as fast as the window (or the ring) lets.
 * @param direction  forward, reverse or both.
 * @param intervalNs interval of {@link GenListener#onInterval}, 0 for none but the last.
 * @param omitNs     a warm-up before the measured {@code durationNs} (iperf3's {@code --omit}): traffic as measured, told
 *                   by {@link GenListener#onOmitted}, then the counters start from zero; 0 for none, only without a
 *                   count.
 * @param window     most frames in flight per direction: echo requests ({@link EchoWindow}'s largest window: the
 *                   generator paces itself to what the peer answers), or datagrams of a one-way or reverse stream
 *                   beyond the receiver's reports ({@link StreamCredit}, split over the flows); 0: not paced (a
 *                   {@code rate}, or a flood as fast as the ring takes frames). Only with {@code rate} 0.
 * @param oneWay     the forward datagrams are a one-way stream to {@code port} that its receiver counts and reports
 *                   ({@link StreamSink}, iperf3's UDP test), not echo requests; UDP, payloads of at least
 *                   {@link GenPayloadDescriptor#LENGTH} bytes (each carries its sequence number).
 */
public record DatagramSpec(
    boolean icmp, int port, SizeMix sizes, int flows, long count, long durationNs, long rate, Direction direction,
    long intervalNs, long omitNs, int window, boolean oneWay)
{
    /**
     * A spec whose forward datagrams are echo requests.
     *
     * @param icmp       ICMP echo requests instead of UDP datagrams.
     * @param port       destination UDP port of the forward datagrams.
     * @param sizes      payload sizes, frame by frame.
     * @param flows      parallel flows.
     * @param count      frames to send over all flows (per direction), or 0 for {@code durationNs}.
     * @param durationNs longest run.
     * @param rate       frames per second over all flows (per direction), 0 paced by {@code window}.
     * @param direction  forward, reverse or both.
     * @param intervalNs interval of {@link GenListener#onInterval}, 0 for none but the last.
     * @param omitNs     a warm-up before the measured {@code durationNs}, 0 for none.
     * @param window     most frames in flight per direction, 0 for not paced.
     */
    public DatagramSpec(
        final boolean icmp, final int port, final SizeMix sizes, final int flows, final long count, final long durationNs,
        final long rate, final Direction direction, final long intervalNs, final long omitNs, final int window)
    {
        this(icmp, port, sizes, flows, count, durationNs, rate, direction, intervalNs, omitNs, window, false);
    }

    /**
     * A spec paced to the answers ({@link EchoWindow#DEFAULT_MAX}) when it has no rate.
     *
     * @param icmp       ICMP echo requests instead of UDP datagrams.
     * @param port       destination UDP port of the forward datagrams.
     * @param sizes      payload sizes, frame by frame.
     * @param flows      parallel flows.
     * @param count      frames to send over all flows (per direction), or 0 for {@code durationNs}.
     * @param durationNs longest run.
     * @param rate       frames per second over all flows (per direction), 0 paced to the answers.
     * @param direction  forward, reverse or both.
     * @param intervalNs interval of {@link GenListener#onInterval}, 0 for none but the last.
     * @param omitNs     a warm-up before the measured {@code durationNs}, 0 for none.
     */
    public DatagramSpec(
        final boolean icmp, final int port, final SizeMix sizes, final int flows, final long count, final long durationNs,
        final long rate, final Direction direction, final long intervalNs, final long omitNs)
    {
        this(icmp, port, sizes, flows, count, durationNs, rate, direction, intervalNs, omitNs,
            rate == 0 ? EchoWindow.DEFAULT_MAX : 0);
    }

    /**
     * A spec without warm-up.
     *
     * @param icmp       ICMP echo requests instead of UDP datagrams.
     * @param port       destination UDP port of the forward datagrams.
     * @param sizes      payload sizes, frame by frame.
     * @param flows      parallel flows.
     * @param count      frames to send over all flows (per direction), or 0 for {@code durationNs}.
     * @param durationNs longest run.
     * @param rate       frames per second over all flows (per direction), 0 paced to the answers.
     * @param direction  forward, reverse or both.
     * @param intervalNs interval of {@link GenListener#onInterval}, 0 for none but the last.
     */
    public DatagramSpec(
        final boolean icmp, final int port, final SizeMix sizes, final int flows, final long count, final long durationNs,
        final long rate, final Direction direction, final long intervalNs)
    {
        this(icmp, port, sizes, flows, count, durationNs, rate, direction, intervalNs, 0);
    }

    /** Checks the values: flows 1..{@link TrafficGenerator#MAX_FLOWS}, nothing negative, reverse streams UDP. */
    public DatagramSpec
    {
        if (flows < 1 || flows > TrafficGenerator.MAX_FLOWS || count < 0 || durationNs <= 0 || rate < 0 || intervalNs < 0 ||
            omitNs < 0 || (omitNs > 0 && count > 0) || window < 0 || (window > 0 && (window < EchoWindow.MIN || rate > 0)))
        {
            throw new IllegalArgumentException("flows=" + flows + " count=" + count + " durationNs=" + durationNs +
                " rate=" + rate + " intervalNs=" + intervalNs + " omitNs=" + omitNs + " window=" + window);
        }
        if (oneWay && (icmp || !direction.sends() || sizes.min() < GenPayloadDescriptor.LENGTH))
        {
            throw new IllegalArgumentException("a one-way stream is UDP, sent (forward or both ways), with payloads of " +
                "at least " + GenPayloadDescriptor.LENGTH + " bytes");
        }
        if (direction.receives() && (icmp || sizes.schedule().length > StreamRequestDescriptor.MAX_SIZES))
        {
            throw new IllegalArgumentException("a reverse stream is UDP with at most " +
                StreamRequestDescriptor.MAX_SIZES + " sizes");
        }
    }

    /** {@return whether this generator sends (forward or both ways)} */
    public boolean forward()
    {
        return direction.sends();
    }

    /** {@return whether the peer streams to this generator (reverse or both ways)} */
    public boolean reverse()
    {
        return direction.receives();
    }

    /** Which way the traffic of {@link TrafficGenerator#datagrams} flows. */
    public enum Direction
    {
        /** This generator sends (echo requests the peer answers, or a one-way stream it counts). */
        FORWARD,
        /** The peer streams to this generator ({@link StreamRequestDescriptor}). */
        REVERSE,
        /** Both at once. */
        BIDIR;

        /** {@return whether the generator sends (forward or both ways)} */
        public boolean sends()
        {
            return this != REVERSE;
        }

        /** {@return whether the peer sends to the generator (reverse or both ways)} */
        public boolean receives()
        {
            return this != FORWARD;
        }
    }
}
