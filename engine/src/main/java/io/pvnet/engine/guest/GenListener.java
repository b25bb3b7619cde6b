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
