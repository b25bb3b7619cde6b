package io.pvnet.engine.guest;

import java.util.Arrays;

/**
 * What a {@link TrafficGenerator} run sent and got back, per flow, cumulative from the start of the run. Units are in
 * the names: {@code Frames} are Ethernet frames (one per datagram, echo request or TCP segment/TSO frame handed to the
 * vif), {@code FrameBytes} their lengths from the Ethernet header on (no FCS), {@code PayloadBytes} the UDP, ICMP echo
 * or TCP payload inside them.
 * <ul>
 *   <li>sent: what this generator handed to its vif; for TCP the first sends of new data only (iperf3's bytes sent),
 *       what went again apart ({@code retransmitted}: iperf3's {@code Retr}), so a frame handed to the vif is counted
 *       once, in one of them;</li>
 *   <li>answered: echoes of its own frames (UDP echo, ICMP echo reply; {@code bad} when an echo's size or content is
 *       not what was sent) or, for TCP, payload bytes the peer acknowledged;</li>
 *   <li>received: a reverse stream's datagrams from the peer ({@code --reverse}, {@code --bidir}), with
 *       {@code receivedExpected} the sequence numbers the peer used so far (highest seen + 1), so
 *       {@code receivedExpected - receivedFrames} were lost (or are late); for TCP's receiving connections
 *       ({@code --reverse}) the in-order segments and payload bytes, {@code receivedExpected} equal to the segments
 *       (TCP resends what is lost); for UDP also the datagrams that came late ({@code receivedOutOfOrder}) and
 *       twice ({@code receivedDuplicates}), so {@code receivedExpected - (receivedFrames - receivedDuplicates)}
 *       were lost;</li>
 *   <li>receiver: what the receiver of a one-way stream reported counting ({@link StreamControlDescriptor#REPORT},
 *       iperf3's server side): datagrams (duplicates too), payload bytes, highest sequence + 1, out of order,
 *       duplicates, and RFC 3550's interarrival jitter; as of the latest report (the final one once the run ended).</li>
 *   <li>jitter ({@code receivedJitterNs} of a reverse stream as gen counts it, {@code receiverJitterNs} as a one-way
 *       stream's receiver reported it): an estimate, not a count; -1 while unknown (an older receiver reports
 *       none).</li>
 *   <li>{@code congestionWindow}: a TCP sending connection's congestion window in bytes as of its latest ACK or
 *       timeout (iperf3's {@code snd_cwnd}): a gauge, not a count.</li>
 * </ul>
 * Threading: written and read on the generator's thread only (the {@link GenListener} is called there).
 */
public final class GenCounters
{
    private final int flows;
    final long[] sentFrames;
    final long[] sentFrameBytes;
    final long[] sentPayloadBytes;
    final long[] answeredFrames;
    final long[] answeredPayloadBytes;
    final long[] badAnswers;
    final long[] receivedFrames;
    final long[] receivedPayloadBytes;
    final long[] receivedExpected;
    final long[] retransmitRounds;
    final long[] retransmittedFrames;
    final long[] retransmittedFrameBytes;
    final long[] retransmittedPayloadBytes;
    final long[] receivedLate;
    final long[] receivedDuplicates;
    final long[] receiverFrames;
    final long[] receiverPayloadBytes;
    final long[] receiverExpected;
    final long[] receiverOutOfOrder;
    final long[] receiverDuplicates;
    final long[] receivedJitterNs;
    final long[] receiverJitterNs;
    final long[] congestionWindow;
    long ringFullWaits;
    long receivedOutOfOrder;
    long reportsIn;
    long reportsOut;
    /** Reports ignored by reason: did not parse (or not a REPORT), another nonce, not believed (stale, beyond sent). */
    long malformedReports;
    long otherNonceReports;
    long unbelievedReports;
    /** Reports that moved the window whose loss figures no receiver could count (not taken as receiver figures). */
    long figuresIgnoredReports;
    /** One-way counts started afresh after reports beyond what was sent (forged sequences upset the receiver's). */
    long restartedCounts;
    long controlSent;
    /** One-way flows whose receiver's final report did not come while gen waited for it, and which they are. */
    long missingFinalReports;
    final boolean[] finalReportMissing;
    /** TCP: RSTs of an open connection not at its receive point (RFC 5961 3.2), by what became of them. */
    long challengeAcks;
    long challengeAcksLimited;
    long resetsOutOfWindow;

