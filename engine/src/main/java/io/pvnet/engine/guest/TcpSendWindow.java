package io.pvnet.engine.guest;

/**
 * The sending half of one small TCP connection (gen's connections and the guest's chargen server): which bytes are
 * acknowledged ({@code sndUna}), which were sent ({@code sndNxt}, and the highest ever sent, {@link #sndMax()}), the
 * peer's window, and loss recovery by going back N: after three duplicate acknowledgments (once per window of data, as
 * NewReno's recovery point) or when the retransmission timer expires ({@link TcpRetransmissionTimer}, RFC 6298's, its
 * round trips timed one segment at a time and only from segments sent once: Karn's rule), sending restarts at the first
 * unacknowledged byte. What goes out again below the highest byte sent is a retransmission ({@link #resending()}): a
 * segment is either resent bytes or new ones, never both, so a caller counts them apart (iperf3's {@code Retr}).
 * <p>
 * The close (RFC 9293 3.6): {@link #close()} puts the FIN after the highest byte sent, never inside what the peer may
 * already hold (after a go-back {@code sndNxt} is below it); data is sent only up to the FIN, the FIN is due
 * ({@link #finDue()}) once everything before it went out, occupies one sequence number, and is resent with the data
 * before it when the retransmission timer fires; an acknowledgment of {@code fin + 1} acknowledges everything
 * ({@link #finAcknowledged()}). A congestion window as
 * RFC 5681's (initial window 10 segments, RFC 6928; slow start, then one segment per round trip; halved on a fast
 * retransmit, two segments after a timeout) keeps a sender from filling the rings between it and its peer with more
 * than they hold, which a go-back-N sender would pay for by resending all of it. Sequence numbers are 32-bit, held in
 * longs and compared modulo 2^32. Single-threaded (the owner's thread).
 */
final class TcpSendWindow
{
    static final long SEQUENCE_MASK = 0xFFFF_FFFFL;
    private static final int DUPLICATE_ACKS = 3;
    private static final long MAX_CONGESTION_WINDOW = 64L << 20;

    private long sndUna;
    private long sndNxt;
    private long window;
    private int windowShift;
    private int duplicates;
    private long recover;
    private final TcpRetransmissionTimer timer = new TcpRetransmissionTimer();
    /** A segment sent once is being timed (Karn's rule: a go-back cancels it): it ends at {@link #timedEnd}. */
    private boolean timing;
    private long timedEnd;
    private long timedSentNs;
    private long goBackRounds;
    private int mss;
    private long congestionWindow;
    private long slowStartThreshold;
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
        congestionWindow = 10L * mss;
        slowStartThreshold = MAX_CONGESTION_WINDOW;
        sndUna = firstSequence & SEQUENCE_MASK;
        sndNxt = sndUna;
        recover = sndUna;
        window = peerWindow;
        windowShift = shift;
        duplicates = 0;
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
            recover = finSequence;
            finOut = false;
            finAcknowledged = true;
            window = newWindow;
            duplicates = 0;
            timing = false;
            timer.stop(); // RFC 6298 5.2: nothing outstanding
            return acked;
        }
        final long acked = (ack - sndUna) & SEQUENCE_MASK;
        final long outstanding = (sndNxt - sndUna) & SEQUENCE_MASK;
        final long highest = (recover - sndUna) & SEQUENCE_MASK; // bytes sent before a go-back, still to be acked
        if (acked > 0 && acked <= Math.max(outstanding, highest))
        {
            sndUna = ack & SEQUENCE_MASK;
            if (((sndNxt - sndUna) & SEQUENCE_MASK) > Math.max(outstanding, highest))
            {
                sndNxt = sndUna; // the ack covers bytes sent before a go-back beyond where we resend now
            }
            if (acked > highest)
            {
                // the recovery point never falls behind sndUna: 2^31 bytes later it would look ahead of it again
                recover = sndUna;
            }
            window = newWindow;
            duplicates = 0;
            onNewAck(nowNs);
            congestionWindow = Math.min(MAX_CONGESTION_WINDOW, congestionWindow < slowStartThreshold ?
                congestionWindow + acked : congestionWindow + Math.max(1, mss * acked / congestionWindow));
            return acked;
        }
        if (acked == 0 && pure && outstanding > 0 && newWindow == window)
        {
            duplicates++;
            if (duplicates == DUPLICATE_ACKS && ((sndUna - recover) & SEQUENCE_MASK) < (1L << 31))
            {
                goBack(nowNs, false); // fast retransmit: the peer holds a gap at sndUna
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
        goBack(nowNs, true);
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

    private void goBack(final long nowNs, final boolean timeout)
    {
        slowStartThreshold = Math.max(inFlight() / 2, 2L * mss);
        congestionWindow = timeout ? 2L * mss : slowStartThreshold;
        if (((sndNxt - recover) & SEQUENCE_MASK) < (1L << 31))
        {
            recover = sndNxt;
        }
        sndNxt = sndUna;
        finOut = false; // resent after the data before it
        duplicates = 0;
        timing = false; // Karn's rule: an ACK of what is resent now cannot say which copy it answers
        goBackRounds++;
    }

    /**
     * {@return how many bytes to send now, 0 for none} Within the peer's window; a segment larger than the window goes
     * out alone when nothing is in flight (as Linux's {@code tcp_tso_should_defer} sends a smaller frame rather than
     * none), so the window is never a reason to stall.
     *
     * @param segment   most bytes of one segment or TSO frame.
     * @param remaining bytes still to send (counting those in flight as sent).
     * @param mss       the peer's maximum segment size.
     */
    int nextLength(final int segment, final long remaining, final int mss)
    {
        final long inFlight = inFlight();
        // closing: nothing after the FIN; resending: nothing past the highest byte sent (a segment resends or is new)
        final long left = resending() ? Math.min(remaining, (sndMax() - sndNxt) & SEQUENCE_MASK) :
            closing ? Math.min(remaining, (finSequence - sndNxt) & SEQUENCE_MASK) : remaining;
        final long allowed = Math.min(window, congestionWindow);
        // nothing in flight: one frame up to the peer's window, whatever the congestion window (it limits what is
        // added to the flight, and a frame must be able to go at all)
        final long length = Math.min(Math.min(segment, left), inFlight == 0 ? Math.max(window, mss) : segment);
        return length > 0 && (inFlight + length <= allowed || inFlight == 0) ? (int)length : 0;
    }

    /**
     * {@code length} bytes went out at {@link #sndNxt()}: the timer starts unless it runs (RFC 6298 5.1), and a new
     * segment is timed when none is (a resent one never: Karn's rule).
     */
    void sent(final int length, final long nowNs)
    {
        if (!timing && !resending())
        {
            timing = true;
            timedEnd = (sndNxt + length) & SEQUENCE_MASK;
            timedSentNs = nowNs;
        }
        sndNxt = (sndNxt + length) & SEQUENCE_MASK;
        timer.startIfStopped(nowNs);
    }

    /** {@return whether the next bytes sent at {@link #sndNxt()} go out again: below the highest byte sent} */
    boolean resending()
    {
        return sndNxt != sndMax();
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
        return ((recover - sndNxt) & SEQUENCE_MASK) < (1L << 31) ? recover : sndNxt;
    }

    long window()
    {
        return window;
    }

    long congestionWindow()
    {
        return congestionWindow;
    }

    /** {@return times sending went back to the first unacknowledged byte} */
    long goBackRounds()
    {
        return goBackRounds;
    }
}
