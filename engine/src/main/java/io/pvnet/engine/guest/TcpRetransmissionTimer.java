package io.pvnet.engine.guest;

/**
 * One TCP connection's retransmission timer as RFC 6298 has it: the smoothed round trip ({@code SRTT}) and its
 * variation ({@code RTTVAR}) from round-trip samples, {@code RTO = SRTT + max(G, 4 * RTTVAR)} within
 * [{@link #MIN_RTO_NS}, {@link #MAX_RTO_NS}], doubled on each expiry and the timer itself (running or not, its
 * deadline). The owner ({@link TcpSendWindow}) keeps Karn's rule: it feeds samples only from segments sent once.
 * <p>
 * The RFC's rules, by number: (2.1) {@link #INITIAL_RTO_NS} until the first sample; (2.2) the first sample {@code R}
 * sets {@code SRTT = R}, {@code RTTVAR = R/2}; (2.3) later ones {@code RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|}, then
 * {@code SRTT = 7/8 SRTT + 1/8 R}; (2.4) the lower bound; (2.5) the upper bound; (5.1) sending data starts a stopped
 * timer ({@link #startIfStopped}); (5.2) everything acknowledged stops it ({@link #stop}); (5.3) an ACK of new data
 * restarts it ({@link #restart}); (5.5, 5.6) an expiry doubles the RTO and restarts it ({@link #backOff}); (5.7) a
 * SYN that had to be resent leaves the RTO at {@link #AFTER_SYN_TIMEOUT_RTO_NS} when data begins
 * ({@link #begin}). The back-off stays until a new round-trip sample comes ({@link #onSample}: a segment sent once
 * and acknowledged): an ACK of resent data only restarts the timer with the doubled RTO, since by Karn's rule it
 * measures nothing (RFC 6298 5.7's note and Karn's algorithm; Linux clears {@code icsk_backoff} in
 * {@code tcp_ack_update_rtt}, "only reset backoff on valid RTT measurement", not for any ACK).
 * <p>
 * <b>The lower bound is 200 ms, Linux's {@code TCP_RTO_MIN}, not the RFC's 1 s</b> (a SHOULD that 2.4 lets an
 * implementation lower): gen's peers are Linux kernels and pvnet guests a switch away, whose round trips are tens of
 * microseconds, so the floor alone decides the RTO; the RFC's second guards against spurious retransmissions behind
 * delayed ACKs (at most 200 ms in Linux, none from a pvnet guest, which acknowledges every segment), and would make
 * each loss of a tail segment cost a second of the run's figures. The upper bound is the RFC's 60 s.
 * <p>
 * Times are nanoseconds of the owner's clock, compared by subtraction. Single-threaded (the owner's); no allocation.
 */
final class TcpRetransmissionTimer
{
    /** The RTO before any round trip was measured (rule 2.1: 1 s). */
    static final long INITIAL_RTO_NS = 1_000_000_000L;
    /** The RTO when data begins after a resent SYN or SYN-ACK (rule 5.7: 3 s). */
    static final long AFTER_SYN_TIMEOUT_RTO_NS = 3_000_000_000L;
    /** The lower bound (rule 2.4; Linux's {@code TCP_RTO_MIN}: see the class comment). */
    static final long MIN_RTO_NS = 200_000_000L;
    /** The upper bound (rule 2.5: at least 60 s). */
    static final long MAX_RTO_NS = 60_000_000_000L;
    /**
     * The clock granularity {@code G}: the timer is looked at once per duty cycle of its owner, which sleeps at most
     * about a millisecond between them.
     */
    static final long GRANULARITY_NS = 1_000_000L;
    /** A round trip for {@link #begin}: none was measured (the SYN's answer came to a SYN sent twice, Karn's rule). */
    static final long NO_SAMPLE = -1;
    /** A round trip for {@link #begin}: the SYN (or SYN-ACK) had to be resent: rule 5.7. */
    static final long SYN_RESENT = -2;

    /**
     * {@return the handshake's round trip for {@link #begin}} From the first SYN (or SYN-ACK) that left to its answer
     * when exactly one left; {@link #SYN_RESENT} when more did (Karn: the answer may be to either, and rule 5.7);
     * {@link #NO_SAMPLE} when none left (the vif refused them all).
     *
     * @param sent        SYNs (or SYN-ACKs) the vif took.
     * @param firstSentNs when the first of them was taken.
     * @param answeredNs  when the answer came.
     */
    static long handshakeRtt(final int sent, final long firstSentNs, final long answeredNs)
    {
        return sent == 1 ? Math.max(0, answeredNs - firstSentNs) : sent > 1 ? SYN_RESENT : NO_SAMPLE;
    }

