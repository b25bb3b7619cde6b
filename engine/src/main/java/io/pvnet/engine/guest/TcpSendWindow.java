package io.pvnet.engine.guest;

/**
 * The sending half of one small TCP connection (gen's connections and the guest's chargen server): which bytes are
 * acknowledged ({@code sndUna}), which were sent ({@code sndNxt}, and the highest ever sent, {@link #sndMax()}), the
 * peer's window, and loss recovery: {@link TcpCongestion}'s fast retransmit and NewReno fast recovery resend one
 * segment at the first unacknowledged byte per hole ({@link #sendSequence()}, while new data goes on at
 * {@code sndNxt}); when the retransmission timer expires ({@link TcpRetransmissionTimer}, RFC 6298's, its round trips
 * timed one segment at a time and only from segments sent once: Karn's rule), sending goes back to the first
 * unacknowledged byte. What goes out again below the highest byte sent is a retransmission ({@link #resending()}): a
 * segment is either resent bytes or new ones, never both, so a caller counts them apart (iperf3's {@code Retr}).
 * <p>
 * The close (RFC 9293 3.6): {@link #close()} puts the FIN after the highest byte sent, never inside what the peer may
 * already hold (after a go-back {@code sndNxt} is below it); data is sent only up to the FIN, the FIN is due
 * ({@link #finDue()}) once everything before it went out, occupies one sequence number, and is resent with the data
 * before it when the retransmission timer fires; an acknowledgment of {@code fin + 1} acknowledges everything
 * ({@link #finAcknowledged()}). What may be in flight is the smaller of the peer's window and
 * {@link TcpCongestion}'s congestion window (RFC 5681). Sequence numbers are 32-bit, held in longs and compared modulo
 * 2^32. Single-threaded (the owner's thread); no allocation.
 */
final class TcpSendWindow
{
    static final long SEQUENCE_MASK = 0xFFFF_FFFFL;
    private static final long HALF = 1L << 31;

    private long sndUna;
    private long sndNxt;
    private long window;
    private int windowShift;
    /** The highest byte sent before a go-back (above {@code sndNxt} until it catches up; see {@link #sndMax()}). */
    private long highest;
    private final TcpCongestion congestion = new TcpCongestion();
    /** A fast retransmit or a partial ACK asked for the segment at {@code sndUna} to go out again. */
    private boolean resendDue;
    /** A hole went out again and was not yet acknowledged past: it ends at {@link #resentEnd}. */
    private boolean resentOut;
    private long resentEnd;
    /** Partial ACKs in a row in this recovery that each ended exactly at their resent hole's end. */
    private int exactPartials;
    private final TcpRetransmissionTimer timer = new TcpRetransmissionTimer();
    /** A segment sent once is being timed (Karn's rule: a go-back cancels it): it ends at {@link #timedEnd}. */
    private boolean timing;
    private long timedEnd;
    private long timedSentNs;
    private long goBackRounds;
    private int mss;
    /** {@link #close()} was called: nothing is sent beyond {@link #finSequence}. */
    private boolean closing;
    private long finSequence;
    /** The FIN went out since the last go-back (it is in flight). */
    private boolean finOut;
    /** The FIN went out at least once (an acknowledgment of it may come after a go-back). */
    private boolean finEverSent;
    private boolean finAcknowledged;

    /**
     * Starts the window after the SYN.
     *
     * @param firstSequence the first data byte's sequence number (initial sequence + 1).
     * @param peerWindow    the window of the peer's SYN or SYN-ACK (never scaled).
     * @param shift         the peer's window scale, 0 when it sent none.
     * @param segmentSize    the maximum segment size (the unit of the congestion window).
     * @param handshakeRttNs the handshake's round trip, the timer's first sample ({@link TcpRetransmissionTimer#begin}:
     *                       or {@link TcpRetransmissionTimer#NO_SAMPLE}, {@link TcpRetransmissionTimer#SYN_RESENT}).
     */
    void start(final long firstSequence, final long peerWindow, final int shift, final int segmentSize,
        final long handshakeRttNs)
    {
        mss = Math.max(1, segmentSize);
        sndUna = firstSequence & SEQUENCE_MASK;
        sndNxt = sndUna;
        highest = sndUna;
        congestion.start(mss, sndUna);
        resendDue = false;
        resentOut = false;
        exactPartials = 0;
        window = peerWindow;
        windowShift = shift;
        timer.begin(handshakeRttNs);
        timing = false;
        goBackRounds = 0;
        closing = false;
        finSequence = 0;
        finOut = false;
        finEverSent = false;
        finAcknowledged = false;
    }

