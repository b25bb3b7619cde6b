package io.pvnet.engine.guest;

/**
 * What one {@link TrafficGenerator} run sent and what came back.
 *
 * @param counters  per flow, cumulative.
 * @param elapsedNs from the first frame to the end of sending (answers may come later, within 200 ms).
 * @param closed         TCP: every connection closed both ways (its FIN acknowledged, the peer's FIN received).
 * @param failure        why the run did not get going, or null.
 * @param unacknowledged TCP: bytes gen sent that the peer never acknowledged, even in the close (0 when it closed);
 *                       0 for UDP and ICMP.
 * @param peerResets     TCP: connections the peer reset during the run, before the close (each ended its flow's
 *                       direction there; {@link GenListener#onPeerReset} told each); 0 for UDP and ICMP.
 */
public record TrafficReport(
    GenCounters counters, long elapsedNs, boolean closed, String failure, long unacknowledged, int peerResets)
{
    /**
     * A report of a run no peer reset.
     *
     * @param counters       per flow, cumulative.
     * @param elapsedNs      from the first frame to the end of sending.
     * @param closed         TCP: every connection closed both ways.
     * @param failure        why the run did not get going, or null.
     * @param unacknowledged TCP: bytes gen sent that the peer never acknowledged.
     */
    public TrafficReport(
        final GenCounters counters, final long elapsedNs, final boolean closed, final String failure,
        final long unacknowledged)
    {
        this(counters, elapsedNs, closed, failure, unacknowledged, 0);
    }

    /**
     * A report with nothing left unacknowledged (UDP, ICMP, a failure).
     *
     * @param counters  per flow, cumulative.
     * @param elapsedNs from the first frame to the end of sending.
     * @param closed    TCP: every connection closed both ways.
     * @param failure   why the run did not get going, or null.
     */
    public TrafficReport(final GenCounters counters, final long elapsedNs, final boolean closed, final String failure)
    {
        this(counters, elapsedNs, closed, failure, 0, 0);
    }

    static TrafficReport failed(final String failure)
    {
        return new TrafficReport(new GenCounters(1), 0, false, failure);
    }

    /**
     * {@return whether the run got going (a failure says why not)}
     */
    public boolean ok()
    {
        return failure == null;
    }

    /**
     * {@return frames sent over all flows}
     */
    public long frames()
    {
        return GenCounters.sum(counters.sentFrames);
    }

    /**
     * {@return payload bytes sent over all flows}
     */
    public long payloadBytes()
    {
        return GenCounters.sum(counters.sentPayloadBytes);
    }

    /**
     * {@return echoes (UDP/ICMP) over all flows}
     */
    public long echoes()
    {
        return GenCounters.sum(counters.answeredFrames);
    }

    /**
     * {@return echoed payload bytes (UDP/ICMP) or acknowledged bytes (TCP) over all flows}
     */
    public long answeredPayloadBytes()
    {
        return GenCounters.sum(counters.answeredPayloadBytes);
    }

    /**
     * {@return echoes that differed from what was sent}
     */
    public long badEchoes()
    {
        return GenCounters.sum(counters.badAnswers);
    }

    /**
     * {@return datagrams of the reverse streams received}
     */
    public long received()
    {
        return GenCounters.sum(counters.receivedFrames);
    }

    /**
     * {@return datagrams the reverse streams' senders numbered so far (received + lost)}
     */
    public long receivedExpected()
    {
        return GenCounters.sum(counters.receivedExpected);
    }
}