    private long srttNs;
    private long rttvarNs;
    private boolean measured;
    /** The RTO from SRTT and RTTVAR (or the initial one), without back-off. */
    private long baseRtoNs;
    /** The RTO in force: {@link #baseRtoNs} doubled per expiry since the last sample. */
    private long rtoNs;
    private int backOffs;
    private boolean running;
    private long deadlineNs;

    /**
     * Starts afresh for a connection whose data begins now: no samples but the handshake's, the timer stopped.
     *
     * @param handshakeRttNs the SYN's (or SYN-ACK's) round trip when it was sent once (a first sample, as RFC 6298
     *                       allows), {@link #NO_SAMPLE}, or {@link #SYN_RESENT}.
     */
    void begin(final long handshakeRttNs)
    {
        measured = false;
        srttNs = 0;
        rttvarNs = 0;
        backOffs = 0;
        running = false;
        baseRtoNs = handshakeRttNs == SYN_RESENT ? AFTER_SYN_TIMEOUT_RTO_NS : INITIAL_RTO_NS;
        rtoNs = baseRtoNs;
        if (handshakeRttNs >= 0)
        {
            onSample(handshakeRttNs);
        }
    }

    /**
     * A round-trip sample of a segment sent once (Karn's rule is the caller's): rules 2.2, 2.3, 2.4, 2.5. It also takes
     * the back-off away: a valid measurement is what brings the RTO down again (Karn's algorithm).
     */
    void onSample(final long rttNs)
    {
        final long sample = Math.max(0, rttNs);
        if (!measured)
        {
            measured = true;
            srttNs = sample;
            rttvarNs = sample / 2;
        }
        else
        {
            // RTTVAR first, from the SRTT before this sample (the RFC's order)
            rttvarNs = rttvarNs - (rttvarNs >> 2) + (Math.abs(srttNs - sample) >> 2);
            srttNs = srttNs - (srttNs >> 3) + (sample >> 3);
        }
        baseRtoNs = clamp(srttNs + Math.max(GRANULARITY_NS, 4 * rttvarNs));
        backOffs = 0;
        rtoNs = baseRtoNs;
    }

    /** Rule 5.1: data went out; the timer starts unless it runs. */
    void startIfStopped(final long nowNs)
    {
        if (!running)
        {
            restart(nowNs);
        }
    }

    /** Rule 5.3 (and 5.6): the timer runs from now for the RTO in force. */
    void restart(final long nowNs)
    {
        running = true;
        deadlineNs = nowNs + rtoNs;
    }

    /** Rule 5.2: nothing is outstanding. */
    void stop()
    {
        running = false;
    }

    /**
     * An ACK acknowledged new data: the timer restarts (5.3) for the RTO in force. The back-off stays: only a sample
     * ({@link #onSample}, which the owner feeds first when the ACK covers a timed segment) takes it away.
     */
    void onNewAck(final long nowNs)
    {
        restart(nowNs);
    }

    /** {@return whether the timer runs and its deadline passed} */
    boolean expired(final long nowNs)
    {
        return running && nowNs - deadlineNs >= 0;
    }

    /** Rules 5.5 and 5.6: it expired; the RTO doubles (up to the upper bound) and the timer restarts with it. */
    void backOff(final long nowNs)
    {
        backOffs++;
        rtoNs = Math.min(MAX_RTO_NS, rtoNs << 1);
        restart(nowNs);
    }

    /** {@return nanoseconds until the timer expires (0 or less: due), {@link Long#MAX_VALUE} when stopped} */
    long nanosToExpiry(final long nowNs)
    {
        return running ? deadlineNs - nowNs : Long.MAX_VALUE;
    }

    boolean running()
    {
        return running;
    }

    /** {@return the RTO in force, back-off included} */
    long rtoNs()
    {
        return rtoNs;
    }

    /** {@return the smoothed round trip, 0 before the first sample} */
    long srttNs()
    {
        return srttNs;
    }

    /** {@return the round-trip variation, 0 before the first sample} */
    long rttvarNs()
    {
        return rttvarNs;
    }

    /** {@return expiries since the last round-trip sample} */
    int backOffs()
    {
        return backOffs;
    }

    private static long clamp(final long rto)
    {
        return Math.min(MAX_RTO_NS, Math.max(MIN_RTO_NS, rto));
    }
}