    /**
     * Closes the sending side: the FIN goes after the highest byte sent ({@link #sndMax()}), once every byte before it
     * is out ({@link #finDue()}). Idempotent.
     */
    void close()
    {
        if (!closing)
        {
            closing = true;
            finSequence = sndMax();
        }
    }

    /** {@return the FIN's sequence number (valid once {@link #close()} was called)} */
    long finSequence()
    {
        return finSequence;
    }

    /** {@return whether the FIN should go out now: closing, everything before it sent, the FIN not in flight} */
    boolean finDue()
    {
        return closing && !finAcknowledged && !finOut && sndNxt == finSequence;
    }

    /**
     * The FIN went out at {@link #finSequence()}: it is in flight, resent after a timeout.
     *
     * @param nowNs now; starts the retransmission timer unless it runs (RFC 6298 5.1).
     */
    void finSent(final long nowNs)
    {
        timer.startIfStopped(nowNs);
        finOut = true;
        finEverSent = true;
    }

    /** {@return the sequence number of an ACK sent now: {@link #sndNxt()}, after the FIN once it went out} */
    long nextSequence()
    {
        return finEverSent ? (finSequence + 1) & SEQUENCE_MASK : sndNxt;
    }

    /** {@return bytes sent and not acknowledged, up to the highest ever sent (the FIN not counted)} */
    long unacknowledged()
    {
        return (sndMax() - sndUna) & SEQUENCE_MASK;
    }

    /** {@return whether the peer acknowledged the FIN (and with it every byte before it)} */
    boolean finAcknowledged()
    {
        return finAcknowledged;
    }

    /**
     * An acknowledgment arrived.
     *
     * @param ack       its acknowledgment number.
     * @param rawWindow its window field (scaled here).
     * @param pure      it carried no data and no SYN/FIN (may count as a duplicate).
     * @param nowNs     now.
     * @return the bytes it newly acknowledged (0 for a duplicate or an old one).
     */
    long onAck(final long ack, final int rawWindow, final boolean pure, final long nowNs)
    {
        final long newWindow = (long)rawWindow << windowShift;
        if (finAcknowledged)
        {
            return 0; // everything is acknowledged: a later ACK (the peer's FIN) acknowledges nothing new
        }
        if (finEverSent && ack == ((finSequence + 1) & SEQUENCE_MASK))
        {
            // the FIN and every byte before it arrived (also when we went back below them meanwhile)
            final long acked = (finSequence - sndUna) & SEQUENCE_MASK;
            sndUna = finSequence;
            sndNxt = finSequence;
            highest = finSequence;
            finOut = false;
            finAcknowledged = true;
            window = newWindow;
            resendDue = false;
            timing = false;
            timer.stop(); // RFC 6298 5.2: nothing outstanding
            return acked;
        }
        final long acked = (ack - sndUna) & SEQUENCE_MASK;
        final long outstanding = (sndNxt - sndUna) & SEQUENCE_MASK;
        final long ahead = (highest - sndUna) & SEQUENCE_MASK; // bytes sent before a go-back, still to be acked
        if (acked > 0 && acked <= Math.max(outstanding, ahead))
        {
            sndUna = ack & SEQUENCE_MASK;
            resendDue = false; // a hole not yet resent may be acknowledged now: a partial ACK below asks anew
            if (((sndNxt - sndUna) & SEQUENCE_MASK) > Math.max(outstanding, ahead))
            {
                sndNxt = sndUna; // the ack covers bytes sent before a go-back beyond where we resend now
            }
            if (acked > ahead)
            {
                // the highest byte never falls behind sndUna: 2^31 bytes later it would look ahead of it again
                highest = sndUna;
            }
            window = newWindow;
            onNewAck(nowNs);
            // exactly up to the end of the hole resent: the peer holds nothing right after it
            final boolean exact = resentOut && sndUna == resentEnd;
            resentOut &= ((sndUna - resentEnd) & SEQUENCE_MASK) >= HALF;
            if (congestion.onNewAck(sndUna, acked, window) && unacknowledged() > 0)
            {
                exactPartials = exact ? exactPartials + 1 : 0;
                if (exactPartials >= 2)
                {
                    // twice in a row: a receiver without an out-of-order queue (gen's own, the guest's past its
                    // ranges), all up to the recovery point is missing there and one hole a round trip would take a
                    // round trip per segment. Once is also two adjacent losses at a receiver that holds the rest.
                    congestion.onNothingKept();
                    goBack();
                    return acked;
                }
                resendDue = true; // a partial ACK in a fast recovery: the next hole goes out again
                timing = false; // Karn's rule, as for the fast retransmit
            }
            return acked;
        }
        if (acked == 0 && pure && outstanding() && newWindow == window)
        {
            if (congestion.onDuplicateAck(sndUna, unacknowledged(), sndMax()) && unacknowledged() > 0)
            {
                resendDue = true; // fast retransmit: the peer holds a gap at sndUna
                exactPartials = 0;
                timing = false; // Karn's rule: an ACK of what is resent now cannot say which copy it answers
                goBackRounds++;
            }
            return 0;
        }
        if (acked == 0)
        {
            window = newWindow; // a window update
        }
        return 0;
    }