    /**
     * Counters of a run, all zero; allocates one array per counter here, nothing after.
     *
     * @param flows number of flows (1..).
     */
    public GenCounters(final int flows)
    {
        this.flows = flows;
        sentFrames = new long[flows];
        sentFrameBytes = new long[flows];
        sentPayloadBytes = new long[flows];
        answeredFrames = new long[flows];
        answeredPayloadBytes = new long[flows];
        badAnswers = new long[flows];
        receivedFrames = new long[flows];
        receivedPayloadBytes = new long[flows];
        receivedExpected = new long[flows];
        retransmitRounds = new long[flows];
        congestionWindow = new long[flows];
        retransmittedFrames = new long[flows];
        retransmittedFrameBytes = new long[flows];
        retransmittedPayloadBytes = new long[flows];
        receivedLate = new long[flows];
        receivedDuplicates = new long[flows];
        receiverFrames = new long[flows];
        receiverPayloadBytes = new long[flows];
        receiverExpected = new long[flows];
        receiverOutOfOrder = new long[flows];
        receiverDuplicates = new long[flows];
        receivedJitterNs = new long[flows];
        receiverJitterNs = new long[flows];
        finalReportMissing = new boolean[flows];
        Arrays.fill(receivedJitterNs, -1);
        Arrays.fill(receiverJitterNs, -1);
    }

    /**
     * {@return number of flows}
     */
    public int flows()
    {
        return flows;
    }

    /**
     * {@return frames handed to the vif for {@code flow}}
     *
     * @param flow the flow, 0 .. flows - 1.
     */
    public long sentFrames(final int flow)
    {
        return sentFrames[flow];
    }

    /**
     * {@return bytes of those frames (Ethernet header on, no FCS)}
     *
     * @param flow the flow, 0 .. flows - 1.
     */
    public long sentFrameBytes(final int flow)
    {
        return sentFrameBytes[flow];
    }

    /**
     * {@return payload bytes in those frames}
     *
     * @param flow the flow, 0 .. flows - 1.
     */
    public long sentPayloadBytes(final int flow)
    {
        return sentPayloadBytes[flow];
    }

    /**
     * {@return echoes received (UDP/ICMP); for TCP segments that advanced the acknowledgment}
     *
     * @param flow the flow, 0 .. flows - 1.
     */
    public long answeredFrames(final int flow)
    {
        return answeredFrames[flow];
    }

    /**
     * {@return payload bytes echoed (UDP/ICMP) or acknowledged (TCP)}
     *
     * @param flow the flow, 0 .. flows - 1.
     */
    public long answeredPayloadBytes(final int flow)
    {
        return answeredPayloadBytes[flow];
    }

    /**
     * {@return echoes whose size or content differed from what was sent}
     *
     * @param flow the flow, 0 .. flows - 1.
     */
    public long badAnswers(final int flow)
    {
        return badAnswers[flow];
    }

    /**
     * {@return datagrams of the peer's reverse stream received}
     *
     * @param flow the flow, 0 .. flows - 1.
     */
    public long receivedFrames(final int flow)
    {
        return receivedFrames[flow];
    }

    /**
     * {@return their payload bytes}
     *
     * @param flow the flow, 0 .. flows - 1.
     */
    public long receivedPayloadBytes(final int flow)
    {
        return receivedPayloadBytes[flow];
    }

    /**
     * {@return the reverse stream's highest sequence number seen + 1: the datagrams the peer sent so far}
     *
     * @param flow the flow, 0 .. flows - 1.
     */
    public long receivedExpected(final int flow)
    {
        return receivedExpected[flow];
    }

    /**
     * {@return UDP datagrams of the reverse stream that came after a later one}
     *
     * @param flow the flow, 0 .. flows - 1.
     */
    public long receivedLate(final int flow)
    {
        return receivedLate[flow];
    }

    /**
     * {@return UDP datagrams of the reverse stream that came twice (counted in {@link #receivedFrames} too)}
     *
     * @param flow the flow, 0 .. flows - 1.
     */
    public long receivedDuplicates(final int flow)
    {
        return receivedDuplicates[flow];
    }

