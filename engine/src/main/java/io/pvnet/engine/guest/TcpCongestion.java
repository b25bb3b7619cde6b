package io.pvnet.engine.guest;

/**
 * One sending connection's congestion control: RFC 5681's slow start and congestion avoidance, its fast retransmit
 * and fast recovery on three duplicate ACKs with NewReno's partial acknowledgments (RFC 6582), and what a
 * retransmission timeout does to the window. {@link TcpSendWindow} keeps the sequence numbers and asks this class how
 * much may be in flight ({@link #window()}) and when to resend the segment at its first unacknowledged byte.
 * <pre>
 *            new ACK: cwnd += min(acked, 2*MSS)                 new ACK: +MSS per cwnd bytes acked (RFC 3465)
 *   start --------------------------------&gt; [slow start] --cwnd &gt;= ssthresh--&gt; [congestion avoidance]
 *   cwnd = IW (RFC 6928)                        |   ^                                  |
 *                                3rd dup ACK    |   | full ACK (covers recover):       | 3rd dup ACK
 *         ssthresh = max(FlightSize/2, 2*MSS)   v   | cwnd = ssthresh                  v
 *         cwnd = ssthresh + 3*MSS, resend    [fast recovery] &lt;--------------------------+
 *         recover = SND.MAX (highest + 1)      dup ACK: cwnd += MSS
 *                                              partial ACK: resend the next hole, cwnd -= acked (+MSS if acked &gt;= MSS)
 *                                              2nd partial ACK in a row exactly to its hole's end: the peer keeps
 *                                              nothing after a hole, so go back with cwnd = ssthresh (out of recovery)
 *   RTO (any state): ssthresh = max(FlightSize/2, 2*MSS), cwnd = 1 MSS, recover = SND.MAX, slow start
 * </pre>
 * A third duplicate ACK starts a recovery only when the ACK covers every byte sent when the last one or the last
 * timeout began ({@code ack >= recover}, {@code recover} being the byte after them: RFC 6582 3.2 step 2): the
 * duplicates a go-back after a timeout draws, or those of the same window's losses, start none. Slow start grows by the
 * bytes acknowledged up to {@code L = 2*MSS} per ACK, congestion avoidance by one MSS per window's worth of bytes
 * acknowledged (RFC 3465 appropriate byte counting); the timer itself is {@link TcpRetransmissionTimer}'s. Sequence
 * numbers are 32-bit in longs, compared modulo 2^32. The window grows no further than the peer's window. Single-threaded (the owner's); no allocation.
 */
final class TcpCongestion
{
    /** Duplicate ACKs that mean a segment was lost (RFC 5681's threshold). */
    static final int DUPLICATE_ACKS = 3;
    /** The largest window (a cap so that growth without loss cannot overflow anything). */
    static final long MAX_WINDOW = 64L << 20;
    /** RFC 6928's initial window bound in bytes: {@code min(10*MSS, max(2*MSS, 14600))}. */
    private static final long INITIAL_WINDOW_BYTES = 14_600;
    /** Slow start's most growth per ACK, in MSS (RFC 3465's {@code L}). */
    private static final int SLOW_START_LIMIT = 2;
    private static final long MASK = TcpSendWindow.SEQUENCE_MASK;
    private static final long HALF = 1L << 31;

    private long mss;
    private long cwnd;
    private long ssthresh;
    /** Bytes acknowledged in congestion avoidance since cwnd last grew (RFC 3465's {@code bytes_acked}). */
    private long bytesAcked;
    private int duplicates;
    private boolean recovering;
    /**
     * The sequence number after the highest byte sent when the last recovery or timeout began: RFC 6582's
     * {@code recover} plus one, so an ACK at or beyond it covers RFC 6582's {@code recover}.
     */
    private long recover;
    private long recoveries;

    /** {@return RFC 6928's initial window for {@code mss}: {@code min(10*MSS, max(2*MSS, 14600))}} */
    static long initialWindow(final int mss)
    {
        return Math.min(10L * mss, Math.max(2L * mss, INITIAL_WINDOW_BYTES));
    }

    /**
     * Starts a connection's data: the initial window, no threshold yet, nothing recovered.
     *
     * @param segmentSize   the MSS (the window's unit).
     * @param firstSequence the first data byte's sequence number ({@code recover} starts there: nothing sent yet).
     */
    void start(final int segmentSize, final long firstSequence)
    {
        mss = Math.max(1, segmentSize);
        cwnd = initialWindow((int)mss);
        ssthresh = MAX_WINDOW;
        bytesAcked = 0;
        duplicates = 0;
        recovering = false;
        recover = firstSequence & MASK;
        recoveries = 0;
    }