    /**
     * New data was acknowledged (sndUna moved): the timed segment's round trip when the ACK covers it (only that sample
     * takes the timer's back-off away), the timer restarted, or stopped when nothing is outstanding (RFC 6298 5.2, 5.3).
     * The restart comes on every partial ACK too: RFC 3782 section 4's "Slow-but-Steady" variant, not RFC 6582 3.2
     * step 3's "Impatient" one (restart on the first only). A deliberate choice: many holes then cost one round trip
     * each rather than a timeout and its 1 MSS, and the case that would make that slow, a receiver keeping nothing
     * after a hole, is caught by the go-back after two exact partial ACKs in a row.
     */
    private void onNewAck(final long nowNs)
    {
        if (timing && ((sndUna - timedEnd) & SEQUENCE_MASK) < (1L << 31))
        {
            timing = false;
            timer.onSample(nowNs - timedSentNs);
        }
        timer.onNewAck(nowNs);
        if (!outstanding())
        {
            timer.stop();
        }
    }

    /** {@return whether anything sent is unacknowledged: bytes up to the highest sent, or the FIN} */
    private boolean outstanding()
    {
        return sndMax() != sndUna || finOut;
    }

    /**
     * Goes back to the first unacknowledged byte when the retransmission timer expired (RFC 6298 5.4), doubling the
     * RTO (5.5, 5.6).
     *
     * @return whether it went back.
     */
    boolean checkTimeout(final long nowNs)
    {
        if (!timer.expired(nowNs))
        {
            return false;
        }
        if (!outstanding())
        {
            timer.stop();
            return false;
        }
        timer.backOff(nowNs);
        congestion.onTimeout(unacknowledged(), sndMax());
        goBack();
        goBackRounds++;
        return true;
    }

    /** @return nanoseconds until {@link #checkTimeout} would go back, {@link Long#MAX_VALUE} with nothing in flight. */
    long nanosToTimeout(final long nowNs)
    {
        return outstanding() ? timer.nanosToExpiry(nowNs) : Long.MAX_VALUE;
    }

    /** {@return the connection's retransmission timer (its RTO, SRTT, RTTVAR)} */
    TcpRetransmissionTimer timer()
    {
        return timer;
    }

    /**
     * A timeout, or a peer that kept nothing after a hole: everything from the first unacknowledged byte goes out again
     * (RFC 6298 5.4).
     */
    private void goBack()
    {
        highest = sndMax();
        sndNxt = sndUna;
        finOut = false; // resent after the data before it
        resendDue = false;
        resentOut = false;
        exactPartials = 0;
        timing = false; // Karn's rule: an ACK of what is resent now cannot say which copy it answers
    }