    /**
     * {@return datagrams of the one-way stream the receiver reported, duplicates included}
     *
     * @param flow the flow, 0 .. flows - 1.
     */
    public long receiverFrames(final int flow)
    {
        return receiverFrames[flow];
    }

    /**
     * {@return their payload bytes, as the receiver reported them}
     *
     * @param flow the flow, 0 .. flows - 1.
     */
    public long receiverPayloadBytes(final int flow)
    {
        return receiverPayloadBytes[flow];
    }

    /**
     * {@return the receiver's highest sequence seen + 1, counted from the measured run's first datagram}
     *
     * @param flow the flow, 0 .. flows - 1.
     */
    public long receiverExpected(final int flow)
    {
        return receiverExpected[flow];
    }

    /**
     * {@return datagrams the receiver saw after a later one}
     *
     * @param flow the flow, 0 .. flows - 1.
     */
    public long receiverOutOfOrder(final int flow)
    {
        return receiverOutOfOrder[flow];
    }

    /**
     * {@return datagrams the receiver saw twice}
     *
     * @param flow the flow, 0 .. flows - 1.
     */
    public long receiverDuplicates(final int flow)
    {
        return receiverDuplicates[flow];
    }

    /**
     * {@return the interarrival jitter (ns, RFC 3550) the one-way stream's receiver reported last, -1 when none}
     *
     * @param flow the flow, 0 .. flows - 1.
     */
    public long receiverJitterNs(final int flow)
    {
        return receiverJitterNs[flow];
    }

    /**
     * {@return the interarrival jitter (ns, RFC 3550) of the reverse stream as gen measures it, -1 before two datagrams}
     *
     * @param flow the flow, 0 .. flows - 1.
     */
    public long receivedJitterNs(final int flow)
    {
        return receivedJitterNs[flow];
    }

    /**
     * {@return reports of the receivers of the one-way streams that counted}
     */
    public long reportsIn()
    {
        return reportsIn;
    }

    /**
     * {@return reports this generator sent to the senders of the reverse streams}
     */
    public long reportsOut()
    {
        return reportsOut;
    }

    /**
     * {@return RECEIVE and END datagrams sent to the one-way streams' receivers (a lost one is sent again)}
     */
    public long controlSent()
    {
        return controlSent;
    }

    /**
     * {@return one-way flows whose receiver's final report did not come while gen waited for it (ENDs sent again for
     * up to 3 s): their receiver figures are of an earlier report, so what arrived after it counts as lost although it
     * may have been delivered; 0 when every receiver's figures are final}
     */
    public long missingFinalReports()
    {
        return missingFinalReports;
    }

    /**
     * {@return whether this one-way flow's receiver's final report did not come while gen waited for it (its receiver
     * figures are an earlier report's); false when it came, or for a flow that is not one-way}
     *
     * @param flow 0..flows-1.
     */
    public boolean finalReportMissing(final int flow)
    {
        return finalReportMissing[flow];
    }

    /**
     * {@return control datagrams ignored: malformed, truncated, of another nonce (a stale count) or not believed}
     */
    public long badReports()
    {
        return malformedReports + otherNonceReports + unbelievedReports;
    }

    /** {@return control datagrams ignored that did not parse or were no REPORT} */
    public long malformedReports()
    {
        return malformedReports;
    }

    /** {@return reports ignored for naming another nonce (a stale count, a hostile peer)} */
    public long otherNonceReports()
    {
        return otherNonceReports;
    }

    /** {@return reports of the right nonce ignored as stale or beyond what was sent} */
    public long unbelievedReports()
    {
        return unbelievedReports;
    }

    /** {@return one-way counts started afresh: their receiver reported sequences never sent (forged ones upset it)} */
    public long restartedCounts()
    {
        return restartedCounts;
    }

    /** {@return reports that moved the window but whose loss figures were not believed (receiver figures not taken)} */
    public long figuresIgnoredReports()
    {
        return figuresIgnoredReports;
    }

    /**
     * {@return TCP: challenge ACKs sent for RSTs inside the window offered but not at the receive point (RFC 5961 3.2),
     * over all connections}
     */
    public long challengeAcks()
    {
        return challengeAcks;
    }

