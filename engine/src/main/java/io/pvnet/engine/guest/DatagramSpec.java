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
 * @param window     most echo requests in flight ({@link EchoWindow}'s largest window): the generator paces itself to
 *                   what the peer answers; 0: not paced by answers (a {@code rate}, or a flood as fast as the ring
 *                   takes frames). Only with {@code rate} 0.
 */
public record DatagramSpec(
    boolean icmp, int port, SizeMix sizes, int flows, long count, long durationNs, long rate, Direction direction,
    long intervalNs, long omitNs, int window)
{
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
        if (direction != Direction.FORWARD && (icmp || sizes.schedule().length > StreamRequestDescriptor.MAX_SIZES))
        {
            throw new IllegalArgumentException("a reverse stream is UDP with at most " +
                StreamRequestDescriptor.MAX_SIZES + " sizes");
        }
    }

    /** Which way the traffic of {@link TrafficGenerator#datagrams} flows. */
    public enum Direction
    {
        /** This generator sends, the peer echoes. */
        FORWARD,
        /** The peer streams to this generator ({@link StreamRequestDescriptor}). */
        REVERSE,
        /** Both at once. */
        BIDIR
    }
}