    /**
     * An ACK acknowledged new data.
     *
     * @param ack        its acknowledgment number (the new first unacknowledged byte).
     * @param acked      the bytes it newly acknowledged.
     * @param peerWindow the peer's window: growth stops there.
     * @return whether the segment at {@code ack} should go out again now: a partial ACK in recovery (RFC 6582 3.2
     *     step 3), the next hole.
     */
    boolean onNewAck(final long ack, final long acked, final long peerWindow)
    {
        duplicates = 0;
        if (recovering)
        {
            if (((ack - recover) & MASK) < HALF)
            {
                recovering = false; // a full ACK: deflate to the threshold (RFC 6582 3.2 step 3, option 2)
                cwnd = ssthresh;
                bytesAcked = 0;
                return false;
            }
            // a partial ACK: deflate by what it acknowledged, add back one MSS if that was at least one
            cwnd = Math.max(mss, cwnd - acked + (acked >= mss ? mss : 0));
            return true;
        }
        if (cwnd < ssthresh)
        {
            cwnd = grown(cwnd + Math.min(acked, SLOW_START_LIMIT * mss), peerWindow);
        }
        else
        {
            bytesAcked += acked;
            if (bytesAcked >= cwnd)
            {
                bytesAcked -= cwnd;
                cwnd = grown(cwnd + mss, peerWindow);
            }
        }
        return false;
    }

    /**
     * A duplicate ACK came (RFC 5681's definition: the caller's).
     *
     * @param ack        its acknowledgment number (the first unacknowledged byte).
     * @param flightSize bytes sent and not acknowledged.
     * @param highest    the sequence number after the highest byte sent.
     * @return whether this is the fast retransmit: the segment at {@code ack} goes out again now.
     */
    boolean onDuplicateAck(final long ack, final long flightSize, final long highest)
    {
        if (recovering)
        {
            cwnd = Math.min(MAX_WINDOW, cwnd + mss); // each duplicate: one segment left the network
            return false;
        }
        duplicates++;
        // RFC 6582 3.2 step 2: the ACK covers more than the highest byte sent then, i.e. ack >= recover here
        if (duplicates != DUPLICATE_ACKS || ((ack - recover) & MASK) >= HALF)
        {
            return false;
        }
        ssthresh = threshold(flightSize);
        cwnd = ssthresh + DUPLICATE_ACKS * mss;
        recover = highest & MASK;
        recovering = true;
        recoveries++;
        return true;
    }

    /**
     * The peer acknowledged exactly the hole resent in a recovery twice in a row (once is also two adjacent losses): it
     * keeps nothing after a hole (no out-of-order queue), so everything up to {@code recover} goes again from the first
     * unacknowledged byte (the owner's go-back). The recovery ends as on a full ACK ({@code cwnd = ssthresh});
     * {@code recover} stays, so the go-back's duplicates start none.
     */
    void onNothingKept()
    {
        recovering = false;
        cwnd = ssthresh;
        bytesAcked = 0;
        duplicates = 0;
    }

    /**
     * The retransmission timer expired: one MSS, the threshold from what was in flight, any recovery over.
     *
     * @param flightSize bytes sent and not acknowledged.
     * @param highest    the sequence number after the highest byte sent.
     */
    void onTimeout(final long flightSize, final long highest)
    {
        ssthresh = threshold(flightSize);
        cwnd = mss;
        bytesAcked = 0;
        duplicates = 0;
        recovering = false;
        recover = highest & MASK;
    }

    /**
     * {@return {@code wanted}, but not past the peer's window (nor {@link #MAX_WINDOW}), and never less than now} A
     * window beyond what the peer takes could never be used: it would only show a growing number that says nothing
     * (Linux grows cwnd only while it limits the sender, RFC 7661).
     */
    private long grown(final long wanted, final long peerWindow)
    {
        return Math.max(cwnd, Math.min(wanted, Math.min(MAX_WINDOW, peerWindow)));
    }

    private long threshold(final long flightSize)
    {
        return Math.max(flightSize / 2, 2 * mss);
    }

    /** {@return the congestion window in bytes: the most that may be in flight (with the peer's window)} */
    long window()
    {
        return cwnd;
    }

    /** {@return the slow-start threshold in bytes ({@link #MAX_WINDOW} before the first loss)} */
    long threshold()
    {
        return ssthresh;
    }

    /** {@return whether a fast recovery is under way} */
    boolean recovering()
    {
        return recovering;
    }

    /** {@return fast retransmits since {@link #start}} */
    long recoveries()
    {
        return recoveries;
    }
}
