package io.pvnet.engine.guest;

/**
 * What a {@link TrafficGenerator} tells while it runs, on its own thread.
 */
public interface GenListener
{
    /**
     * An answer came back carrying its send time: one round trip of {@code flow}. Called per answer: must not
     * allocate (an HdrHistogram {@code recordValue} is fine).
     *
     * @param flow        the flow, 0 .. flows - 1.
     * @param roundTripNs from the send time in the answer's probe to now, in nanoseconds.
     */
    void onRoundTrip(int flow, long roundTripNs);

    /**
     * An interval ended (and once more at the end of the run for the last, possibly shorter, one).
     *
     * @param counters cumulative counters; a listener that wants the interval's figures keeps the previous values.
     * @param fromNs   interval start, ns since the run started.
     * @param toNs     interval end, ns since the run started.
     */
    void onInterval(GenCounters counters, long fromNs, long toNs);

    /**
     * An interval of the warm-up ended ({@code --omit}); the last one is followed by counters starting from zero (a
     * new {@link GenCounters}) and times from 0 again. Round trips of the warm-up were told as usual.
     *
     * @param counters cumulative counters of the warm-up.
     * @param fromNs   interval start, ns since the warm-up started.
     * @param toNs     interval end, ns since the warm-up started.
     */
    default void onOmitted(final GenCounters counters, final long fromNs, final long toNs)
    {
    }

    /**
     * The peer reset one of a TCP run's connections before the close: that flow's direction ends here (nothing more is
     * sent or taken on it), the run's other connections go on, and the run ends in an error
     * ({@link TrafficReport#peerResets()}). Called once per connection, as the RST comes.
     *
     * @param flow           the flow, 0 .. flows - 1 (source port {@link TrafficGenerator#SOURCE_PORT} + flow).
     * @param sending        gen sent on it (else the peer did: {@code --reverse}, {@code --bidir}'s receiving one).
     * @param atNs           ns since the run (or its warm-up) started.
     * @param bytes          sending: bytes the peer acknowledged on it so far; receiving: bytes it received in order.
     * @param unacknowledged sending: bytes sent that the peer never acknowledged; receiving: 0.
     */
    default void onPeerReset(
        final int flow, final boolean sending, final long atNs, final long bytes, final long unacknowledged)
    {
    }

    /** A listener that ignores everything. */
    GenListener NONE = new GenListener()
    {
        @Override
        public void onRoundTrip(final int flow, final long roundTripNs)
        {
        }

        @Override
        public void onInterval(final GenCounters counters, final long fromNs, final long toNs)
        {
        }
    };
}