    /** {@return TCP: RSTs in the window that got no challenge ACK, as one went to the connection lately (RFC 5961 7)} */
    public long challengeAcksLimited()
    {
        return challengeAcksLimited;
    }

    /** {@return TCP: RSTs of an open connection outside the window it offers, dropped silently (RFC 5961 3.2)} */
    public long resetsOutOfWindow()
    {
        return resetsOutOfWindow;
    }

    /**
     * {@return times the generator found its tx ring full and waited for the backend's answers}
     */
    public long ringFullWaits()
    {
        return ringFullWaits;
    }

    /**
     * {@return TCP recoveries (fast retransmits and retransmission timeouts) over all flows}
     */
    public long retransmitRounds()
    {
        return sum(retransmitRounds);
    }

    /**
     * {@return {@code flow}'s sending connection's congestion window in bytes as of its latest ACK or timeout (iperf3's
     * {@code snd_cwnd}), 0 before the first}
     *
     * @param flow the flow, 0 .. flows - 1.
     */
    public long congestionWindow(final int flow)
    {
        return congestionWindow[flow];
    }

    /**
     * {@return TCP recoveries (fast retransmits and retransmission timeouts) of {@code flow}'s sending connection}
     *
     * @param flow the flow, 0 .. flows - 1.
     */
    public long retransmitRounds(final int flow)
    {
        return retransmitRounds[flow];
    }

    /**
     * {@return TCP segments (or TSO frames) {@code flow}'s sending connection sent again: iperf3's {@code Retr}}
     * Apart from {@link #sentFrames}, which for TCP are first sends of new data only.
     *
     * @param flow the flow, 0 .. flows - 1.
     */
    public long retransmittedFrames(final int flow)
    {
        return retransmittedFrames[flow];
    }

    /**
     * {@return bytes of those frames (Ethernet header on, no FCS)}
     *
     * @param flow the flow, 0 .. flows - 1.
     */
    public long retransmittedFrameBytes(final int flow)
    {
        return retransmittedFrameBytes[flow];
    }

    /**
     * {@return payload bytes {@code flow}'s sending connection sent again (not in {@link #sentPayloadBytes})}
     *
     * @param flow the flow, 0 .. flows - 1.
     */
    public long retransmittedPayloadBytes(final int flow)
    {
        return retransmittedPayloadBytes[flow];
    }

    /** A TCP data segment of {@code flow} went to the vif: new data (sent) or sent again (retransmitted). */
    void tcpSent(final int flow, final int frameBytes, final int payloadBytes, final boolean resent)
    {
        if (resent)
        {
            retransmittedFrames[flow]++;
            retransmittedFrameBytes[flow] += frameBytes;
            retransmittedPayloadBytes[flow] += payloadBytes;
        }
        else
        {
            sentFrames[flow]++;
            sentFrameBytes[flow] += frameBytes;
            sentPayloadBytes[flow] += payloadBytes;
        }
    }

    /**
     * {@return TCP segments the receiving connections dropped because a gap came before them (the peer resends)}
     */
    public long receivedOutOfOrder()
    {
        return receivedOutOfOrder;
    }

    /**
     * {@return the sum of {@code values} over all flows}
     *
     * @param values one counter per flow.
     */
    public static long sum(final long[] values)
    {
        long sum = 0;
        for (final long value : values)
        {
            sum += value;
        }
        return sum;
    }

    /**
     * {@return a copy of one counter over the flows, e.g. {@code snapshot(GenCounters::sentFrames)}}
     *
     * @param counter the counter.
     */
    public long[] snapshot(final Counter counter)
    {
        final long[] values = new long[flows];
        for (int flow = 0; flow < flows; flow++)
        {
            values[flow] = counter.value(this, flow);
        }
        return values;
    }

    /** One per-flow counter of a {@link GenCounters}, e.g. {@code GenCounters::sentFrames}. */
    @FunctionalInterface
    public interface Counter
    {
        /**
         * {@return the counter's value for {@code flow}}
         *
         * @param counters the run's counters.
         * @param flow     a flow, {@code 0..flows()-1}.
         */
        long value(GenCounters counters, int flow);
    }
}