    /**
     * {@return how many bytes to send now at {@link #sendSequence()}, 0 for none} A hole a fast retransmit or a partial
     * ACK asked for first, whatever the windows (RFC 5681 3.2, RFC 6582), one MSS (not a TSO frame); else new data
     * (or data after a timeout's go-back) within the smaller of the peer's and the congestion window, the frame cut to
     * the whole MSS left in that window (as Linux's {@code tcp_tso_should_defer} sends a smaller frame rather than
     * none; with nothing in flight at least one MSS), so the window is never a reason to stall nor to send one frame
     * a round trip.
     *
     * @param segment   most bytes of one segment or TSO frame.
     * @param remaining bytes still to send (counting those in flight as sent).
     * @param mss       the peer's maximum segment size.
     */
    int nextLength(final int segment, final long remaining, final int mss)
    {
        if (resendDue)
        {
            return (int)Math.min(Math.min(segment, mss), unacknowledged()); // one segment (RFC 5681 3.2), not a frame
        }
        final long inFlight = inFlight();
        // closing: nothing after the FIN; resending: nothing past the highest byte sent (a segment resends or is new)
        final long left = resending() ? Math.min(remaining, (sndMax() - sndNxt) & SEQUENCE_MASK) :
            closing ? Math.min(remaining, (finSequence - sndNxt) & SEQUENCE_MASK) : remaining;
        final long allowed = Math.min(window, congestion.window());
        // nothing in flight: one frame up to the allowed window, at least one MSS (a frame must be able to go at all);
        // else cut to the whole segments still allowed, so a window below inFlight + a TSO frame still fills each RTT
        final long room = allowed - inFlight;
        final long cut = inFlight == 0 ? Math.max(allowed, mss) : room >= mss ? room / mss * mss : segment;
        final long length = Math.min(Math.min(segment, left), cut);
        return length > 0 && (inFlight + length <= allowed || inFlight == 0) ? (int)length : 0;
    }

    /**
     * {@code length} bytes went out at {@link #sendSequence()}: the timer starts unless it runs (RFC 6298 5.1), and a
     * new segment is timed when none is (a resent one never: Karn's rule).
     */
    void sent(final int length, final long nowNs)
    {
        if (resendDue)
        {
            resendDue = false; // the hole went; sndNxt stays where new data goes on
            resentOut = true;
            resentEnd = (sndUna + length) & SEQUENCE_MASK;
            timer.startIfStopped(nowNs);
            return;
        }
        if (!timing && !resending())
        {
            timing = true;
            timedEnd = (sndNxt + length) & SEQUENCE_MASK;
            timedSentNs = nowNs;
        }
        sndNxt = (sndNxt + length) & SEQUENCE_MASK;
        timer.startIfStopped(nowNs);
    }

    /** {@return whether the next bytes sent go out again: a hole, or below the highest byte sent} */
    boolean resending()
    {
        return resendDue || sndNxt != sndMax();
    }

    /** {@return the sequence number of the next segment: {@code sndUna} when a hole is due, else {@code sndNxt}} */
    long sendSequence()
    {
        return resendDue ? sndUna : sndNxt;
    }

    long inFlight()
    {
        return (sndNxt - sndUna) & SEQUENCE_MASK;
    }

    long sndUna()
    {
        return sndUna;
    }

    long sndNxt()
    {
        return sndNxt;
    }

    /** {@return the sequence number after the highest byte ever sent (above {@link #sndNxt()} after a go-back)} */
    long sndMax()
    {
        return ((highest - sndNxt) & SEQUENCE_MASK) < HALF ? highest : sndNxt;
    }

    long window()
    {
        return window;
    }

    /** {@return the congestion window in bytes (iperf3's {@code snd_cwnd})} */
    long congestionWindow()
    {
        return congestion.window();
    }

    /** {@return the connection's congestion control} */
    TcpCongestion congestion()
    {
        return congestion;
    }

    /** {@return recoveries begun: fast retransmits and timeouts} */
    long goBackRounds()
    {
        return goBackRounds;
    }
}
